// kiln::optim::SGD: gradient descent with optional (Nesterov) momentum, tf.keras.optimizers.SGD.
//
//   dense, no momentum:  var -= lr * g                       (in place)
//   with momentum m:     accum = m * accum - lr * g;  var += accum
//   Nesterov:            accum = m * accum - lr * g;  var += m * accum - lr * g
//
// Sparse gradients (IndexedSlices) never densify. Without momentum: var[indices] -= lr * values,
// duplicates accumulating, only those rows touched. With momentum, as TensorFlow does: the
// duplicates are summed first, then only the touched rows of the accumulator and of var follow
// the recurrence above; untouched rows of the accumulator keep their value (they do not decay),
// so sparse and dense momentum differ once a row is skipped.
#pragma once

#include "kiln/optim/optimizer.h"

namespace kiln::optim {

struct SGDOptions {
  SGDOptions(double learning_rate = 0.01) : learning_rate_(learning_rate) {}  // NOLINT
  SGDOptions& learning_rate(double lr) {
    learning_rate_ = lr;
    return *this;
  }
  SGDOptions& momentum(double m) {
    momentum_ = m;
    return *this;
  }  // in [0, 1]
  SGDOptions& nesterov(bool n) {
    nesterov_ = n;
    return *this;
  }  // needs momentum > 0

  double learning_rate_;
  double momentum_ = 0;
  bool nesterov_ = false;
};

// Slot: "momentum" ("<var>/Momentum"), only when momentum > 0.
class SGD : public Optimizer {
 public:
  explicit SGD(SGDOptions options = {}, const Loc& loc = Loc::current());
  const SGDOptions& options() const { return options_; }

 protected:
  void apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) override;
  void apply_sparse(const IndexedSlices& grad, Variable& var,
                    std::vector<Variable>& slots) override;

 private:
  SGDOptions options_;
};

}  // namespace kiln::optim
