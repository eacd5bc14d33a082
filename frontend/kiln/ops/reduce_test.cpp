// Tests for reductions (sum, mean, max, min over any axes, keepdims, negative axes),
// argmax, top_k, logsumexp and sum_to against float64 loops written here.
#include "kiln/ops/reduce.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kiln/ops/math.h"
#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::at;
using ::kiln::testing::error_and_line;
using ::kiln::testing::error_of;
using ::kiln::testing::values_equal;
using ::kiln::testing::values_near;
using ::testing::ElementsAre;

constexpr int64_t D0 = 2, D1 = 3, D2 = 4;

// x[i][j][k] for a (2, 3, 4) tensor, row-major.
std::vector<double> sample(unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-2, 2);
  std::vector<double> v(D0 * D1 * D2);
  for (double& x : v) x = static_cast<float>(u(gen));  // exactly representable in float32
  return v;
}

// Reduces the (2, 3, 4) values over the axes marked in `mask` with `f` from `init`;
// the result is row-major over the kept axes.
std::vector<double> reduce_ref(const std::vector<double>& v, const bool mask[3], double init,
                               const std::function<double(double, double)>& f) {
  int64_t n0 = mask[0] ? 1 : D0, n1 = mask[1] ? 1 : D1, n2 = mask[2] ? 1 : D2;
  std::vector<double> r(n0 * n1 * n2, init);
  for (int64_t i = 0; i < D0; ++i)
    for (int64_t j = 0; j < D1; ++j)
      for (int64_t k = 0; k < D2; ++k) {
        int64_t o = ((mask[0] ? 0 : i) * n1 + (mask[1] ? 0 : j)) * n2 + (mask[2] ? 0 : k);
        r[o] = f(r[o], v[(i * D1 + j) * D2 + k]);
      }
  return r;
}

TEST(Reduce, EveryAxisSubsetWithAndWithoutKeepdims) {
  std::vector<double> v = sample(3);
  Tensor x = constant(v, Shape{D0, D1, D2});
  Tensor x64 = cast(x, f64);
  const double inf = HUGE_VAL;
  for (int bits = 0; bits < 8; ++bits) {
    bool mask[3] = {bool(bits & 1), bool(bits & 2), bool(bits & 4)};
    Axes axes;
    Shape keep, drop;
    int64_t n = 1;
    for (int a = 0; a < 3; ++a) {
      int64_t d = Shape{D0, D1, D2}[a];
      if (mask[a]) {
        // Alternate positive and negative spellings of the same axis.
        axes.push_back(a % 2 ? a - 3 : a);
        n *= d;
      } else {
        drop.push_back(d);
      }
      keep.push_back(mask[a] ? 1 : d);
    }
    if (axes.empty()) continue;  // empty means "all": covered below
    SCOPED_TRACE("axes mask " + std::to_string(bits));
    auto sums = reduce_ref(v, mask, 0, [](double a, double b) { return a + b; });
    auto maxes = reduce_ref(v, mask, -inf, [](double a, double b) { return std::max(a, b); });
    auto mins = reduce_ref(v, mask, inf, [](double a, double b) { return std::min(a, b); });
    std::vector<double> means = sums;
    for (double& m : means) m /= static_cast<double>(n);

    // float32 sums accumulate in float32: up to 24 roundings of values below 48.
    EXPECT_TRUE(values_near(sum(x, axes), drop, sums, 0, 1e-5));
    EXPECT_TRUE(values_near(sum(x, axes, /*keepdims=*/true), keep, sums, 0, 1e-5));
    EXPECT_TRUE(values_near(sum(x64, axes), drop, sums, 1e-14, 1e-14));
    EXPECT_TRUE(values_near(mean(x, axes, true), keep, means, 0, 1e-5));
    EXPECT_TRUE(values_near(mean(x64, axes), drop, means, 1e-14, 1e-14));
    EXPECT_TRUE(values_equal(max(x, axes), drop, maxes));
    EXPECT_TRUE(values_equal(max(x, axes, true), keep, maxes));
    EXPECT_TRUE(values_equal(min(x64, axes), drop, mins));
    EXPECT_TRUE(values_equal(min(x64, axes, true), keep, mins));
  }
}

TEST(Reduce, EmptyAxisListReducesEverything) {
  std::vector<double> v = sample(4);
  Tensor x = constant(v, Shape{D0, D1, D2});
  double s = 0, mx = -HUGE_VAL;
  for (double e : v) s += e, mx = std::max(mx, e);
  EXPECT_TRUE(values_near(sum(x), {}, {s}, 0, 1e-5));
  EXPECT_TRUE(values_near(sum(x, {}, /*keepdims=*/true), {1, 1, 1}, {s}, 0, 1e-5));
  EXPECT_TRUE(values_near(mean(x), {}, {s / 24}, 0, 1e-6));
  EXPECT_TRUE(values_equal(max(x), {}, {mx}));
  // All axes spelled out (with a duplicate) is the same.
  EXPECT_TRUE(values_equal(max(x, {0, 1, 2, -1}), {}, {mx}));
  // A scalar reduces to itself.
  EXPECT_TRUE(values_equal(sum(constant(2.5f)), {}, {2.5}));
}

TEST(Reduce, IntegerSumsStayIntegerAndWrap) {
  Tensor x = constant({{1, 2, 3}, {4, 5, 6}});
  Tensor s = sum(x, {1});
  EXPECT_EQ(s.dtype(), i32);
  EXPECT_TRUE(values_equal(s, {2}, {6, 15}));
  EXPECT_TRUE(values_equal(max(x, {0}), {3}, {4, 5, 6}));
  EXPECT_TRUE(values_equal(min(x), {}, {1}));
  EXPECT_THAT(sum(constant({std::numeric_limits<int32_t>::max(), 1})).to_vector<int32_t>(),
              ElementsAre(std::numeric_limits<int32_t>::min()));
  auto [e, line] = error_and_line([&] { mean(x); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "mean: expected a floating-point tensor, got int32" + at(__FILE__, line, "mean"));
  EXPECT_EQ(error_of([] { sum(constant({true})); }).detail(),
            "not defined for bool tensors; cast first");
}

TEST(Reduce, BadAxesNameTheAxisAndShape) {
  Tensor x = zeros({2, 3, 4});
  auto [e, line] = error_and_line([&] { sum(x, {3}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "sum: axis 3 is out of range for a tensor of rank 3 (shape (2, 3, 4))" +
                at(__FILE__, line, "sum"));
  EXPECT_EQ(error_of([&] { max(x, {-4}); }).detail(),
            "axis -4 is out of range for a tensor of rank 3 (shape (2, 3, 4))");
  EXPECT_EQ(error_of([&] { mean(x, {5}); }).op(), "mean");
  EXPECT_EQ(error_of([&] { argmax(x, 3); }).detail(),
            "axis 3 is out of range for a tensor of rank 3 (shape (2, 3, 4))");
}

TEST(Reduce, EmptyAxes) {
  Tensor e = zeros({2, 0});
  EXPECT_TRUE(values_equal(sum(e, {1}), {2}, {0, 0}));
  EXPECT_TRUE(values_equal(sum(e, {0}), {0}, {}));
  EXPECT_EQ(error_of([&] { max(e, {1}); }).detail(),
            "cannot reduce over an empty axis 1 of shape (2, 0)");
  EXPECT_EQ(error_of([&] { argmax(e, 1); }).detail(), "cannot take argmax over an empty axis");
}

TEST(Reduce, MaxAndMinPropagateNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = constant({{1.f, nan, 3.f}, {4.f, 5.f, 6.f}, {nan, -1.f, 2.f}});
  EXPECT_TRUE(values_equal(max(x, {1}), {3}, {NAN, 6, NAN}));
  EXPECT_TRUE(values_equal(min(x, {1}), {3}, {NAN, 4, NAN}));
  EXPECT_TRUE(values_equal(max(x, {0}), {3}, {NAN, NAN, 6}));
  EXPECT_TRUE(values_equal(min(x), {}, {NAN}));
  // NaN last in a row still wins.
  EXPECT_TRUE(values_equal(max(constant({1.f, 2.f, nan})), {}, {NAN}));
}

TEST(Argmax, FirstIndexOnTiesAlongAnyAxis) {
  Tensor v = constant({1.f, 3.f, 3.f, 2.f});
  Tensor a = argmax(v, 0);
  EXPECT_EQ(a.dtype(), i64);
  EXPECT_EQ(a.shape(), Shape{});
  EXPECT_EQ(a.item<int64_t>(), 1);

  Tensor m = constant({{5, 1, 5}, {2, 7, 7}});
  EXPECT_TRUE(values_equal(argmax(m, 1), {2}, {0, 1}));
  EXPECT_TRUE(values_equal(argmax(m, -1), {2}, {0, 1}));
  EXPECT_TRUE(values_equal(argmax(m, 0), {3}, {0, 1, 1}));
  EXPECT_TRUE(values_equal(argmax(constant({{2.0, 2.0}, {2.0, 2.0}}), 0), {2}, {0, 0}));

  // A (2, 3, 4) tensor along the middle axis vs a loop.
  std::vector<double> x = sample(9);
  std::vector<double> want;
  for (int64_t i = 0; i < D0; ++i)
    for (int64_t k = 0; k < D2; ++k) {
      int64_t best = 0;
      for (int64_t j = 1; j < D1; ++j)
        if (x[(i * D1 + j) * D2 + k] > x[(i * D1 + best) * D2 + k]) best = j;
      want.push_back(static_cast<double>(best));
    }
  EXPECT_TRUE(values_equal(argmax(constant(x, Shape{D0, D1, D2}), 1), {D0, D2}, want));
}

TEST(Argmax, NaNCountsAsTheMaximumLikeNumPy) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(argmax(constant({1.f, nan, 5.f, nan}), 0).item<int64_t>(), 1);
  EXPECT_EQ(argmax(constant({nan, 9.f}), 0).item<int64_t>(), 0);
}

TEST(Logsumexp, StableAndMatchesTheDefinition) {
  Tensor x = constant({{1.0, 2.0, 3.0}, {1000.0, 1000.0, -1000.0}});
  std::vector<double> want = {std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)),
                              1000.0 + std::log(2.0)};
  EXPECT_TRUE(values_near(logsumexp(x, {1}), {2}, want, 1e-14));
  EXPECT_TRUE(values_near(logsumexp(x, {-1}, /*keepdims=*/true), {2, 1}, want, 1e-14));
  Tensor big = constant({-1e4f, -1e4f});
  EXPECT_TRUE(values_near(logsumexp(big), {}, {-1e4 + std::log(2.0)}, 1e-7));
}

TEST(SumTo, UndoesBroadcasting) {
  Tensor g = constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_TRUE(values_equal(sum_to(g, {3}), {3}, {5, 7, 9}));
  EXPECT_TRUE(values_equal(sum_to(g, {2, 1}), {2, 1}, {6, 15}));
  EXPECT_TRUE(values_equal(sum_to(g, {1, 3}), {1, 3}, {5, 7, 9}));
  EXPECT_TRUE(values_equal(sum_to(g, {}), {}, {21}));
  EXPECT_TRUE(values_equal(sum_to(g, {2, 3}), {2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(error_of([&] { sum_to(g, {2}); }).detail(), "cannot sum shape (2, 3) down to (2,)");
}

// The oracle for top_k: a stable sort of each whole row by (NaN first, then value
// descending), which keeps equal values (and NaNs) in index order.
std::vector<int64_t> ranked_row(const std::vector<double>& row) {
  std::vector<int64_t> order(row.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    double va = row[static_cast<size_t>(a)], vb = row[static_cast<size_t>(b)];
    if (std::isnan(va) || std::isnan(vb)) return std::isnan(va) && !std::isnan(vb);
    return va > vb;
  });
  return order;
}

// Rows of small integers (many ties) with NaNs sprinkled in, in every dtype, for several k.
TEST(TopK, MatchesAStableSortWithTiesAndNaN) {
  std::mt19937_64 rng(7);
  const int64_t rows = 5, n = 200;
  std::vector<double> x(static_cast<size_t>(rows * n));
  for (double& v : x) {
    v = static_cast<double>(static_cast<int64_t>(rng() % 23) - 11);
    if (rng() % 17 == 0) v = std::numeric_limits<double>::quiet_NaN();
  }
  for (DType dt : {f64, f32, i64, i32})
    for (int64_t k : {int64_t{1}, int64_t{5}, int64_t{37}, n}) {
      std::vector<double> in = x;
      if (!is_floating(dt))
        for (double& v : in)
          if (std::isnan(v)) v = 99;  // integers have no NaN: a large value instead
      Tensor t = cast(constant(in, Shape{rows, n}), dt);
      TopK r = top_k(t, k);
      ASSERT_EQ(r.values.shape(), (Shape{rows, k}));
      ASSERT_EQ(r.indices.shape(), (Shape{rows, k}));
      EXPECT_EQ(r.values.dtype(), dt);
      EXPECT_EQ(r.indices.dtype(), i64);
      std::vector<double> values = r.values.to_vector<double>();
      std::vector<int64_t> indices = r.indices.to_vector<int64_t>();
      for (int64_t i = 0; i < rows; ++i) {
        std::vector<double> row(in.begin() + i * n, in.begin() + (i + 1) * n);
        std::vector<int64_t> want = ranked_row(row);
        for (int64_t j = 0; j < k; ++j) {
          size_t at = static_cast<size_t>(i * k + j);
          ASSERT_EQ(indices[at], want[static_cast<size_t>(j)])
              << dtype_name(dt) << " k=" << k << " row " << i << " rank " << j;
          double w = row[static_cast<size_t>(want[static_cast<size_t>(j)])];
          if (std::isnan(w))
            EXPECT_TRUE(std::isnan(values[at]));
          else
            EXPECT_EQ(values[at], w);
        }
      }
    }
}

TEST(TopK, OneAndThreeDimensions) {
  TopK v = top_k(constant({0.5, 3.0, -1.0, 3.0, 2.0}), 3);
  EXPECT_TRUE(values_equal(v.values, {3}, {3.0, 3.0, 2.0}));
  EXPECT_TRUE(values_equal(v.indices, {3}, {1, 3, 4}));
  // The last axis of a (2, 3, 4) tensor, against the oracle row by row.
  std::vector<double> x = sample(11);
  TopK r = top_k(constant(x, Shape{D0, D1, D2}), 2);
  EXPECT_EQ(r.values.shape(), (Shape{D0, D1, 2}));
  std::vector<int64_t> got = r.indices.to_vector<int64_t>();
  for (int64_t row = 0; row < D0 * D1; ++row) {
    std::vector<int64_t> want =
        ranked_row(std::vector<double>(x.begin() + row * D2, x.begin() + (row + 1) * D2));
    EXPECT_EQ(got[static_cast<size_t>(row * 2)], want[0]);
    EXPECT_EQ(got[static_cast<size_t>(row * 2 + 1)], want[1]);
  }
}

TEST(TopK, BadKNamesKAndTheShape) {
  Tensor x = zeros({2, 3});
  auto [e, line] = error_and_line([&] { top_k(x, 4); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "top_k: k = 4 is not in [1, 3] (the size of the last axis of shape (2, 3))" +
                at(__FILE__, line, "top_k"));
  EXPECT_EQ(error_of([&] { top_k(x, 0); }).detail(),
            "k = 0 is not in [1, 3] (the size of the last axis of shape (2, 3))");
  EXPECT_EQ(error_of([&] { top_k(zeros({}), 1); }).detail(),
            "needs a tensor of rank >= 1, got a scalar");
  EXPECT_EQ(error_of([] {
              top_k(constant({true, false}), 1);
            }).detail(),
            "not defined for bool tensors; cast first");
}

}  // namespace
}  // namespace kiln
