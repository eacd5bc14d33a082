// Tests for creating tensors (constant, zeros/ones/fill, arange), reading them (item,
// to_vector, t[i], iteration) and reshape's shared storage.
#include "kiln/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kiln/ops/shape_ops.h"
#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::at;
using ::kiln::testing::error_and_line;
using ::kiln::testing::error_of;
using ::kiln::testing::values_equal;
using ::testing::ElementsAre;

TEST(Constant, ScalarsTakeTheDtypeOfTheCppType) {
  Tensor f = constant(2.5f);
  EXPECT_EQ(f.dtype(), f32);
  EXPECT_EQ(f.shape(), Shape{});
  EXPECT_EQ(f.rank(), 0);
  EXPECT_EQ(f.numel(), 1);
  EXPECT_EQ(f.item<float>(), 2.5f);

  EXPECT_EQ(constant(2.5).dtype(), f64);
  EXPECT_EQ(constant(7).dtype(), i32);  // a plain int is int32, as in TensorFlow
  EXPECT_EQ(constant(int64_t{7}).dtype(), i64);
  EXPECT_EQ(constant(true).dtype(), boolean);
  EXPECT_EQ(constant(int64_t{-3}).item<int64_t>(), -3);
  EXPECT_TRUE(constant(true).item<bool>());
}

TEST(Constant, OneLevelLists) {
  Tensor i = constant({1, 2, 3});
  EXPECT_EQ(i.dtype(), i32);
  EXPECT_EQ(i.shape(), Shape{3});
  EXPECT_THAT(i.to_vector<int32_t>(), ElementsAre(1, 2, 3));

  Tensor l = constant({int64_t{1} << 40, int64_t{-5}});
  EXPECT_EQ(l.dtype(), i64);
  EXPECT_THAT(l.to_vector<int64_t>(), ElementsAre(int64_t{1} << 40, -5));

  Tensor b = constant({true, false, true});
  EXPECT_EQ(b.dtype(), boolean);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, false, true));

  Tensor d = constant({0.1, 0.2});
  EXPECT_EQ(d.dtype(), f64);
  EXPECT_THAT(d.to_vector<double>(), ElementsAre(0.1, 0.2));  // no float32 rounding

  Tensor f = constant({1.5f, -2.f});
  EXPECT_EQ(f.dtype(), f32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1.5f, -2.f));
}

TEST(Constant, TwoAndThreeLevelListsAreRowMajor) {
  Tensor m = constant({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(m.dtype(), i32);
  EXPECT_EQ(m.shape(), (Shape{2, 3}));
  EXPECT_THAT(m.to_vector<int>(), ElementsAre(1, 2, 3, 4, 5, 6));

  Tensor one = constant({{4.f}});
  EXPECT_EQ(one.shape(), (Shape{1, 1}));
  EXPECT_EQ(one.dtype(), f32);

  Tensor c = constant({{{1., 2.}, {3., 4.}, {5., 6.}}, {{7., 8.}, {9., 10.}, {11., 12.}}});
  EXPECT_EQ(c.dtype(), f64);
  EXPECT_EQ(c.shape(), (Shape{2, 3, 2}));
  std::vector<double> want;
  for (int k = 1; k <= 12; ++k) want.push_back(k);
  EXPECT_EQ(c.to_vector<double>(), want);

  Tensor bb = constant({{true}, {false}});
  EXPECT_EQ(bb.dtype(), boolean);
  EXPECT_EQ(bb.shape(), (Shape{2, 1}));
}

TEST(Constant, RaggedListsAreRejected) {
  auto [e, line] = error_and_line([] { constant({{1, 2}, {3}}); }, __LINE__);
  EXPECT_EQ(e.op(), "constant");
  EXPECT_EQ(e.detail(),
            "nested initializer list is ragged: a row at depth 1 has 1 elements, expected 2");
  EXPECT_EQ(e.line(), static_cast<unsigned>(line));
  EXPECT_EQ(e.file(), "tensor_test.cpp");
  EXPECT_EQ(e.api(), "constant");

  Error deep = error_of([] { constant({{{1.f, 2.f}, {3.f, 4.f}}, {{5.f, 6.f}, {7.f}}}); });
  EXPECT_EQ(deep.detail(),
            "nested initializer list is ragged: a row at depth 2 has 1 elements, expected 2");
  Error outer = error_of([] { constant({{{1.f}, {2.f}}, {{3.f}}}); });
  EXPECT_EQ(outer.detail(),
            "nested initializer list is ragged: a row at depth 1 has 1 elements, expected 2");
}

TEST(Constant, VectorsWithShapes) {
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  Tensor t = constant(v, Shape{2, 3});
  EXPECT_EQ(t.dtype(), f32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.to_vector<float>(), v);

  Tensor flat = constant(std::vector<int64_t>{4, 5});
  EXPECT_EQ(flat.dtype(), i64);
  EXPECT_EQ(flat.shape(), Shape{2});

  Tensor s = constant(std::vector<double>{3.5}, Shape{});
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.item(), 3.5);

  Tensor empty = constant(std::vector<float>{}, Shape{0, 3});
  EXPECT_EQ(empty.numel(), 0);

  auto [e, line] = error_and_line([&] { constant(v, Shape{4, 2}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()), "constant: 6 values do not fill shape (4, 2) (8 elements)" +
                                       at(__FILE__, line, "constant"));
}

TEST(Creation, ZerosOnesFill) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.dtype(), f32);
  EXPECT_TRUE(values_equal(z, {2, 3}, std::vector<double>(6, 0)));
  Tensor o = ones({4}, i64);
  EXPECT_EQ(o.dtype(), i64);
  EXPECT_THAT(o.to_vector<int64_t>(), ElementsAre(1, 1, 1, 1));
  Tensor f = fill({2, 2}, -1.25, f64);
  EXPECT_TRUE(values_equal(f, {2, 2}, {-1.25, -1.25, -1.25, -1.25}));
  Tensor b = fill({3}, 1, boolean);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, true, true));
  Tensor s = fill({}, 9, i32);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.item<int>(), 9);

  Tensor like = zeros_like(constant({{1, 2}, {3, 4}}));
  EXPECT_EQ(like.dtype(), i32);
  EXPECT_TRUE(values_equal(like, {2, 2}, {0, 0, 0, 0}));
  EXPECT_TRUE(values_equal(ones_like(constant({2.5, 3.5})), {2}, {1, 1}));

  EXPECT_EQ(zeros({0, 5}).numel(), 0);
  Error neg = error_of([] { zeros({2, -1}); });
  EXPECT_EQ(neg.detail(), "negative dimension in shape (2, -1)");
}

TEST(Creation, ArangeLikeNumPy) {
  Tensor a = arange(5);
  EXPECT_EQ(a.dtype(), i64);
  EXPECT_THAT(a.to_vector<int64_t>(), ElementsAre(0, 1, 2, 3, 4));
  // np.arange(1, 2, 0.25) and np.arange(5, 0, -2) and np.arange(0, 1, 0.3)
  EXPECT_TRUE(values_equal(arange(1, 2, 0.25, f32), {4}, {1, 1.25, 1.5, 1.75}));
  EXPECT_THAT(arange(5, 0, -2).to_vector<int64_t>(), ElementsAre(5, 3, 1));
  EXPECT_EQ(arange(0, 1, 0.3, f64).numel(), 4);
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_EQ(arange(3, 1).numel(), 0);  // empty, not negative
  EXPECT_EQ(arange(4, i32).dtype(), i32);

  auto [e, line] = error_and_line([] { arange(0, 10, 0); }, __LINE__);
  EXPECT_EQ(std::string(e.what()), "arange: step must be nonzero" + at(__FILE__, line, "arange"));
  Error b = error_of([] { arange(0, 3, 1, boolean); });
  EXPECT_EQ(b.detail(), "dtype bool is not supported");
}

TEST(Item, ConvertsTheOnlyElement) {
  EXPECT_EQ(constant({{5}}).item<int>(), 5);
  EXPECT_EQ(constant({{5}}).item(), 5.0);
  EXPECT_EQ(constant(2.75f).item<int>(), 2);  // static_cast semantics
  EXPECT_EQ(constant(-3).item<double>(), -3.0);

  Tensor two = constant({1.f, 2.f});
  auto [e, line] = error_and_line([&] { two.item(); }, __LINE__);
  EXPECT_EQ(std::string(e.what()), "item: item() needs a tensor with one element, got shape (2,)" +
                                       at(__FILE__, line, "item"));
  EXPECT_EQ(e.line(), static_cast<unsigned>(line));
  Error undefined = error_of([] { Tensor().item(); });
  EXPECT_EQ(undefined.detail(), "item() on an undefined tensor");
}

TEST(Indexing, PositiveAndNegativeIndicesSliceTheFirstDimension) {
  Tensor m = constant({{1, 2}, {3, 4}, {5, 6}});
  Tensor r1 = m[1];
  EXPECT_EQ(r1.shape(), Shape{2});
  EXPECT_THAT(r1.to_vector<int>(), ElementsAre(3, 4));
  EXPECT_THAT(m[-1].to_vector<int>(), ElementsAre(5, 6));
  EXPECT_THAT(m[-3].to_vector<int>(), ElementsAre(1, 2));
  EXPECT_EQ(m[2][0].shape(), Shape{});
  EXPECT_EQ(m[2][-1].item<int>(), 6);

  Tensor c = constant({{{1.f, 2.f}}, {{3.f, 4.f}}});
  EXPECT_EQ(c[1].shape(), (Shape{1, 2}));
  EXPECT_THAT(c[1].to_vector<float>(), ElementsAre(3.f, 4.f));
}

TEST(Indexing, OutOfRangeNamesTheIndexAndTheLine) {
  Tensor m = constant({{1, 2}, {3, 4}, {5, 6}});
  auto [e, line] = error_and_line([&] { m[3]; }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "index: index 3 is not in [-3, 3) for shape (3, 2)" + at(__FILE__, line, "index"));
  Error neg = error_of([&] { m[-4]; });
  EXPECT_EQ(neg.detail(), "index -4 is not in [-3, 3) for shape (3, 2)");
  Error scalar = error_of([] { constant(1.f)[0]; });
  EXPECT_EQ(scalar.detail(), "cannot index a scalar (shape ())");
}

TEST(Iteration, VisitsEachSliceOfTheFirstDimension) {
  Tensor m = constant({{1, 2}, {3, 4}, {5, 6}});
  std::vector<std::vector<int>> rows;
  for (Tensor row : m) rows.push_back(row.to_vector<int>());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0], ElementsAre(1, 2));
  EXPECT_THAT(rows[2], ElementsAre(5, 6));

  int n = 0;
  for (Tensor x : constant({7, 8, 9})) {
    EXPECT_EQ(x.shape(), Shape{});
    EXPECT_EQ(x.item<int>(), 7 + n++);
  }
  EXPECT_EQ(n, 3);
  for (Tensor x : zeros({0, 2})) ADD_FAILURE() << "an empty tensor has no rows: " << x;
}

TEST(ToVector, ConvertsElementTypes) {
  EXPECT_THAT(constant({1, -2}).to_vector<double>(), ElementsAre(1.0, -2.0));
  EXPECT_THAT(constant({1.9f, -1.9f}).to_vector<int>(), ElementsAre(1, -1));  // truncation
  EXPECT_THAT(constant({true, false}).to_vector<int>(), ElementsAre(1, 0));
  EXPECT_THAT(constant({0.0, 2.0}).to_vector<bool>(), ElementsAre(false, true));
  EXPECT_THAT(constant({int64_t{1} << 33}).to_vector<int64_t>(), ElementsAre(int64_t{1} << 33));
}

TEST(Reshape, SharesStorageWithANewIdentity) {
  Tensor t = constant({1.f, 2.f, 3.f, 4.f, 5.f, 6.f});
  Tensor r = reshape(t, {2, 3});
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  EXPECT_TRUE(r.shares_storage_with(t));
  EXPECT_EQ(r.raw(), t.raw());
  EXPECT_NE(r.id(), t.id());
  EXPECT_EQ(r.to_vector<float>(), t.to_vector<float>());
  Tensor back = reshape(r, {-1});
  EXPECT_EQ(back.shape(), Shape{6});
  EXPECT_TRUE(back.shares_storage_with(t));
  EXPECT_FALSE(constant({1.f}).shares_storage_with(t));
}

TEST(Tensor, TypedAccessChecksTheDtype) {
  Tensor t = constant({1.f, 2.f});
  EXPECT_EQ(t.data<float>()[1], 2.f);
  Error e = error_of([&] { t.data<double>(); });
  EXPECT_EQ(e.op(), "data");
  EXPECT_EQ(e.detail(), "tensor has dtype float32, accessed as float64");
  EXPECT_FALSE(Tensor().defined());
  EXPECT_EQ(t.nbytes(), 8u);
  EXPECT_EQ(constant({int64_t{1}, int64_t{2}}).nbytes(), 16u);
}

TEST(DType, NamesAndSizesFollowNumPy) {
  EXPECT_EQ(dtype_name(f32), "float32");
  EXPECT_EQ(dtype_name(f64), "float64");
  EXPECT_EQ(dtype_name(i32), "int32");
  EXPECT_EQ(dtype_name(i64), "int64");
  EXPECT_EQ(dtype_name(boolean), "bool");
  EXPECT_EQ(dtype_size(f32), 4u);
  EXPECT_EQ(dtype_size(f64), 8u);
  EXPECT_EQ(dtype_size(i32), 4u);
  EXPECT_EQ(dtype_size(i64), 8u);
  EXPECT_EQ(dtype_size(boolean), 1u);
}

}  // namespace
}  // namespace kiln
