// custom_gradient's recording step.
#include "kiln/autodiff/functions.h"

namespace kiln::detail {

Tensor apply_custom_gradient(const std::vector<Tensor>& inputs,
                             const std::function<std::pair<Tensor, BackwardFn>()>& forward) {
  std::pair<Tensor, BackwardFn> r;
  {
    NoGradGuard no_grad;
    r = forward();
  }
  // A fresh identity for the output, so the entry is not confused with inner values
  // (stop_gradient also keeps it a value of the trace when tracing).
  Tensor y = stop_gradient(r.first);
  size_t n = inputs.size();
  BackwardFn user = std::move(r.second);
  record_op("custom_gradient", inputs, y, [user = std::move(user), n](const Tensor& dy) {
    std::vector<Gradient> g = user(dy);
    if (g.size() != n)
      fail("custom_gradient", "the backward function returned " + std::to_string(g.size()) +
                                  " gradients for " + std::to_string(n) + " inputs");
    return g;
  });
  return y;
}

}  // namespace kiln::detail
