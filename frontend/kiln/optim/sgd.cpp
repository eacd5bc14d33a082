// SGD's dense and sparse update rules.
#include "kiln/optim/sgd.h"

#include "kiln/ops/indexing.h"
#include "kiln/ops/math.h"

namespace kiln::optim {

SGD::SGD(SGDOptions options, const Loc& loc)
    : Optimizer("SGD", options.learning_rate_,
                options.momentum_ > 0 ? std::vector<SlotSpec>{{"momentum", "Momentum", 0.0}}
                                      : std::vector<SlotSpec>{}),
      options_(options) {
  kiln::detail::ApiScope api("SGD", loc);
  if (!(options.learning_rate_ >= 0))
    kiln::detail::fail("SGD",
                       "learning_rate must be >= 0, got " + std::to_string(options.learning_rate_));
  if (!(options.momentum_ >= 0 && options.momentum_ <= 1))
    kiln::detail::fail("SGD",
                       "momentum must be in [0, 1], got " + std::to_string(options.momentum_));
  if (options.nesterov_ && options.momentum_ == 0)
    kiln::detail::fail("SGD", "nesterov needs momentum > 0");
}

void SGD::apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) {
  double lr = learning_rate(), m = options_.momentum_;
  if (slots.empty()) {
    var.assign_sub(grad * lr);
    return;
  }
  Variable& accum = slots[0];
  Tensor a = accum.value() * m - grad * lr;
  accum.assign(a);
  if (options_.nesterov_)
    var.assign_add(a * m - grad * lr);
  else
    var.assign_add(a);
}

void SGD::apply_sparse(const IndexedSlices& grad, Variable& var, std::vector<Variable>& slots) {
  double lr = learning_rate(), m = options_.momentum_;
  if (slots.empty()) {
    var.scatter_sub(grad.indices, grad.values * lr);
    return;
  }
  IndexedSlices g = grad.coalesce();  // unique rows: each row's recurrence runs once
  Variable& accum = slots[0];
  Tensor rows = gather(accum.value(), g.indices);
  Tensor a = rows * m - g.values * lr;
  // Row assignment with two exact scatters (the indices are unique): rows - rows = 0, 0 + a = a.
  accum.scatter_sub(g.indices, rows);
  accum.scatter_add(g.indices, a);
  if (options_.nesterov_)
    var.scatter_add(g.indices, a * m - g.values * lr);
  else
    var.scatter_add(g.indices, a);
}

}  // namespace kiln::optim
