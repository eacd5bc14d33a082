// The CS20 linear model and its three losses, written as a Kiln user would write them.
#include "huber/huber_model.h"

#include <array>
#include <utility>

namespace huber {
namespace {

constexpr std::array<std::pair<LossKind, std::string_view>, 3> kLossNames = {{
    {LossKind::kCs20Huber, "cs20-huber"},
    {LossKind::kHuber, "huber"},
    {LossKind::kSquared, "squared"},
}};

}  // namespace

std::string_view loss_kind_name(LossKind kind) {
  for (const auto& [k, name] : kLossNames)
    if (k == kind) return name;
  return "?";
}

std::optional<LossKind> parse_loss_kind(std::string_view name) {
  for (const auto& [k, n] : kLossNames)
    if (n == name) return k;
  return std::nullopt;
}

std::vector<std::string_view> loss_kind_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : kLossNames) names.push_back(entry.second);
  return names;
}

kiln::Tensor cs20_huber_loss(const kiln::Tensor& y, const kiln::Tensor& y_predicted, double m) {
  kiln::Tensor t = y - y_predicted;
  kiln::Tensor abs_t = kiln::abs(t);
  return kiln::where(abs_t <= m, kiln::square(t), m * (2.0 * abs_t - m));
}

HuberRegression::HuberRegression(LossKind loss, double delta)
    : Module("huber"), loss_kind_(loss), delta_(delta) {
  w = register_variable("w", kiln::zeros({}));
  b = register_variable("b", kiln::zeros({}));
}

kiln::Tensor HuberRegression::predict(const kiln::Tensor& x) const { return x * w + b; }

kiln::Tensor HuberRegression::loss(const kiln::Tensor& x, const kiln::Tensor& y) const {
  kiln::Tensor y_predicted = predict(x);
  switch (loss_kind_) {
    case LossKind::kCs20Huber:
      return cs20_huber_loss(y, y_predicted, /*m=*/delta_);
    case LossKind::kHuber:
      return kiln::huber_loss(y, y_predicted, delta_);
    case LossKind::kSquared:
      return kiln::squared_difference(y, y_predicted);
  }
  return {};
}

}  // namespace huber
