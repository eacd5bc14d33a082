// Data-movement primitives (reshape, transpose, broadcast_to, concat, slice, pad)
// with gradient rules, and composites built on them.
#include "kiln/ops/shape_ops.h"

#include <cstring>
#include <numeric>

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/elementwise.h"
#include "kiln/kernels/layout.h"
#include "kiln/ops/reduce.h"
#include "kiln/tracing.h"

namespace kiln {
namespace {

using Grads = std::vector<Gradient>;

void check_defined(const char* op, const Tensor& t) {
  if (!t.defined()) detail::fail(op, "operand is an undefined tensor");
}

int normalize_axis(const char* op, int axis, int rank) {
  int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    detail::fail(op, "axis " + std::to_string(axis) + " is out of range for rank " +
                         std::to_string(rank));
  return a;
}

std::string vec_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

bool floating_and_taped(const Tensor& x) {
  return detail::tapes_active() && is_floating(x.dtype());
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape, const Loc& loc) {
  detail::ApiScope scope("reshape", loc);
  check_defined("reshape", x);
  Shape s = shape;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < s.rank(); ++i) {
    if (s[i] == -1) {
      if (infer >= 0) detail::fail("reshape", "only one dimension may be -1 in " + shape.str());
      infer = i;
    } else if (s[i] < 0) {
      detail::fail("reshape", "negative dimension in target shape " + shape.str());
    } else {
      known *= s[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known != 0)
      detail::fail("reshape", "cannot infer -1 in " + shape.str() + " for " +
                                  std::to_string(x.numel()) + " elements");
    s[infer] = x.numel() / known;
  }
  if (s.numel() != x.numel())
    detail::fail("reshape", "cannot reshape " + x.shape().str() + " (" +
                                std::to_string(x.numel()) + " elements) to " + shape.str() + " (" +
                                std::to_string(s.numel()) + " elements)");
  Tensor y = x.is_symbolic() ? detail::emit_op("kiln.reshape", {x}, {}, s, x.dtype())
                             : Tensor::alias(x, s);
  if (floating_and_taped(x))
    detail::record_op("reshape", {&x}, y, [xs = x.shape()](const Tensor& dy) -> Grads {
      return {reshape(dy, xs)};
    });
  return y;
}

Tensor transpose(const Tensor& x, const std::vector<int>& perm0, const Loc& loc) {
  detail::ApiScope scope("transpose", loc);
  check_defined("transpose", x);
  int r = x.rank();
  std::vector<int> perm = perm0;
  if (perm.empty()) {
    perm.resize(r);
    for (int i = 0; i < r; ++i) perm[i] = r - 1 - i;
  }
  if (static_cast<int>(perm.size()) != r)
    detail::fail("transpose", "permutation has " + std::to_string(perm.size()) +
                                  " entries for a tensor of rank " + std::to_string(r));
  std::vector<bool> seen(r, false);
  for (int& p : perm) {
    p = normalize_axis("transpose", p, r);
    if (seen[p]) detail::fail("transpose", "axis " + std::to_string(p) + " repeats in permutation");
    seen[p] = true;
  }
  Tensor y;
  if (x.is_symbolic()) {
    Shape os;
    for (int i = 0; i < r; ++i) os.push_back(x.shape()[perm[i]]);
    y = detail::emit_op("kiln.transpose", {x},
                        {{"permutation", std::vector<int64_t>(perm.begin(), perm.end())}}, os,
                        x.dtype());
  } else {
    y = kernels::transpose(x, perm);
  }
  if (floating_and_taped(x)) {
    std::vector<int> inv(r);
    for (int i = 0; i < r; ++i) inv[perm[i]] = i;
    detail::record_op("transpose", {&x}, y, [inv](const Tensor& dy) -> Grads {
      return {transpose(dy, inv)};
    });
  }
  return y;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape, const Loc& loc) {
  detail::ApiScope scope("broadcast_to", loc);
  check_defined("broadcast_to", x);
  Shape out;
  if (!broadcast_shapes(x.shape(), shape, &out) || !(out == shape))
    detail::fail("broadcast_to", "cannot broadcast " + x.shape().str() + " to " + shape.str());
  if (x.shape() == shape) return x;
  Tensor y = x.is_symbolic() ? detail::emit_op("kiln.broadcast_to", {x}, {}, shape, x.dtype())
                             : kernels::broadcast(x, shape);
  if (floating_and_taped(x))
    detail::record_op("broadcast_to", {&x}, y, [xs = x.shape()](const Tensor& dy) -> Grads {
      return {sum_to(dy, xs)};
    });
  return y;
}

Tensor concat(const std::vector<Tensor>& xs, int axis, const Loc& loc) {
  detail::ApiScope scope("concat", loc);
  if (xs.empty()) detail::fail("concat", "needs at least one tensor");
  for (const Tensor& t : xs) check_defined("concat", t);
  const Tensor& first = xs[0];
  if (first.rank() == 0) detail::fail("concat", "cannot concatenate scalars; use stack");
  int a = normalize_axis("concat", axis, first.rank());
  Shape out = first.shape();
  out[a] = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    const Tensor& t = xs[k];
    if (t.dtype() != first.dtype())
      detail::fail("concat", "tensor " + std::to_string(k) + " has dtype " +
                                 std::string(dtype_name(t.dtype())) + ", tensor 0 has " +
                                 std::string(dtype_name(first.dtype())));
    bool ok = t.rank() == first.rank();
    for (int i = 0; ok && i < t.rank(); ++i) ok = i == a || t.shape()[i] == first.shape()[i];
    if (!ok)
      detail::fail("concat", "tensor " + std::to_string(k) + " has shape " + t.shape().str() +
                                 ", incompatible with " + first.shape().str() + " along axis " +
                                 std::to_string(a));
    out[a] += t.shape()[a];
  }
  bool symbolic = false;
  for (const Tensor& t : xs) symbolic = symbolic || t.is_symbolic();
  Tensor y = symbolic ? detail::emit_op("kiln.concat", xs, {{"axis", int64_t{a}}}, out,
                                        first.dtype())
                      : kernels::concat(xs, a, out);
  if (floating_and_taped(first)) {
    std::vector<int64_t> sizes;
    for (const Tensor& t : xs) sizes.push_back(t.shape()[a]);
    detail::record_op("concat", xs, y, [sizes, a](const Tensor& dy) -> Grads {
      Grads g;
      std::vector<int64_t> begin(dy.rank(), 0), size(dy.shape().begin(), dy.shape().end());
      for (int64_t n : sizes) {
        size[a] = n;
        g.emplace_back(slice(dy, begin, size));
        begin[a] += n;
      }
      return g;
    });
  }
  return y;
}

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin,
             const std::vector<int64_t>& size0, const Loc& loc) {
  detail::ApiScope scope("slice", loc);
  check_defined("slice", x);
  int r = x.rank();
  if (static_cast<int>(begin.size()) != r || static_cast<int>(size0.size()) != r)
    detail::fail("slice", "begin " + vec_str(begin) + " and size " + vec_str(size0) +
                              " must each have " + std::to_string(r) + " entries for shape " +
                              x.shape().str());
  Shape out;
  for (int i = 0; i < r; ++i) {
    int64_t n = size0[i] == -1 ? x.shape()[i] - begin[i] : size0[i];
    if (begin[i] < 0 || n < 0 || begin[i] + n > x.shape()[i])
      detail::fail("slice", "begin " + vec_str(begin) + " size " + vec_str(size0) +
                                " is out of bounds for shape " + x.shape().str() + " on axis " +
                                std::to_string(i));
    out.push_back(n);
  }
  Tensor y = x.is_symbolic()
                 ? detail::emit_op("kiln.slice", {x}, {{"start", begin}}, out, x.dtype())
                 : kernels::slice(x, begin, out);
  if (floating_and_taped(x)) {
    std::vector<int64_t> high(r);
    for (int i = 0; i < r; ++i) high[i] = x.shape()[i] - begin[i] - out[i];
    detail::record_op("slice", {&x}, y, [begin, high](const Tensor& dy) -> Grads {
      return {pad(dy, begin, high)};
    });
  }
  return y;
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& low, const std::vector<int64_t>& high,
           const Loc& loc) {
  detail::ApiScope scope("pad", loc);
  check_defined("pad", x);
  int r = x.rank();
  if (static_cast<int>(low.size()) != r || static_cast<int>(high.size()) != r)
    detail::fail("pad", "low " + vec_str(low) + " and high " + vec_str(high) + " must each have " +
                            std::to_string(r) + " entries for shape " + x.shape().str());
  Shape out;
  for (int i = 0; i < r; ++i) {
    if (low[i] < 0 || high[i] < 0)
      detail::fail("pad", "negative padding low " + vec_str(low) + " high " + vec_str(high));
    out.push_back(x.shape()[i] + low[i] + high[i]);
  }
  Tensor y = x.is_symbolic() ? detail::emit_op("kiln.pad", {x}, {{"low", low}, {"high", high}},
                                               out, x.dtype())
                             : zeros(out, x.dtype());
  if (!x.is_symbolic() && x.numel() > 0) {
    size_t es = dtype_size(x.dtype());
    auto ost = contiguous_strides(out);
    int64_t inner = r ? x.shape()[r - 1] : 1;
    int64_t rows = x.numel() / inner;
    int64_t idx[kMaxRank] = {};
    const char* p = static_cast<const char*>(x.raw());
    char* q = static_cast<char*>(y.raw());
    for (int64_t row = 0; row < rows; ++row) {
      int64_t off = r ? low[r - 1] : 0;
      for (int d = 0; d < r - 1; ++d) off += (low[d] + idx[d]) * ost[d];
      std::memcpy(q + off * es, p + row * inner * es, inner * es);
      for (int d = r - 2; d >= 0; --d) {
        if (++idx[d] < x.shape()[d]) break;
        idx[d] = 0;
      }
    }
  }
  if (floating_and_taped(x))
    detail::record_op("pad", {&x}, y, [low, xs = x.shape()](const Tensor& dy) -> Grads {
      return {slice(dy, low, xs.vec())};
    });
  return y;
}

Tensor expand_dims(const Tensor& x, int axis, const Loc& loc) {
  detail::ApiScope scope("expand_dims", loc);
  check_defined("expand_dims", x);
  int a = normalize_axis("expand_dims", axis, x.rank() + 1);
  std::vector<int64_t> dims = x.shape().vec();
  dims.insert(dims.begin() + a, 1);
  return reshape(x, Shape(dims));
}

Tensor squeeze(const Tensor& x, const std::vector<int>& axes, const Loc& loc) {
  detail::ApiScope scope("squeeze", loc);
  check_defined("squeeze", x);
  std::vector<bool> drop(x.rank(), false);
  for (int ax : axes) {
    int a = normalize_axis("squeeze", ax, x.rank());
    if (x.shape()[a] != 1)
      detail::fail("squeeze", "axis " + std::to_string(ax) + " has size " +
                                  std::to_string(x.shape()[a]) + ", not 1, in shape " +
                                  x.shape().str());
    drop[a] = true;
  }
  Shape out;
  for (int i = 0; i < x.rank(); ++i)
    if (!(axes.empty() ? x.shape()[i] == 1 : drop[i])) out.push_back(x.shape()[i]);
  return reshape(x, out);
}

Tensor stack(const std::vector<Tensor>& xs, int axis, const Loc& loc) {
  detail::ApiScope scope("stack", loc);
  if (xs.empty()) detail::fail("stack", "needs at least one tensor");
  std::vector<Tensor> parts;
  for (const Tensor& t : xs) parts.push_back(expand_dims(t, axis));
  return concat(parts, axis);
}

}  // namespace kiln
