// softmax and log_softmax, stable, from primitives.
#include "kiln/ops/nn.h"

#include "kiln/autodiff/tape.h"
#include "kiln/ops/math.h"

namespace kiln {

Tensor softmax(const Tensor& logits, int axis, const Loc& loc) {
  detail::ApiScope scope("softmax", loc);
  Tensor e = exp(logits - stop_gradient(max(logits, {axis}, /*keepdims=*/true)));
  return e / sum(e, {axis}, /*keepdims=*/true);
}

Tensor log_softmax(const Tensor& logits, int axis, const Loc& loc) {
  detail::ApiScope scope("log_softmax", loc);
  return logits - logsumexp(logits, {axis}, /*keepdims=*/true);
}

}  // namespace kiln
