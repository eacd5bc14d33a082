// The matmul primitive and its gradient rule.
#include "kiln/ops/linalg.h"

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/matmul.h"
#include "kiln/ops/reduce.h"
#include "kiln/ops/shape_ops.h"
#include "kiln/tracing.h"

namespace kiln {
namespace {

using Grads = std::vector<Gradient>;

Tensor swap_last(const Tensor& t) {
  std::vector<int> perm(t.rank());
  for (int i = 0; i < t.rank(); ++i) perm[i] = i;
  std::swap(perm[t.rank() - 1], perm[t.rank() - 2]);
  return transpose(t, perm);
}

}  // namespace

Tensor matmul(const Tensor& a0, const Tensor& b0, bool transpose_a, bool transpose_b,
              const Loc& loc) {
  detail::ApiScope scope("matmul", loc);
  if (!a0.defined() || !b0.defined()) detail::fail("matmul", "an operand is an undefined tensor");
  if (a0.rank() < 2 || b0.rank() < 2)
    detail::fail("matmul", "operands must have rank >= 2, got shapes " + a0.shape().str() +
                               " and " + b0.shape().str() + " (reshape vectors to matrices)");
  if (a0.dtype() != b0.dtype())
    detail::fail("matmul", "dtype mismatch: " + std::string(dtype_name(a0.dtype())) + " and " +
                               std::string(dtype_name(b0.dtype())));
  if (a0.dtype() == boolean) detail::fail("matmul", "not defined for bool tensors");
  Tensor a = transpose_a ? swap_last(a0) : a0;
  Tensor b = transpose_b ? swap_last(b0) : b0;
  int ra = a.rank(), rb = b.rank();
  int64_t K = a.shape()[ra - 1];
  if (b.shape()[rb - 2] != K)
    detail::fail("matmul", "inner dimensions differ: " + a.shape().str() + " x " +
                               b.shape().str() + " (" + std::to_string(K) + " vs " +
                               std::to_string(b.shape()[rb - 2]) + ")");
  Shape ba(std::span<const int64_t>(a.shape().begin(), a.shape().end() - 2));
  Shape bb(std::span<const int64_t>(b.shape().begin(), b.shape().end() - 2));
  Shape batch;
  if (!broadcast_shapes(ba, bb, &batch))
    detail::fail("matmul", "batch dimensions " + ba.str() + " and " + bb.str() +
                               " are not broadcastable");
  Shape out = batch;
  out.push_back(a.shape()[ra - 2]);
  out.push_back(b.shape()[rb - 1]);
  Tensor y;
  if (detail::any_symbolic({&a, &b})) {
    // The dialect's matmul needs identical batch dimensions: broadcast them first.
    auto full = [&](const Tensor& t) {
      Shape s = batch;
      s.push_back(t.shape()[t.rank() - 2]);
      s.push_back(t.shape()[t.rank() - 1]);
      if (t.shape() == s) return t;
      NoGradGuard no_tape;
      return broadcast_to(t, s);
    };
    y = detail::emit_op("kiln.matmul", {full(a), full(b)}, {}, out, a.dtype());
  } else {
    y = kernels::matmul(a, b, out);
  }
  if (detail::tapes_active() && is_floating(a.dtype())) {
    detail::record_op("matmul", {&a, &b}, y, [a, b](const Tensor& dy) -> Grads {
      return {sum_to(matmul(dy, b, false, true), a.shape()),
              sum_to(matmul(a, dy, true, false), b.shape())};
    });
  }
  return y;
}

}  // namespace kiln
