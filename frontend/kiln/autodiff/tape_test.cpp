// Tests for GradientTape semantics: what is watched, persistent and non-persistent
// tapes, stop_gradient / NoGradGuard / stop_recording, nested tapes (higher order),
// output_gradient, and sparse (IndexedSlices) gradients and how they add up.
// Finite-difference checks of each op's rule live in gradcheck_test.cpp.
#include "kiln/autodiff/tape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "kiln/ops/indexing.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"
#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::at;
using ::kiln::testing::error_and_line;
using ::kiln::testing::error_of;
using ::kiln::testing::values_equal;
using ::kiln::testing::values_near;
using ::testing::ElementsAre;

TEST(Tape, TrainableVariablesAreWatchedAutomatically) {
  Variable w("w", constant({1.0, 2.0}));
  Variable frozen("frozen", constant({3.0, 4.0}), /*trainable=*/false);
  GradientTape tape;
  Tensor y = sum(w * frozen);
  auto g = tape.gradient(y, {w, frozen});
  ASSERT_EQ(g.size(), 2u);
  ASSERT_TRUE(g[0].defined());
  EXPECT_TRUE(values_equal(g[0], {2}, {3, 4}));
  EXPECT_FALSE(g[1].defined());  // not trainable: not watched
}

TEST(Tape, NonTrainableVariablesCanBeWatchedExplicitly) {
  Variable frozen("frozen", constant({3.0, 4.0}), /*trainable=*/false);
  GradientTape tape;
  tape.watch(frozen);
  auto g = tape.gradient(sum(square(frozen)), {frozen});
  EXPECT_TRUE(values_equal(g[0], {2}, {6, 8}));
}

TEST(Tape, WatchAccessedVariablesFalseWatchesNothingByItself) {
  Variable w("w", constant({1.0}));
  GradientTape tape(/*persistent=*/false, /*watch_accessed_variables=*/false);
  Tensor y = sum(w * 2.0);
  EXPECT_TRUE(tape.watched_variables().empty());
  EXPECT_FALSE(tape.gradient(y, {w})[0].defined());
}

TEST(Tape, WatchedTensors) {
  Tensor x = constant({1.0, 2.0, 3.0});
  GradientTape tape;
  tape.watch(x);
  Tensor y = sum(x * x * x);
  auto g = tape.gradient(y, {x});
  EXPECT_TRUE(values_near(g[0], {3}, {3, 12, 27}, 1e-15));
}

TEST(Tape, UnwatchedSourcesAreUndefinedOrZero) {
  Tensor x = constant({1.0, 2.0}), unwatched = constant({5.0, 6.0});
  {
    GradientTape tape;
    tape.watch(x);
    Tensor y = sum(x * unwatched);
    auto g = tape.gradient(y, {x, unwatched});
    EXPECT_TRUE(g[0].defined());
    EXPECT_FALSE(g[1].defined());
    std::ostringstream os;
    os << g[1];
    EXPECT_EQ(os.str(), "None");
    auto [e, line] = error_and_line([&] { g[1].to_dense(); }, __LINE__);
    EXPECT_EQ(std::string(e.what()),
              "Gradient::to_dense: the gradient is undefined: the target does not depend on this "
              "source" +
                  at(__FILE__, line, "Gradient::to_dense"));
  }
  {
    GradientTape tape;
    tape.watch(x);
    Tensor y = sum(x * unwatched);
    auto g = tape.gradient(y, {x, unwatched}, UnconnectedGradients::zero);
    EXPECT_TRUE(values_equal(g[1], {2}, {0, 0}));
    EXPECT_EQ(g[1].dtype(), f64);
  }
  {
    // Watched but not connected to the target.
    Tensor other = constant({1.f});
    GradientTape tape;
    tape.watch(x);
    tape.watch(other);
    auto g = tape.gradient(sum(x), {other}, UnconnectedGradients::zero);
    EXPECT_TRUE(values_equal(g[0], {1}, {0}));
    EXPECT_EQ(g[0].dtype(), f32);
  }
}

TEST(Tape, GradientOfTheTargetItselfIsOne) {
  Tensor x = constant({1.0, 2.0});
  GradientTape tape;
  tape.watch(x);
  EXPECT_TRUE(values_equal(tape.gradient(x, {x})[0], {2}, {1, 1}));
}

TEST(Tape, PersistentTapesAnswerRepeatedly) {
  Tensor x = constant(3.0);
  GradientTape tape(/*persistent=*/true);
  tape.watch(x);
  Tensor y = x * x;
  Tensor z = y * x;
  EXPECT_DOUBLE_EQ(tape.gradient(y, {x})[0].item(), 6.0);
  EXPECT_DOUBLE_EQ(tape.gradient(z, {x})[0].item(), 27.0);
  EXPECT_DOUBLE_EQ(tape.gradient(z, {y})[0].item(), 3.0);
  EXPECT_DOUBLE_EQ(tape.gradient(y, {x})[0].item(), 6.0);
}

TEST(Tape, NonPersistentTapesAnswerOnce) {
  Tensor x = constant(3.0);
  GradientTape tape;
  tape.watch(x);
  Tensor y = x * x;
  EXPECT_DOUBLE_EQ(tape.gradient(y, {x})[0].item(), 6.0);
  auto [e, line] = error_and_line([&] { tape.gradient(y, {x}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "gradient: a non-persistent GradientTape can compute gradients only once; create it "
            "with GradientTape(/*persistent=*/true) to call gradient() repeatedly" +
                at(__FILE__, line, "gradient"));
}

TEST(Tape, TargetMustBeFloatingAndOutputGradientShaped) {
  Tensor x = constant({1.0, 2.0});
  GradientTape tape(/*persistent=*/true);
  tape.watch(x);
  EXPECT_EQ(error_of([&] { tape.gradient(cast(x, i32), {x}); }).detail(),
            "the target must be floating-point, got int32");
  Tensor y = x * 2.0;
  EXPECT_EQ(error_of([&] {
              tape.gradient(y, std::vector<Source>{x}, constant({1.0, 2.0, 3.0}));
            }).detail(),
            "output_gradient has shape (3,), the target has shape (2,)");
}

TEST(Tape, StopGradientCutsThePath) {
  Tensor x = constant(2.0);
  GradientTape tape;
  tape.watch(x);
  Tensor y = x * stop_gradient(x);  // d/dx = stop_gradient(x) only
  EXPECT_DOUBLE_EQ(tape.gradient(y, {x})[0].item(), 2.0);
  EXPECT_DOUBLE_EQ(stop_gradient(x).item(), 2.0);
}

TEST(Tape, NoGradGuardAndStopRecordingPauseRecording) {
  Tensor x = constant(2.0);
  {
    GradientTape tape;
    tape.watch(x);
    Tensor y;
    {
      NoGradGuard no_grad;
      y = x * x;
    }
    EXPECT_FALSE(tape.gradient(y, {x})[0].defined());
  }
  {
    GradientTape tape;
    tape.watch(x);
    Tensor a = x * x;  // recorded
    Tensor b;
    {
      auto pause = tape.stop_recording();
      b = a * x;  // not recorded
    }
    Tensor c = b + a;                                        // recorded, but b is not connected
    EXPECT_DOUBLE_EQ(tape.gradient(c, {x})[0].item(), 4.0);  // d(x^2)/dx only
  }
}

TEST(Tape, NestedTapesGiveHigherOrderDerivatives) {
  Tensor x = constant(3.0);
  GradientTape outer;
  outer.watch(x);
  Tensor dy;
  {
    GradientTape inner;
    inner.watch(x);
    Tensor y = x * x * x;
    dy = inner.gradient(y, {x})[0];  // 3 x^2, recorded by the outer tape
  }
  EXPECT_DOUBLE_EQ(dy.item(), 27.0);
  EXPECT_DOUBLE_EQ(outer.gradient(dy, {x})[0].item(), 18.0);  // 6 x
}

TEST(Tape, ThirdOrderThroughThreeTapes) {
  Tensor x = constant(2.0);
  GradientTape t1;
  t1.watch(x);
  Tensor d2;
  {
    GradientTape t2;
    t2.watch(x);
    Tensor d1;
    {
      GradientTape t3;
      t3.watch(x);
      d1 = t3.gradient(exp(x * 2.0), {x})[0];  // 2 e^{2x}
    }
    d2 = t2.gradient(d1, {x})[0];  // 4 e^{2x}
  }
  Tensor d3 = t1.gradient(d2, {x})[0];  // 8 e^{2x}
  EXPECT_NEAR(d2.item(), 4 * std::exp(4.0), 1e-12);
  EXPECT_NEAR(d3.item(), 8 * std::exp(4.0), 1e-11);
}

TEST(Tape, OutputGradientGivesAVectorJacobianProduct) {
  Tensor a = constant({{1.0, 2.0}, {3.0, 4.0}});
  Tensor x = constant({{1.0}, {-1.0}});
  GradientTape tape;
  tape.watch(x);
  Tensor y = matmul(a, x);  // (2, 1)
  Tensor v = constant({{10.0}, {100.0}});
  auto g = tape.gradient(y, std::vector<Source>{x}, v);
  // d(v . A x)/dx = A^T v
  EXPECT_TRUE(values_equal(g[0], {2, 1}, {1 * 10 + 3 * 100, 2 * 10 + 4 * 100}));
}

TEST(Tape, WatchedVariablesInFirstReadOrder) {
  Variable a("a", constant(1.0)), b("b", constant(2.0)), c("c", constant(3.0));
  Variable frozen("frozen", constant(4.0), /*trainable=*/false);
  GradientTape tape;
  // One read per statement: operand evaluation order inside an expression is unspecified.
  Tensor vc = c;
  Tensor vb = b;
  Tensor vf = frozen;
  Tensor va = a;
  Tensor vc2 = c;  // a second read does not move c
  Tensor y = vc * vb + vf * vb + va * vc2;
  std::vector<std::string> names;
  for (const Variable& v : tape.watched_variables()) names.push_back(v.name());
  EXPECT_THAT(names, ElementsAre("c", "b", "a"));
  auto g = tape.gradient(y, tape.watched_variables());
  EXPECT_DOUBLE_EQ(g[0].item(), 2.0 + 1.0);  // dy/dc = b + a
  EXPECT_DOUBLE_EQ(g[1].item(), 3.0 + 4.0);  // dy/db = c + frozen
  EXPECT_DOUBLE_EQ(g[2].item(), 3.0);        // dy/da = c
}

TEST(SparseGradients, GatherFromAVariableIsIndexedSlices) {
  Variable emb("emb", constant({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}, {7.0, 8.0}}));
  GradientTape tape;
  Tensor rows = gather(emb, constant({3, 1, 3}));
  Tensor loss = sum(rows * constant({{1.0, 10.0}, {100.0, 1000.0}, {2.0, 20.0}}));
  Gradient g = tape.gradient(loss, {emb})[0];
  ASSERT_TRUE(g.is_sparse());
  const IndexedSlices& s = g.slices();
  EXPECT_THAT(s.indices.to_vector<int64_t>(), ElementsAre(3, 1, 3));
  EXPECT_TRUE(values_equal(s.values, {3, 2}, {1, 10, 100, 1000, 2, 20}));
  EXPECT_EQ(s.dense_shape, (Shape{4, 2}));
  EXPECT_EQ(g.shape(), (Shape{4, 2}));
  EXPECT_EQ(g.dtype(), f64);
  // Densified, duplicate rows add up.
  EXPECT_TRUE(values_equal(g.to_dense(), {4, 2}, {0, 0, 100, 1000, 0, 0, 3, 30}));
  EXPECT_TRUE(values_equal(Tensor(g), {4, 2}, {0, 0, 100, 1000, 0, 0, 3, 30}));
  // coalesce(): sorted unique rows, duplicates summed.
  IndexedSlices c = s.coalesce();
  EXPECT_THAT(c.indices.to_vector<int64_t>(), ElementsAre(1, 3));
  EXPECT_EQ(c.indices.dtype(), s.indices.dtype());
  EXPECT_TRUE(values_equal(c.values, {2, 2}, {100, 1000, 3, 30}));
  EXPECT_EQ(c.dense_shape, (Shape{4, 2}));
  // A dense gradient refuses slices().
  EXPECT_EQ(error_of([] { Gradient(constant(1.0)).slices(); }).detail(), "this gradient is dense");
}

TEST(SparseGradients, SparsePlusSparseConcatenates) {
  Variable emb("emb", zeros({5, 1}, f64));
  GradientTape tape;
  Tensor a = gather(emb, constant({0, 4}));
  Tensor b = gather(emb, constant({4}));  // a second read of the variable
  Tensor loss = sum(a) + sum(b * 3.0);
  Gradient g = tape.gradient(loss, {emb})[0];
  ASSERT_TRUE(g.is_sparse());
  std::vector<int64_t> idx = g.slices().indices.to_vector<int64_t>();
  std::vector<double> vals = g.slices().values.to_vector<double>();
  ASSERT_EQ(idx.size(), 3u);  // concatenated, not merged
  EXPECT_EQ(vals.size(), 3u);
  EXPECT_TRUE(values_equal(g.to_dense(), {5, 1}, {1, 0, 0, 0, 4}));

  // accumulate() directly, including mixed index dtypes.
  Gradient x = IndexedSlices{constant({0}), constant({{1.0}}), Shape{3, 1}};
  Gradient y =
      IndexedSlices{constant({int64_t{2}, int64_t{0}}), constant({{2.0}, {3.0}}), Shape{3, 1}};
  Gradient s = accumulate(x, y);
  ASSERT_TRUE(s.is_sparse());
  EXPECT_THAT(s.slices().indices.to_vector<int64_t>(), ElementsAre(0, 2, 0));
  EXPECT_TRUE(values_equal(s.to_dense(), {3, 1}, {4, 0, 2}));
}

TEST(SparseGradients, SparsePlusDenseDensifies) {
  Variable emb("emb", constant({{1.0}, {2.0}, {3.0}}));
  GradientTape tape;
  Tensor loss = sum(gather(emb, constant({2, 2}))) + sum(emb * 10.0);
  Gradient g = tape.gradient(loss, {emb})[0];
  EXPECT_FALSE(g.is_sparse());
  EXPECT_TRUE(values_equal(g, {3, 1}, {10, 10, 12}));

  Gradient sparse = IndexedSlices{constant({1}), constant({{5.0}}), Shape{3, 1}};
  Gradient dense = constant({{1.0}, {1.0}, {1.0}});
  for (const Gradient& sum_ab : {accumulate(sparse, dense), accumulate(dense, sparse)}) {
    EXPECT_FALSE(sum_ab.is_sparse());
    EXPECT_TRUE(values_equal(sum_ab.to_dense(), {3, 1}, {1, 6, 1}));
  }
  // Undefined is the identity.
  EXPECT_TRUE(accumulate(Gradient(), sparse).is_sparse());
  EXPECT_FALSE(accumulate(Gradient(), Gradient()).defined());
}

TEST(SparseGradients, PrintLikeTensorFlow) {
  Gradient g = IndexedSlices{constant({2, 0}), constant({{1.f, 2.f}, {3.f, 4.f}}), Shape{3, 2}};
  std::ostringstream os;
  os << g;
  EXPECT_EQ(os.str(),
            "kiln.IndexedSlices(indices=[2 0], values=[[1. 2.]\n [3. 4.]], dense_shape=(3, 2))");
}

TEST(Tape, ErrorsLeaveTheTapeUsable) {
  Variable w("w", constant({1.0, 2.0}));
  GradientTape tape;
  Tensor y = w * 3.0;
  EXPECT_EQ(error_of([&] { y + constant({1.0, 2.0, 3.0}); }).op(), "add");
  EXPECT_EQ(error_of([&] { y + constant({1.f, 2.f}); }).op(), "add");
  Tensor loss = sum(y * y);
  Gradient g = tape.gradient(loss, {w})[0];
  EXPECT_TRUE(values_equal(g, {2}, {18, 36}));  // d/dw sum(9 w^2) = 18 w
}

}  // namespace
}  // namespace kiln
