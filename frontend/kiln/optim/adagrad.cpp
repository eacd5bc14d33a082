// Adagrad's dense and sparse update rules.
#include "kiln/optim/adagrad.h"

#include "kiln/ops/indexing.h"
#include "kiln/ops/math.h"

namespace kiln::optim {

Adagrad::Adagrad(AdagradOptions options, const Loc& loc)
    : Optimizer("Adagrad", options.learning_rate_,
                {{"accumulator", "Adagrad", options.initial_accumulator_value_}}),
      options_(options) {
  kiln::detail::ApiScope api("Adagrad", loc);
  if (!(options.learning_rate_ >= 0))
    kiln::detail::fail("Adagrad",
                       "learning_rate must be >= 0, got " + std::to_string(options.learning_rate_));
  if (!(options.initial_accumulator_value_ >= 0))
    kiln::detail::fail("Adagrad", "initial_accumulator_value must be >= 0, got " +
                                      std::to_string(options.initial_accumulator_value_));
  if (!(options.epsilon_ >= 0))
    kiln::detail::fail("Adagrad", "epsilon must be >= 0, got " + std::to_string(options.epsilon_));
}

void Adagrad::apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) {
  Variable& accum = slots[0];
  accum.assign_add(square(grad));
  Tensor update = grad * learning_rate() / (sqrt(accum.value()) + options_.epsilon_);
  var.assign_sub(update);
}

void Adagrad::apply_sparse(const IndexedSlices& grad, Variable& var, std::vector<Variable>& slots) {
  IndexedSlices g = grad.coalesce();
  Variable& accum = slots[0];
  accum.scatter_add(g.indices, square(g.values));
  Tensor rows = gather(accum.value(), g.indices);
  var.scatter_sub(g.indices, g.values * learning_rate() / (sqrt(rows) + options_.epsilon_));
}

}  // namespace kiln::optim
