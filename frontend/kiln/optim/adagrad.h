// kiln::optim::Adagrad, tf.keras.optimizers.Adagrad (Duchi et al. 2011):
//
//   accum += g^2;  var -= lr * g / (sqrt(accum) + epsilon)
//
// with accum starting at initial_accumulator_value (0.1) and epsilon = 1e-7, TF's defaults.
// Sparse gradients: duplicate indices are summed first (g^2 of the sum, as TF), then only the
// touched rows of accum and var change.
#pragma once

#include "kiln/optim/optimizer.h"

namespace kiln::optim {

struct AdagradOptions {
  AdagradOptions(double learning_rate = 0.001) : learning_rate_(learning_rate) {}  // NOLINT
  AdagradOptions& learning_rate(double lr) {
    learning_rate_ = lr;
    return *this;
  }
  AdagradOptions& initial_accumulator_value(double v) {
    initial_accumulator_value_ = v;
    return *this;
  }
  AdagradOptions& epsilon(double e) {
    epsilon_ = e;
    return *this;
  }

  double learning_rate_;
  double initial_accumulator_value_ = 0.1;
  double epsilon_ = 1e-7;
};

// Slot: "accumulator" ("<var>/Adagrad").
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(AdagradOptions options = {}, const Loc& loc = Loc::current());
  const AdagradOptions& options() const { return options_; }

 protected:
  void apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) override;
  void apply_sparse(const IndexedSlices& grad, Variable& var,
                    std::vector<Variable>& slots) override;

 private:
  AdagradOptions options_;
};

}  // namespace kiln::optim
