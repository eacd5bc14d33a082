// Reduction primitives (sum, max, min, argmax, top_k) with gradient rules, and the
// composites mean, logsumexp and sum_to.
#include "kiln/ops/reduce.h"

#include <algorithm>

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/reduce.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/math.h"
#include "kiln/ops/shape_ops.h"
#include "kiln/tracing.h"

namespace kiln {
namespace {

using Grads = std::vector<Gradient>;

// Normalizes axes (negative, duplicates) into a mask; empty means all axes.
std::vector<bool> axis_mask(const char* op, const Tensor& x, const Axes& axes) {
  std::vector<bool> mask(x.rank(), axes.empty());
  for (int a : axes) {
    int n = a < 0 ? a + x.rank() : a;
    if (n < 0 || n >= x.rank())
      detail::fail(op, "axis " + std::to_string(a) + " is out of range for a tensor of rank " +
                           std::to_string(x.rank()) + " (shape " + x.shape().str() + ")");
    mask[n] = true;
  }
  return mask;
}

Shape keep_shape(const Shape& s, const std::vector<bool>& mask) {
  Shape out;
  for (int i = 0; i < s.rank(); ++i) out.push_back(mask[i] ? 1 : s[i]);
  return out;
}

Shape drop_shape(const Shape& s, const std::vector<bool>& mask) {
  Shape out;
  for (int i = 0; i < s.rank(); ++i)
    if (!mask[i]) out.push_back(s[i]);
  return out;
}

Tensor reduce_prim(kernels::Reduce op, const char* nm, const Tensor& x, const Axes& axes,
                   bool keepdims) {
  if (!x.defined()) detail::fail(nm, "operand is an undefined tensor");
  if (x.dtype() == boolean) detail::fail(nm, "not defined for bool tensors; cast first");
  auto mask = axis_mask(nm, x, axes);
  if (op != kernels::Reduce::sum)
    for (int i = 0; i < x.rank(); ++i)
      if (mask[i] && x.shape()[i] == 0)
        detail::fail(nm, "cannot reduce over an empty axis " + std::to_string(i) + " of shape " +
                             x.shape().str());
  Shape ks = keep_shape(x.shape(), mask);
  Shape ds = drop_shape(x.shape(), mask);
  Tensor kept, y;
  if (x.is_symbolic()) {
    // The dialect's reductions drop the reduced axes; keepdims is a reshape.
    std::vector<int64_t> axes_attr;
    for (int i = 0; i < x.rank(); ++i)
      if (mask[i]) axes_attr.push_back(i);
    static const char* names[] = {"kiln.reduce_sum", "kiln.reduce_max", "kiln.reduce_min"};
    Tensor dropped = detail::emit_op(names[static_cast<int>(op)], {x}, {{"axes", axes_attr}}, ds,
                                     x.dtype());
    kept = ks == ds ? dropped : detail::emit_op("kiln.reshape", {dropped}, {}, ks, x.dtype());
    y = keepdims ? kept : dropped;
  } else {
    kept = kernels::reduce(op, x, mask);
    y = keepdims ? kept : Tensor::alias(kept, ds);
  }
  if (!detail::tapes_active() || !is_floating(x.dtype())) return y;
  if (op == kernels::Reduce::sum) {
    detail::record_op(nm, {&x}, y, [ks, xs = x.shape()](const Tensor& dy) -> Grads {
      return {broadcast_to(reshape(dy, ks), xs)};
    });
  } else {
    // The gradient is shared equally among the positions that hold the extreme value.
    detail::record_op(nm, {&x}, y, [x, kept, ks, mask](const Tensor& dy) -> Grads {
      Tensor hit = cast(equal(x, kept), x.dtype());
      Axes ax;
      for (int i = 0; i < x.rank(); ++i)
        if (mask[i]) ax.push_back(i);
      Tensor count = sum(hit, ax, /*keepdims=*/true);
      return {hit * (reshape(dy, ks) / count)};
    });
  }
  return y;
}

}  // namespace

Tensor sum(const Tensor& x, const Axes& axes, bool keepdims, const Loc& loc) {
  detail::ApiScope scope("sum", loc);
  return reduce_prim(kernels::Reduce::sum, "sum", x, axes, keepdims);
}

Tensor max(const Tensor& x, const Axes& axes, bool keepdims, const Loc& loc) {
  detail::ApiScope scope("max", loc);
  return reduce_prim(kernels::Reduce::max, "max", x, axes, keepdims);
}

Tensor min(const Tensor& x, const Axes& axes, bool keepdims, const Loc& loc) {
  detail::ApiScope scope("min", loc);
  return reduce_prim(kernels::Reduce::min, "min", x, axes, keepdims);
}

Tensor mean(const Tensor& x, const Axes& axes, bool keepdims, const Loc& loc) {
  detail::ApiScope scope("mean", loc);
  if (x.defined() && !is_floating(x.dtype()))
    detail::fail("mean", "expected a floating-point tensor, got " +
                             std::string(dtype_name(x.dtype())));
  auto mask = axis_mask("mean", x, axes);
  int64_t n = 1;
  for (int i = 0; i < x.rank(); ++i)
    if (mask[i]) n *= x.shape()[i];
  return sum(x, axes, keepdims) / static_cast<double>(n);
}

Tensor argmax(const Tensor& x, int axis, const Loc& loc) {
  detail::ApiScope scope("argmax", loc);
  if (!x.defined()) detail::fail("argmax", "operand is an undefined tensor");
  int a = axis < 0 ? axis + x.rank() : axis;
  if (a < 0 || a >= x.rank())
    detail::fail("argmax", "axis " + std::to_string(axis) + " is out of range for a tensor of rank " +
                               std::to_string(x.rank()) + " (shape " + x.shape().str() + ")");
  if (x.shape()[a] == 0) detail::fail("argmax", "cannot take argmax over an empty axis");
  if (x.is_symbolic()) {
    Shape out;
    for (int i = 0; i < x.rank(); ++i)
      if (i != a) out.push_back(x.shape()[i]);
    return detail::emit_op("kiln.argmax", {x}, {{"axis", int64_t{a}}}, out, i64);
  }
  return kernels::argmax(x, a);
}

TopK top_k(const Tensor& x, int64_t k, const Loc& loc) {
  detail::ApiScope scope("top_k", loc);
  if (!x.defined()) detail::fail("top_k", "operand is an undefined tensor");
  if (x.dtype() == boolean) detail::fail("top_k", "not defined for bool tensors; cast first");
  if (x.rank() < 1) detail::fail("top_k", "needs a tensor of rank >= 1, got a scalar");
  int last = x.rank() - 1;
  int64_t n = x.shape()[last];
  if (k < 1 || k > n)
    detail::fail("top_k", "k = " + std::to_string(k) + " is not in [1, " + std::to_string(n) +
                              "] (the size of the last axis of shape " + x.shape().str() + ")");
  Shape out = x.shape();
  out[last] = k;
  TopK r;
  if (x.is_symbolic()) {
    std::pair<Shape, DType> results[2] = {{out, x.dtype()}, {out, i64}};
    std::vector<detail::TraceAttr> attrs = {{"k", k}};
    std::vector<Tensor> ys = detail::active_trace_sink()->emit(
        "kiln.top_k", std::span<const Tensor>(&x, 1), attrs, results);
    r = {ys[0], ys[1]};
  } else {
    kernels::TopK y = kernels::top_k(x, k);
    r = {y.values, y.indices};
  }
  if (!detail::tapes_active() || !is_floating(x.dtype())) return r;
  // d values / d x: dy scattered to the selected positions of a flat view of x, each
  // row's indices offset by row * n. Built from primitives, so it traces and differentiates.
  detail::record_op(
      "top_k", {&x}, r.values, [xs = x.shape(), n, k, idx = r.indices](const Tensor& dy) -> Grads {
        int64_t rows = xs.numel() / n;
        Tensor offsets = reshape(
            arange(0, static_cast<double>(rows * n), static_cast<double>(n), i64), Shape{rows, 1});
        Tensor flat = reshape(reshape(idx, Shape{rows, k}) + offsets, Shape{rows * k});
        Tensor g =
            scatter_add(zeros(Shape{rows * n}, dy.dtype()), flat, reshape(dy, Shape{rows * k}));
        return {reshape(g, xs)};
      });
  return r;
}

Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdims, const Loc& loc) {
  detail::ApiScope scope("logsumexp", loc);
  Tensor m = stop_gradient(max(x, axes, /*keepdims=*/true));
  Tensor r = log(sum(exp(x - m), axes, /*keepdims=*/true)) + m;
  if (keepdims) return r;
  auto mask = axis_mask("logsumexp", x, axes);
  return reshape(r, drop_shape(x.shape(), mask));
}

Tensor sum_to(const Tensor& x, const Shape& shape, const Loc& loc) {
  detail::ApiScope scope("sum_to", loc);
  if (x.shape() == shape) return x;
  Shape check;
  if (!broadcast_shapes(shape, x.shape(), &check) || !(check == x.shape()))
    detail::fail("sum_to", "cannot sum shape " + x.shape().str() + " down to " + shape.str());
  Axes axes;
  int lead = x.rank() - shape.rank();
  for (int i = 0; i < x.rank(); ++i)
    if (i < lead || (shape[i - lead] == 1 && x.shape()[i] != 1)) axes.push_back(i);
  Tensor s = axes.empty() ? x : sum(x, axes, /*keepdims=*/true);
  return reshape(s, shape);
}

}  // namespace kiln
