// Tests for data movement: reshape (with -1), transpose, broadcast_to, concat, slice,
// pad, stack, squeeze and expand_dims, each against index arithmetic done here.
#include "kiln/ops/shape_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

// 0, 1, 2, ... as float32 of the given shape, so that every element names its position.
Tensor iota(const Shape& s) {
  std::vector<float> v(static_cast<size_t>(s.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return constant(v, s);
}

TEST(Reshape, InfersOneDimension) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(reshape(x, {-1}).shape(), Shape{24});
  EXPECT_EQ(reshape(x, {4, -1}).shape(), (Shape{4, 6}));
  EXPECT_EQ(reshape(x, {-1, 2, 3}).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(reshape(iota({1}), {}).shape(), Shape{});
  EXPECT_EQ(reshape(zeros({0, 3}), {-1, 3}).shape(), (Shape{0, 3}));
  std::vector<double> want(24);
  for (int i = 0; i < 24; ++i) want[i] = i;
  EXPECT_TRUE(values_equal(reshape(x, {6, -1}), {6, 4}, want));  // row-major order kept
}

TEST(Reshape, Errors) {
  Tensor x = iota({2, 3});
  auto [e, line] = error_and_line([&] { reshape(x, {4, 2}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "reshape: cannot reshape (2, 3) (6 elements) to (4, 2) (8 elements)" +
                at(__FILE__, line, "reshape"));
  EXPECT_EQ(error_of([&] {
              reshape(x, {-1, -1});
            }).detail(),
            "only one dimension may be -1 in (-1, -1)");
  EXPECT_EQ(error_of([&] {
              reshape(x, {4, -1});
            }).detail(),
            "cannot infer -1 in (4, -1) for 6 elements");
  EXPECT_EQ(error_of([&] {
              reshape(x, {-2, -3});
            }).detail(),
            "negative dimension in target shape (-2, -3)");
}

TEST(Transpose, EveryPermutationOfARank3Tensor) {
  const int64_t d[3] = {2, 3, 4};
  Tensor x = iota({2, 3, 4});
  const std::vector<std::vector<int>> perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                               {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (const auto& p : perms) {
    SCOPED_TRACE(std::to_string(p[0]) + std::to_string(p[1]) + std::to_string(p[2]));
    Shape os{d[p[0]], d[p[1]], d[p[2]]};
    std::vector<double> want;
    int64_t o[3];
    for (o[0] = 0; o[0] < os[0]; ++o[0])
      for (o[1] = 0; o[1] < os[1]; ++o[1])
        for (o[2] = 0; o[2] < os[2]; ++o[2]) {
          int64_t in[3];  // out[o] = in[i] with i[p[k]] = o[k]
          for (int k = 0; k < 3; ++k) in[p[k]] = o[k];
          want.push_back(static_cast<double>((in[0] * 3 + in[1]) * 4 + in[2]));
        }
    EXPECT_TRUE(values_equal(transpose(x, p), os, want));
    // Negative entries name the same axes.
    EXPECT_TRUE(values_equal(transpose(x, {p[0] - 3, p[1], p[2] - 3}), os, want));
  }
  // The default reverses the axes.
  EXPECT_EQ(transpose(x).shape(), (Shape{4, 3, 2}));
  EXPECT_TRUE(
      values_equal(transpose(constant({{1, 2, 3}, {4, 5, 6}})), {3, 2}, {1, 4, 2, 5, 3, 6}));
}

TEST(Transpose, Errors) {
  Tensor x = iota({2, 3});
  EXPECT_EQ(error_of([&] { transpose(x, {0}); }).detail(),
            "permutation has 1 entries for a tensor of rank 2");
  EXPECT_EQ(error_of([&] { transpose(x, {1, 1}); }).detail(), "axis 1 repeats in permutation");
  EXPECT_EQ(error_of([&] { transpose(x, {0, 2}); }).detail(), "axis 2 is out of range for rank 2");
}

TEST(BroadcastTo, RepeatsSizeOneAxes) {
  EXPECT_TRUE(values_equal(broadcast_to(constant({{1}, {2}}), {2, 3}), {2, 3}, {1, 1, 1, 2, 2, 2}));
  EXPECT_TRUE(values_equal(broadcast_to(constant({1, 2}), {2, 2}), {2, 2}, {1, 2, 1, 2}));
  EXPECT_TRUE(values_equal(broadcast_to(constant(7), {3}), {3}, {7, 7, 7}));
  EXPECT_EQ(error_of([] {
              broadcast_to(zeros({2, 3}), {3});
            }).detail(),
            "cannot broadcast (2, 3) to (3,)");
  EXPECT_EQ(error_of([] {
              broadcast_to(zeros({3}), {3, 2});
            }).detail(),
            "cannot broadcast (3,) to (3, 2)");
}

TEST(Concat, AlongEachAxis) {
  Tensor a = iota({2, 3, 2});
  Tensor b = iota({2, 3, 2}) + 100.f;
  // axis 0: a's block then b's block.
  std::vector<double> want0;
  for (int i = 0; i < 12; ++i) want0.push_back(i);
  for (int i = 0; i < 12; ++i) want0.push_back(100 + i);
  EXPECT_TRUE(values_equal(concat({a, b}, 0), {4, 3, 2}, want0));
  // axis 1 and axis -1 by loops.
  for (int axis : {1, 2, -1}) {
    int ax = axis < 0 ? axis + 3 : axis;
    Shape os{2, 3, 2};
    os[ax] *= 2;
    std::vector<double> want;
    for (int64_t i = 0; i < os[0]; ++i)
      for (int64_t j = 0; j < os[1]; ++j)
        for (int64_t k = 0; k < os[2]; ++k) {
          int64_t idx[3] = {i, j, k};
          bool second = idx[ax] >= Shape{2, 3, 2}[ax];
          if (second) idx[ax] -= Shape{2, 3, 2}[ax];
          want.push_back((second ? 100 : 0) +
                         static_cast<double>((idx[0] * 3 + idx[1]) * 2 + idx[2]));
        }
    EXPECT_TRUE(values_equal(concat({a, b}, axis), os, want)) << "axis " << axis;
  }
  // Unequal sizes along the axis, three inputs, ints.
  EXPECT_TRUE(values_equal(
      concat({constant({{1}, {2}}), constant({{3, 4}, {5, 6}}), constant({{7}, {8}})}, 1), {2, 4},
      {1, 3, 4, 7, 2, 5, 6, 8}));
  EXPECT_TRUE(values_equal(concat({constant({1.f}), zeros({0})}, 0), {1}, {1}));
}

TEST(Concat, Errors) {
  auto [e, line] = error_and_line([] { concat({zeros({2, 3}), zeros({2, 4})}, 0); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "concat: tensor 1 has shape (2, 4), incompatible with (2, 3) along axis 0" +
                at(__FILE__, line, "concat"));
  EXPECT_EQ(error_of([] {
              concat({zeros({2}), zeros({2}, f64)}, 0);
            }).detail(),
            "tensor 1 has dtype float64, tensor 0 has float32");
  EXPECT_EQ(error_of([] { concat({}, 0); }).detail(), "needs at least one tensor");
  EXPECT_EQ(error_of([] { concat({constant(1.f)}, 0); }).detail(),
            "cannot concatenate scalars; use stack");
  EXPECT_EQ(error_of([] { concat({zeros({2})}, 1); }).detail(),
            "axis 1 is out of range for rank 1");
}

TEST(Slice, BeginAndSizeWithToTheEnd) {
  Tensor x = iota({3, 4});
  EXPECT_TRUE(values_equal(slice(x, {1, 1}, {2, 2}), {2, 2}, {5, 6, 9, 10}));
  EXPECT_TRUE(values_equal(slice(x, {0, 2}, {-1, -1}), {3, 2}, {2, 3, 6, 7, 10, 11}));
  EXPECT_TRUE(values_equal(slice(x, {2, 0}, {1, 4}), {1, 4}, {8, 9, 10, 11}));
  EXPECT_EQ(slice(x, {3, 0}, {0, 4}).shape(), (Shape{0, 4}));
  // Rank 3 against a loop.
  Tensor y = iota({3, 4, 5});
  std::vector<double> want;
  for (int64_t i = 1; i < 3; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 2; k < 5; ++k) want.push_back(static_cast<double>((i * 4 + j) * 5 + k));
  EXPECT_TRUE(values_equal(slice(y, {1, 0, 2}, {-1, 3, 3}), {2, 3, 3}, want));
  EXPECT_TRUE(values_equal(slice(constant(4.f), {}, {}), {}, {4}));
}

TEST(Slice, Errors) {
  Tensor x = iota({3, 4});
  auto [e, line] = error_and_line([&] { slice(x, {2, 0}, {2, 4}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "slice: begin [2, 0] size [2, 4] is out of bounds for shape (3, 4) on axis 0" +
                at(__FILE__, line, "slice"));
  EXPECT_EQ(error_of([&] { slice(x, {-1, 0}, {1, 1}); }).op(), "slice");
  EXPECT_EQ(error_of([&] { slice(x, {0}, {1}); }).detail(),
            "begin [0] and size [1] must each have 2 entries for shape (3, 4)");
}

TEST(Pad, ZerosBeforeAndAfterEachAxis) {
  Tensor x = constant({{1, 2}, {3, 4}});
  EXPECT_TRUE(values_equal(pad(x, {1, 0}, {0, 2}), {3, 4},
                           {0, 0, 0, 0,  //
                            1, 2, 0, 0,  //
                            3, 4, 0, 0}));
  // Rank 3 against a loop.
  Tensor y = iota({2, 3, 2});
  std::vector<int64_t> lo = {1, 0, 2}, hi = {0, 1, 1};
  Shape os{3, 4, 5};
  std::vector<double> want;
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t k = 0; k < 5; ++k) {
        int64_t a = i - lo[0], b = j - lo[1], c = k - lo[2];
        bool inside = a >= 0 && a < 2 && b >= 0 && b < 3 && c >= 0 && c < 2;
        want.push_back(inside ? static_cast<double>((a * 3 + b) * 2 + c) : 0);
      }
  EXPECT_TRUE(values_equal(pad(y, lo, hi), os, want));
  EXPECT_TRUE(values_equal(pad(zeros({0}), {1}, {1}), {2}, {0, 0}));
  EXPECT_EQ(error_of([&] {
              pad(x, {-1, 0}, {0, 0});
            }).detail(),
            "negative padding low [-1, 0] high [0, 0]");
  EXPECT_EQ(error_of([&] { pad(x, {1}, {1}); }).detail(),
            "low [1] and high [1] must each have 2 entries for shape (2, 2)");
}

TEST(Stack, NewAxisAnywhere) {
  Tensor a = constant({1, 2, 3}), b = constant({4, 5, 6});
  EXPECT_TRUE(values_equal(stack({a, b}), {2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(values_equal(stack({a, b}, 1), {3, 2}, {1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(values_equal(stack({a, b}, -1), {3, 2}, {1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(values_equal(stack({constant(1.f), constant(2.f)}), {2}, {1, 2}));
  EXPECT_EQ(error_of([] { stack({}); }).detail(), "needs at least one tensor");
  EXPECT_EQ(error_of([&] { stack({a, constant({1, 2})}); }).op(), "concat");
  EXPECT_EQ(error_of([&] { stack({a, constant({1, 2})}); }).api(), "stack");
}

TEST(SqueezeAndExpandDims, AddAndRemoveSizeOneAxes) {
  Tensor x = zeros({1, 3, 1, 2});
  EXPECT_EQ(squeeze(x).shape(), (Shape{3, 2}));
  EXPECT_EQ(squeeze(x, {0}).shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(squeeze(x, {-2}).shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(squeeze(zeros({1, 1})).shape(), Shape{});
  EXPECT_EQ(error_of([&] { squeeze(x, {1}); }).detail(),
            "axis 1 has size 3, not 1, in shape (1, 3, 1, 2)");

  Tensor v = constant({1.f, 2.f});
  EXPECT_EQ(expand_dims(v, 0).shape(), (Shape{1, 2}));
  EXPECT_EQ(expand_dims(v, 1).shape(), (Shape{2, 1}));
  EXPECT_EQ(expand_dims(v, -1).shape(), (Shape{2, 1}));
  EXPECT_EQ(expand_dims(constant(1.f), 0).shape(), Shape{1});
  EXPECT_TRUE(values_equal(expand_dims(v, 0), {1, 2}, {1, 2}));
  EXPECT_EQ(error_of([&] { expand_dims(v, 3); }).detail(), "axis 3 is out of range for rank 2");
}

}  // namespace
}  // namespace kiln
