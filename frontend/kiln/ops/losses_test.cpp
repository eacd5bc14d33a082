// Tests for the losses against their closed forms: Huber on both sides of delta,
// sigmoid cross-entropy (stable at +-100 logits), softmax cross-entropy, and
// squared_difference; errors inside a loss name the loss.
#include "kiln/ops/losses.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kiln/ops/math.h"
#include "kiln/ops/nn.h"
#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::at;
using ::kiln::testing::error_and_line;
using ::kiln::testing::error_of;
using ::kiln::testing::values_near;

TEST(HuberLoss, QuadraticInsideDeltaLinearOutside) {
  Tensor labels = constant({0.0, 0.0, 0.0, 0.0, 1.0, 2.0});
  Tensor preds = constant({0.5, -0.5, 2.0, -3.0, 2.0, 2.0});
  // t = labels - preds; 0.5 t^2 for |t| <= 1, else |t| - 0.5.
  EXPECT_TRUE(values_near(huber_loss(labels, preds), {6}, {0.125, 0.125, 1.5, 2.5, 0.5, 0}, 1e-15));
  // delta = 2: 0.5 t^2 for |t| <= 2, else 2 (|t| - 1).
  EXPECT_TRUE(
      values_near(huber_loss(labels, preds, 2.0), {6}, {0.125, 0.125, 2.0, 4.0, 0.5, 0}, 1e-15));
  // float32, broadcast labels.
  Tensor l32 = constant({{1.f}, {-1.f}});
  Tensor p32 = constant({1.25f, 4.f});
  std::vector<double> want;
  for (double l : {1.0, -1.0})
    for (double p : {1.25, 4.0}) {
      double t = std::abs(l - p);
      want.push_back(t <= 1.5 ? 0.5 * t * t : 1.5 * (t - 0.75));
    }
  EXPECT_TRUE(values_near(huber_loss(l32, p32, 1.5), {2, 2}, want, 1e-6));
}

TEST(HuberLoss, ErrorsNameTheLoss) {
  auto [e, line] = error_and_line([] { huber_loss(zeros({2}), zeros({2}), 0.0); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "huber_loss: delta must be > 0, got 0.000000" + at(__FILE__, line, "huber_loss"));
  auto [m, l2] = error_and_line([] { huber_loss(zeros({2}), zeros({2}, f64)); }, __LINE__);
  EXPECT_EQ(std::string(m.what()),
            "subtract: dtype mismatch: float32 and float64 (kiln does not convert implicitly; "
            "cast one operand)" +
                at(__FILE__, l2, "huber_loss"));
}

TEST(SquaredDifference, IsElementwise) {
  EXPECT_TRUE(values_near(squared_difference(constant({1.0, 2.0}), constant({{4.0}, {-1.0}})),
                          {2, 2}, {9, 4, 4, 9}, 0));
}

// -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)), with log(sigmoid(x)) written stably.
double sigmoid_ce_ref(double z, double x) {
  auto log_sigmoid = [](double v) {
    return v >= 0 ? -std::log1p(std::exp(-v)) : v - std::log1p(std::exp(v));
  };
  return -z * log_sigmoid(x) - (1 - z) * log_sigmoid(-x);
}

TEST(SigmoidCrossEntropy, MatchesTheDefinitionAndIsStableAtExtremeLogits) {
  std::vector<double> z = {1, 0, 1, 0, 0.3, 0.5, 1, 0};
  std::vector<double> x = {100, 100, -100, -100, 100, 0, 2.5, -1.25};
  std::vector<double> want;
  for (size_t i = 0; i < z.size(); ++i) want.push_back(sigmoid_ce_ref(z[i], x[i]));
  EXPECT_TRUE(values_near(sigmoid_cross_entropy_with_logits(constant(z), constant(x)), {8}, want,
                          1e-14, 1e-300));
  // float32: e^-100 underflows to a subnormal; nothing overflows.
  std::vector<float> z32(z.begin(), z.end()), x32(x.begin(), x.end());
  Tensor l = sigmoid_cross_entropy_with_logits(constant(z32), constant(x32));
  EXPECT_TRUE(values_near(l, {8}, want, 1e-6, 1e-30));
  auto [e, line] =
      error_and_line([] { sigmoid_cross_entropy_with_logits(zeros({2}), zeros({3})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "sigmoid_cross_entropy_with_logits: labels (2,) and logits (3,) must have the same "
            "shape" +
                at(__FILE__, line, "sigmoid_cross_entropy_with_logits"));
}

// -sum_j z_j log softmax(x)_j along the last axis of a (rows, cols) matrix.
std::vector<double> softmax_ce_ref(const std::vector<double>& z, const std::vector<double>& x,
                                   int rows, int cols) {
  std::vector<double> out;
  for (int r = 0; r < rows; ++r) {
    double m = -HUGE_VAL;
    for (int c = 0; c < cols; ++c) m = std::max(m, x[r * cols + c]);
    double s = 0;
    for (int c = 0; c < cols; ++c) s += std::exp(x[r * cols + c] - m);
    double loss = 0;
    for (int c = 0; c < cols; ++c) loss -= z[r * cols + c] * (x[r * cols + c] - m - std::log(s));
    out.push_back(loss);
  }
  return out;
}

TEST(SoftmaxCrossEntropy, OneLossPerRowAndStable) {
  std::vector<double> z = {1, 0, 0, 0.2, 0.3, 0.5, 0, 1, 0, 1, 0, 0};
  std::vector<double> x = {1, 2, 3, -1, 0.5, 2, 1000, 0, -1000, 1000, 0, -1000};
  std::vector<double> want = softmax_ce_ref(z, x, 4, 3);
  Tensor y = softmax_cross_entropy_with_logits(constant(z, Shape{4, 3}), constant(x, Shape{4, 3}));
  EXPECT_TRUE(values_near(y, {4}, want, 1e-14, 1e-14));
  EXPECT_NEAR(want[2], 1000, 1e-12);  // the oracle agrees with the closed form
  EXPECT_NEAR(want[3], 0, 1e-12);
  // Rank 3: the last axis only.
  Tensor y3 =
      softmax_cross_entropy_with_logits(constant(z, Shape{2, 2, 3}), constant(x, Shape{2, 2, 3}));
  EXPECT_TRUE(values_near(y3, {2, 2}, want, 1e-14, 1e-14));
  EXPECT_EQ(error_of([] {
              softmax_cross_entropy_with_logits(zeros({2, 3}), zeros({3, 2}));
            }).detail(),
            "labels (2, 3) and logits (3, 2) must have the same shape");
}

TEST(Softmax, RowsSumToOneAndMatchTheDefinition) {
  Tensor x = constant({{1.0, 2.0, 3.0}, {1000.0, 1000.0, 0.0}});
  double e = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_TRUE(values_near(softmax(x), {2, 3},
                          {std::exp(1.0) / e, std::exp(2.0) / e, std::exp(3.0) / e, 0.5, 0.5, 0},
                          1e-15, 1e-300));
  EXPECT_TRUE(values_near(log_softmax(x), {2, 3},
                          {1 - std::log(e), 2 - std::log(e), 3 - std::log(e), -std::log(2.0),
                           -std::log(2.0), -1000 - std::log(2.0)},
                          1e-14, 2e-13));  // 1000 - (1000 + log 2) keeps ulp(1000) accuracy
}

}  // namespace
}  // namespace kiln
