// The linear model of Stanford CS20 lecture 4, y ≈ x·w + b, and the losses it is trained with:
// the lecture's Huber loss, Kiln's standard Huber loss, and the squared error.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "kiln/kiln.h"
#include "kiln/nn/module.h"

namespace huber {

enum class LossKind {
  kCs20Huber,  // the lecture's form: t² if |t| <= m, else m·(2|t| - m)
  kHuber,      // kiln::huber_loss: ½t² if |t| <= delta, else delta·(|t| - ½delta)
  kSquared,    // kiln::squared_difference: t²
};

// "cs20-huber", "huber", "squared".
std::string_view loss_kind_name(LossKind kind);
std::optional<LossKind> parse_loss_kind(std::string_view name);
// Every kind's name, for help texts and validation.
std::vector<std::string_view> loss_kind_names();

// The Huber loss exactly as the CS20 eager example writes it (t = y - ŷ, m = 1 there):
// quadratic t² near zero and linear m·(2|t| - m) beyond m, which is twice kiln::huber_loss.
kiln::Tensor cs20_huber_loss(const kiln::Tensor& y, const kiln::Tensor& y_predicted,
                             double m = 1.0);

// One weight and one bias, both starting at 0, named "huber/w" and "huber/b".
class HuberRegression : public kiln::nn::Module {
 public:
  explicit HuberRegression(LossKind loss = LossKind::kCs20Huber, double delta = 1.0);

  kiln::Tensor predict(const kiln::Tensor& x) const;
  // The loss of predict(x) against y, elementwise (a scalar for one example).
  kiln::Tensor loss(const kiln::Tensor& x, const kiln::Tensor& y) const;

  kiln::Variable w, b;

 private:
  LossKind loss_kind_;
  double delta_;
};

}  // namespace huber
