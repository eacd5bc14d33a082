// kiln::optim::Adam, tf.keras.optimizers.Adam (Kingma & Ba 2015) with TF's defaults
// (beta_1 0.9, beta_2 0.999, epsilon 1e-7, epsilon outside the square root, "epsilon hat"):
//
//   t = step + 1;  lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
//   var -= lr_t * m / (sqrt(v) + epsilon)
//
// Sparse gradients follow tf.keras Adam (not LazyAdam): duplicates are summed, then every row of
// m and v decays (m *= beta_1, v *= beta_2), the touched rows add (1 - beta_1) g and
// (1 - beta_2) g^2, and every row of var moves by lr_t m / (sqrt(v) + epsilon): rows with
// nonzero m keep moving after their gradient stops. This costs O(size of var) per step.
#pragma once

#include "kiln/optim/optimizer.h"

namespace kiln::optim {

struct AdamOptions {
  AdamOptions(double learning_rate = 0.001) : learning_rate_(learning_rate) {}  // NOLINT
  AdamOptions& learning_rate(double lr) {
    learning_rate_ = lr;
    return *this;
  }
  AdamOptions& beta_1(double b) {
    beta_1_ = b;
    return *this;
  }  // in [0, 1)
  AdamOptions& beta_2(double b) {
    beta_2_ = b;
    return *this;
  }  // in [0, 1)
  AdamOptions& epsilon(double e) {
    epsilon_ = e;
    return *this;
  }

  double learning_rate_;
  double beta_1_ = 0.9;
  double beta_2_ = 0.999;
  double epsilon_ = 1e-7;
};

// Slots: "m" ("<var>/Adam") and "v" ("<var>/Adam_1"), TF 1's names.
class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions options = {}, const Loc& loc = Loc::current());
  const AdamOptions& options() const { return options_; }

 protected:
  void apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) override;
  void apply_sparse(const IndexedSlices& grad, Variable& var,
                    std::vector<Variable>& slots) override;

 private:
  // lr_t for the step being applied, as a scalar of `dtype`.
  Tensor corrected_learning_rate(DType dtype) const;
  AdamOptions options_;
};

}  // namespace kiln::optim
