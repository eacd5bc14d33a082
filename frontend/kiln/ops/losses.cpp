// Losses composed from primitives; their gradients come from the primitives' rules.
#include "kiln/ops/losses.h"

#include "kiln/ops/math.h"
#include "kiln/ops/nn.h"
#include "kiln/ops/reduce.h"

namespace kiln {

Tensor huber_loss(const Tensor& labels, const Tensor& predictions, double delta, const Loc& loc) {
  detail::ApiScope scope("huber_loss", loc);
  if (!(delta > 0)) detail::fail("huber_loss", "delta must be > 0, got " + std::to_string(delta));
  Tensor t = labels - predictions;
  Tensor a = abs(t);
  Tensor quadratic = 0.5 * square(t);
  Tensor linear = delta * (a - 0.5 * delta);
  return where(a <= delta, quadratic, linear);
}

Tensor squared_difference(const Tensor& a, const Tensor& b, const Loc& loc) {
  detail::ApiScope scope("squared_difference", loc);
  return square(a - b);
}

Tensor sigmoid_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits,
                                         const Loc& loc) {
  detail::ApiScope scope("sigmoid_cross_entropy_with_logits", loc);
  if (labels.defined() && logits.defined() && !(labels.shape() == logits.shape()))
    detail::fail("sigmoid_cross_entropy_with_logits",
                 "labels " + labels.shape().str() + " and logits " + logits.shape().str() +
                     " must have the same shape");
  // max(x, 0) - x z + log(1 + e^-|x|): no overflow for any x (TensorFlow's form). Both kinks
  // pick the x >= 0 side, so that at x = 0 (a zero-initialized model) their gradients add up
  // to the true sigmoid(0) - z; relu and abs each take 0 there, which would give -z.
  Tensor nonneg = logits >= 0.0;
  Tensor relu_logits = where(nonneg, logits, zeros_like(logits));
  Tensor neg_abs_logits = where(nonneg, -logits, logits);
  return relu_logits - logits * labels + log1p(exp(neg_abs_logits));
}

Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits,
                                         const Loc& loc) {
  detail::ApiScope scope("softmax_cross_entropy_with_logits", loc);
  if (labels.defined() && logits.defined() && !(labels.shape() == logits.shape()))
    detail::fail("softmax_cross_entropy_with_logits",
                 "labels " + labels.shape().str() + " and logits " + logits.shape().str() +
                     " must have the same shape");
  return -sum(labels * log_softmax(logits, -1), {-1});
}

}  // namespace kiln
