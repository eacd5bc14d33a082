// Tests for gather (1-D and n-D indices), embedding_lookup, scatter_add (duplicates
// accumulate) and one_hot, with references computed by loops here.
#include "kiln/ops/indexing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::at;
using ::kiln::testing::error_and_line;
using ::kiln::testing::error_of;
using ::kiln::testing::values_equal;

// params[r][c] = 10 r + c for a (rows, cols) float32 matrix.
Tensor table(int64_t rows, int64_t cols) {
  std::vector<float> v;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) v.push_back(static_cast<float>(10 * r + c));
  return constant(v, Shape{rows, cols});
}

std::vector<double> rows_of(const std::vector<int64_t>& idx, int64_t cols) {
  std::vector<double> want;
  for (int64_t r : idx)
    for (int64_t c = 0; c < cols; ++c) want.push_back(static_cast<double>(10 * r + c));
  return want;
}

TEST(Gather, OneDimensionalIndices) {
  Tensor p = table(5, 3);
  EXPECT_TRUE(values_equal(gather(p, constant({4, 0, 4})), {3, 3}, rows_of({4, 0, 4}, 3)));
  EXPECT_TRUE(values_equal(gather(p, constant({int64_t{2}})), {1, 3}, rows_of({2}, 3)));
  EXPECT_EQ(gather(p, constant(std::vector<int>{}, Shape{0})).shape(), (Shape{0, 3}));
  // 1-D params: the result has the indices' shape.
  EXPECT_TRUE(values_equal(gather(constant({5, 6, 7}), constant({2, 2, 0})), {3}, {7, 7, 5}));
  // A scalar index drops the axis.
  EXPECT_TRUE(values_equal(gather(p, constant(1)), {3}, rows_of({1}, 3)));
}

TEST(Gather, MultiDimensionalIndices) {
  Tensor p = table(6, 2);
  Tensor idx = constant({{5, 1}, {0, 5}});
  EXPECT_TRUE(values_equal(gather(p, idx), {2, 2, 2}, rows_of({5, 1, 0, 5}, 2)));
  Tensor idx3 = constant({{{int64_t{3}}, {int64_t{2}}}});  // (1, 2, 1)
  EXPECT_TRUE(values_equal(gather(p, idx3), {1, 2, 1, 2}, rows_of({3, 2}, 2)));
  // Rank-3 params.
  Tensor q = constant({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}, {{9, 10}, {11, 12}}});
  EXPECT_TRUE(values_equal(gather(q, constant({2, 0})), {2, 2, 2}, {9, 10, 11, 12, 1, 2, 3, 4}));
  EXPECT_TRUE(values_equal(embedding_lookup(p, constant({3})), {1, 2}, rows_of({3}, 2)));
}

TEST(Gather, OutOfRangeIndexNamesPositionValueAndRange) {
  Tensor p = zeros({128, 4});
  auto [e, line] = error_and_line([&] { gather(p, constant({3081, 2})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "gather: indices[0] = 3081 is not in [0, 128)" + at(__FILE__, line, "gather"));
  EXPECT_EQ(error_of([&] {
              gather(p, constant({1, 2, -1}));
            }).detail(),
            "indices[2] = -1 is not in [0, 128)");
  EXPECT_EQ(error_of([&] {
              gather(p, constant({{0, 1}, {128, 0}}));
            }).detail(),
            "indices[2] = 128 is not in [0, 128)");  // flat position
  EXPECT_EQ(error_of([&] { gather(p, constant({1.f})); }).detail(),
            "indices must be int32 or int64, got float32");
  EXPECT_EQ(error_of([] { gather(constant(1.f), constant({0})); }).detail(),
            "params must have rank >= 1, got a scalar");
  auto [el, l2] = error_and_line([&] { embedding_lookup(p, constant({200})); }, __LINE__);
  EXPECT_EQ(std::string(el.what()),
            "gather: indices[0] = 200 is not in [0, 128)" + at(__FILE__, l2, "embedding_lookup"));
}

TEST(ScatterAdd, DuplicatesAccumulate) {
  Tensor x = zeros({4, 2});
  Tensor idx = constant({1, 3, 1, 1});
  Tensor upd = constant({{1.f, 2.f}, {10.f, 20.f}, {100.f, 200.f}, {1000.f, 2000.f}});
  EXPECT_TRUE(values_equal(scatter_add(x, idx, upd), {4, 2}, {0, 0, 1101, 2202, 0, 0, 10, 20}));
  // The input is not modified.
  EXPECT_TRUE(values_equal(x, {4, 2}, std::vector<double>(8, 0)));
  // n-D indices, int64, int dtype target.
  Tensor xi = constant({1, 1, 1});
  EXPECT_TRUE(
      values_equal(scatter_add(xi, constant({{int64_t{0}, int64_t{2}}, {int64_t{2}, int64_t{2}}}),
                               constant({{5, 6}, {7, 8}})),
                   {3}, {6, 1, 22}));
}

TEST(ScatterAdd, Errors) {
  Tensor x = zeros({4, 2});
  auto [e, line] = error_and_line([&] { scatter_add(x, constant({4}), zeros({1, 2})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "scatter_add: indices[0] = 4 is not in [0, 4)" + at(__FILE__, line, "scatter_add"));
  EXPECT_EQ(error_of([&] {
              scatter_add(x, constant({0, 1}), zeros({2, 3}));
            }).detail(),
            "updates have shape (2, 3), expected (2, 2) (indices shape + target shape[1:])");
  EXPECT_EQ(error_of([&] {
              scatter_add(x, constant({0}), zeros({1, 2}, f64));
            }).detail(),
            "updates have dtype float64, the target has float32");
  EXPECT_EQ(
      error_of([] { scatter_add(constant({true}), constant({0}), constant({true})); }).detail(),
      "not defined for bool tensors");
}

TEST(OneHot, RowsOfOnAndOffValues) {
  Tensor h = one_hot(constant({0, 2, 1}), 3);
  EXPECT_EQ(h.dtype(), f32);
  EXPECT_TRUE(values_equal(h, {3, 3}, {1, 0, 0, 0, 0, 1, 0, 1, 0}));
  // Out-of-range and negative indices give all-off rows (tf.one_hot).
  EXPECT_TRUE(
      values_equal(one_hot(constant({int64_t{3}, int64_t{-1}}), 3), {2, 3}, {0, 0, 0, 0, 0, 0}));
  Tensor h2 = one_hot(constant({{1}, {0}}), 2, /*on_value=*/5, /*off_value=*/-1, i32);
  EXPECT_EQ(h2.dtype(), i32);
  EXPECT_TRUE(values_equal(h2, {2, 1, 2}, {-1, 5, 5, -1}));
  EXPECT_TRUE(values_equal(one_hot(constant(2), 4, 1, 0, f64), {4}, {0, 0, 1, 0}));
  EXPECT_EQ(error_of([] { one_hot(constant({1.f}), 3); }).detail(),
            "indices must be an int32 or int64 tensor");
  EXPECT_EQ(error_of([] { one_hot(constant({1}), -1); }).detail(), "depth must be >= 0, got -1");
}

}  // namespace
}  // namespace kiln
