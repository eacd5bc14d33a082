// Adam's bias-corrected step size and its dense and sparse update rules.
#include "kiln/optim/adam.h"

#include "kiln/ops/math.h"

namespace kiln::optim {

Adam::Adam(AdamOptions options, const Loc& loc)
    : Optimizer("Adam", options.learning_rate_, {{"m", "Adam", 0.0}, {"v", "Adam_1", 0.0}}),
      options_(options) {
  kiln::detail::ApiScope api("Adam", loc);
  if (!(options.learning_rate_ >= 0))
    kiln::detail::fail("Adam",
                       "learning_rate must be >= 0, got " + std::to_string(options.learning_rate_));
  if (!(options.beta_1_ >= 0 && options.beta_1_ < 1) ||
      !(options.beta_2_ >= 0 && options.beta_2_ < 1))
    kiln::detail::fail("Adam", "beta_1 and beta_2 must be in [0, 1), got " +
                                   std::to_string(options.beta_1_) + " and " +
                                   std::to_string(options.beta_2_));
  if (!(options.epsilon_ >= 0))
    kiln::detail::fail("Adam", "epsilon must be >= 0, got " + std::to_string(options.epsilon_));
}

Tensor Adam::corrected_learning_rate(DType dtype) const {
  // From the step variable, not a C++ counter, so a traced step stays correct when replayed.
  Tensor t = local_step(dtype);
  Tensor beta_1_power = pow(scalar_like(options_.beta_1_, t), t);
  Tensor beta_2_power = pow(scalar_like(options_.beta_2_, t), t);
  return learning_rate() * (sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power));
}

void Adam::apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) {
  Variable& m = slots[0];
  Variable& v = slots[1];
  Tensor lr_t = corrected_learning_rate(var.dtype());
  Tensor dm = (grad - m.value()) * (1.0 - options_.beta_1_);
  m.assign_add(dm);
  Tensor dv = (square(grad) - v.value()) * (1.0 - options_.beta_2_);
  v.assign_add(dv);
  Tensor update = m.value() * lr_t / (sqrt(v.value()) + options_.epsilon_);
  var.assign_sub(update);
}

void Adam::apply_sparse(const IndexedSlices& grad, Variable& var, std::vector<Variable>& slots) {
  IndexedSlices g = grad.coalesce();  // v needs the square of each row's summed gradient
  Variable& m = slots[0];
  Variable& v = slots[1];
  Tensor lr_t = corrected_learning_rate(var.dtype());
  Tensor m_decayed = m.value() * options_.beta_1_;
  m.assign(m_decayed);
  m.scatter_add(g.indices, g.values * (1.0 - options_.beta_1_));
  Tensor v_decayed = v.value() * options_.beta_2_;
  v.assign(v_decayed);
  v.scatter_add(g.indices, square(g.values) * (1.0 - options_.beta_2_));
  Tensor update = m.value() * lr_t / (sqrt(v.value()) + options_.epsilon_);
  var.assign_sub(update);
}

}  // namespace kiln::optim
