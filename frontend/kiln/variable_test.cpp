// Tests for Variable: updates (assign, assign_add/sub, scatter_add/sub), errors that
// leave the value unchanged, copy-on-write snapshots versus in-place updates, shared
// handles, and printing.
#include "kiln/variable.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
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

TEST(Variable, HoldsACopyOfItsInitialValue) {
  Tensor init = constant({1.f, 2.f});
  Variable v("layer/w", init);
  EXPECT_EQ(v.name(), "layer/w");
  EXPECT_TRUE(v.trainable());
  EXPECT_EQ(v.dtype(), f32);
  EXPECT_EQ(v.shape(), Shape{2});
  EXPECT_FALSE(v.storage().shares_storage_with(init));
  v.assign_add(1.0);
  EXPECT_TRUE(values_equal(init, {2}, {1, 2}));  // the caller's tensor is untouched
  EXPECT_TRUE(values_equal(v.value(), {2}, {2, 3}));
  EXPECT_FALSE(Variable("b", constant(0.0), /*trainable=*/false).trainable());
  EXPECT_FALSE(Variable().defined());
  EXPECT_EQ(error_of([] { Variable("", constant(1.f)); }).detail(),
            "a variable needs a non-empty name");
  EXPECT_EQ(error_of([] { Variable("x", Tensor()); }).detail(),
            "initial value of 'x' is undefined");
}

TEST(Variable, Updates) {
  Variable v("v", constant({{1.0, 2.0}, {3.0, 4.0}}));
  v.assign(constant({{5.0, 6.0}, {7.0, 8.0}}));
  EXPECT_TRUE(values_equal(v, {2, 2}, {5, 6, 7, 8}));
  v.assign_add(constant({{1.0, 1.0}, {1.0, 1.0}}));
  EXPECT_TRUE(values_equal(v, {2, 2}, {6, 7, 8, 9}));
  v.assign_sub(constant({1.0, 2.0}));  // broadcast to the variable's shape
  EXPECT_TRUE(values_equal(v, {2, 2}, {5, 5, 7, 7}));
  v.assign_add(0.5);
  EXPECT_TRUE(values_equal(v, {2, 2}, {5.5, 5.5, 7.5, 7.5}));
  v.assign_sub(2.5);
  EXPECT_TRUE(values_equal(v, {2, 2}, {3, 3, 5, 5}));

  Variable counter("step", constant(int64_t{0}), /*trainable=*/false);
  for (int i = 0; i < 3; ++i) counter.assign_add(1);
  EXPECT_EQ(counter.value().item<int64_t>(), 3);
}

TEST(Variable, ScatterUpdatesRowsAndDuplicatesAccumulate) {
  Variable v("emb", zeros({4, 2}));
  v.scatter_add(constant({1, 3, 1}), constant({{1.f, 2.f}, {10.f, 20.f}, {100.f, 200.f}}));
  EXPECT_TRUE(values_equal(v, {4, 2}, {0, 0, 101, 202, 0, 0, 10, 20}));
  v.scatter_sub(constant({int64_t{3}, int64_t{3}}), constant({{1.f, 1.f}, {2.f, 2.f}}));
  EXPECT_TRUE(values_equal(v, {4, 2}, {0, 0, 101, 202, 0, 0, 7, 17}));
  // IndexedSlices (a sparse gradient) directly.
  v.scatter_sub(IndexedSlices{constant({0}), constant({{0.5f, 0.25f}}), Shape{4, 2}});
  EXPECT_TRUE(values_equal(v, {4, 2}, {-0.5, -0.25, 101, 202, 0, 0, 7, 17}));
  // 1-D variable, int dtype.
  Variable counts("counts", constant({0, 0, 0}));
  counts.scatter_add(constant({2, 2, 0}), constant({1, 1, 1}));
  EXPECT_TRUE(values_equal(counts, {3}, {1, 0, 2}));
}

TEST(Variable, FailedUpdatesLeaveTheValueUnchanged) {
  Variable v("model/w", constant({1.f, 2.f, 3.f}));
  auto [e, line] = error_and_line([&] { v.assign(constant({1.f, 2.f})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "assign: variable 'model/w' has shape (3,), the value has shape (2,)" +
                at(__FILE__, line, "assign"));
  EXPECT_EQ(error_of([&] {
              v.assign(constant({1.0, 2.0, 3.0}));
            }).detail(),
            "variable 'model/w' has dtype float32, the value has dtype float64");
  EXPECT_EQ(error_of([&] {
              v.assign_add(constant({{1.f}, {2.f}}));
            }).detail(),
            "variable 'model/w' has shape (3,), the value has shape (2, 1)");
  EXPECT_EQ(error_of([&] { v.assign_sub(constant({1, 2, 3})); }).op(), "assign_sub");
  EXPECT_EQ(error_of([&] { v.assign(Tensor()); }).detail(), "the new value is an undefined tensor");
  Variable n("n", constant({1, 2}));
  EXPECT_EQ(error_of([&] { n.assign_add(0.5); }).op(), "scalar");

  auto [s, l2] = error_and_line([&] { v.scatter_sub(constant({0, 3}), zeros({2})); }, __LINE__);
  EXPECT_EQ(std::string(s.what()),
            "scatter_sub: indices[1] = 3 is not in [0, 3)" + at(__FILE__, l2, "scatter_sub"));
  EXPECT_EQ(error_of([&] { v.scatter_add(constant({-1}), zeros({1})); }).detail(),
            "indices[0] = -1 is not in [0, 3)");
  EXPECT_EQ(error_of([&] { v.scatter_add(constant({0}), zeros({2})); }).detail(),
            "updates have shape (2,), expected (1,)");
  EXPECT_EQ(error_of([&] { v.scatter_add(constant({0}), zeros({1}, f64)); }).detail(),
            "updates must have the variable's dtype float32");
  EXPECT_EQ(error_of([&] { v.scatter_add(constant({0.f}), zeros({1})); }).detail(),
            "indices must be an int32 or int64 tensor");
  // The first index is valid: nothing was applied before the bad one was found.
  EXPECT_TRUE(values_equal(v, {3}, {1, 2, 3}));
  EXPECT_TRUE(values_equal(n, {2}, {1, 2}));
}

TEST(Variable, SnapshotsKeepTheirValueAfterUpdates) {
  Variable v("v", constant({1.f, 2.f}));
  Tensor before = v.value();
  const void* old_buffer = v.storage().raw();
  EXPECT_TRUE(before.shares_storage_with(v.storage()));  // a snapshot costs no copy
  v.assign_add(10.0);
  EXPECT_TRUE(values_equal(before, {2}, {1, 2}));
  EXPECT_TRUE(values_equal(v.value(), {2}, {11, 12}));
  // The update copied (copy on write) because a snapshot was alive.
  EXPECT_NE(v.storage().raw(), old_buffer);
  EXPECT_FALSE(before.shares_storage_with(v.storage()));

  Tensor s2 = v;  // implicit read
  v.scatter_add(constant({0}), constant({5.f}));
  v.assign(constant({0.f, 0.f}));
  EXPECT_TRUE(values_equal(s2, {2}, {11, 12}));
}

TEST(Variable, UpdatesWithNoSnapshotAliveHappenInPlace) {
  Variable v("v", constant({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}));  // 64 bytes
  const void* buffer = v.storage().raw();
  v.assign_add(1.0);
  v.assign_sub(constant({0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}));
  v.assign(constant({8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0}));
  v.scatter_add(constant({0}), constant({1.0}));
  v.scatter_sub(constant({1}), constant({1.0}));
  EXPECT_EQ(v.storage().raw(), buffer);
  {
    Tensor temporary = v.value();  // a snapshot that dies before the next update
    EXPECT_DOUBLE_EQ(temporary[0].item(), 9.0);
  }
  v.assign_add(1.0);
  EXPECT_EQ(v.storage().raw(), buffer);
  EXPECT_TRUE(values_equal(v, {8}, {10, 7, 7, 6, 5, 4, 3, 2}));
}

TEST(Variable, CopiesAreHandlesToTheSameVariable) {
  Variable a("shared", constant({1, 2}));
  Variable b = a;
  b.assign_add(1);
  EXPECT_TRUE(values_equal(a, {2}, {2, 3}));
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(&a.storage(), &b.storage());
  Variable c("shared", constant({1, 2}));  // same name, different variable
  EXPECT_NE(c.id(), a.id());
}

TEST(Variable, SharedViewsUpdateTheSameBytesInPlace) {
  Variable v("hogwild", constant({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}));
  const void* bytes = v.storage().raw();
  Variable a = v.shared_view(), b = v.shared_view();
  EXPECT_EQ(a.name(), "hogwild");
  EXPECT_NE(a.id(), v.id());
  EXPECT_NE(a.id(), b.id());
  {
    // A snapshot alive through one view does not make another view copy: each counts only
    // its own snapshots.
    Tensor snapshot_a = a.value();
    b.scatter_sub(constant({0}), constant({1.0}));
    EXPECT_EQ(b.storage().raw(), bytes);
  }
  a.scatter_add(constant({7}), constant({2.0}));
  EXPECT_EQ(a.storage().raw(), bytes);
  EXPECT_TRUE(values_equal(v, {8}, {0, 2, 3, 4, 5, 6, 7, 10}));
  // The bytes outlive the variable while a view holds them.
  v = Variable();
  EXPECT_TRUE(values_equal(a, {8}, {0, 2, 3, 4, 5, 6, 7, 10}));
}

TEST(Variable, AssignFromItsOwnSnapshot) {
  Variable v("v", constant({1.0, 2.0}));
  v.assign(v.value() * 2.0);
  EXPECT_TRUE(values_equal(v, {2}, {2, 4}));
  v.assign(v);
  EXPECT_TRUE(values_equal(v, {2}, {2, 4}));
}

TEST(Variable, Prints) {
  Variable v("huber/w", constant({1.f, 2.5f}));
  EXPECT_EQ(v.str(), "kiln.Variable('huber/w', shape=(2,), dtype=float32, numpy=[1.  2.5])");
  std::ostringstream os;
  os << Variable("step", constant(int64_t{3}));
  EXPECT_EQ(os.str(), "kiln.Variable('step', shape=(), dtype=int64, numpy=3)");
  EXPECT_EQ(Variable().str(), "kiln.Variable(<uninitialized>)");
}

}  // namespace
}  // namespace kiln
