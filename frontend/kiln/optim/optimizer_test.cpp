// Tests for the optimizers: each update rule against a float64 recurrence written out here
// (TensorFlow's documented formulas) and, where the formulas coincide, against numbers from
// PyTorch 1.13; sparse updates touch only their rows and work in place; slots, step counts,
// error messages; and an end-to-end linear fit.
#include "kiln/optim/optimizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "kiln/nn/dense.h"
#include "kiln/optim/adagrad.h"
#include "kiln/optim/adam.h"
#include "kiln/optim/sgd.h"
#include "kiln/testing/expect.h"

namespace kiln::optim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Rows = std::vector<std::vector<double>>;

// ---------------------------------------------------------------------------------------------
// Helpers.

Variable var64(const std::string& name, const std::vector<double>& values, const Shape& shape) {
  return Variable(name, constant(values, shape));
}

std::vector<double> values(const Variable& v) { return v.storage().to_vector<double>(); }

Tensor t64(const std::vector<double>& values, const Shape& shape) {
  return constant(values, shape);
}

// IndexedSlices with the given rows (values shape = [rows, dense_shape[1:]...]).
Gradient sparse(const std::vector<int64_t>& indices, const Rows& rows, const Shape& dense_shape,
                DType dtype = f64) {
  std::vector<double> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  Shape shape{static_cast<int64_t>(rows.size())};
  for (int d = 1; d < dense_shape.rank(); ++d) shape.push_back(dense_shape[d]);
  return Gradient(
      IndexedSlices{constant(indices), cast(constant(flat, shape), dtype), dense_shape});
}

void expect_all_near(const std::vector<double>& got, const std::vector<double>& want, double tol,
                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol) << what << " [" << i << "]";
}

// Errors must point at this file, at the statement after `line`.
template <class F>
void expect_error_at(F&& f, int line, const std::string& text) {
  testing::expect_error_at(std::forward<F>(f), "optimizer_test.cpp", line, text);
}

// The same gradient sequence for every dense recurrence test (and the PyTorch runs).
const std::vector<double> kW0 = {0.5, -1.0, 2.0};
const Rows kGrads = {{0.3, -0.2, 1.5}, {-0.1, 0.4, 0.7}, {0.25, 0.0, -2.0}, {1.0, -0.5, 0.05}};

// Applies kGrads one step at a time to a float64 copy of kW0.
Variable run_dense(Optimizer& opt, DType dtype = f64) {
  Variable w("w", cast(t64(kW0, {3}), dtype));
  for (const auto& g : kGrads) opt.apply({Gradient(cast(t64(g, {3}), dtype))}, {w});
  return w;
}

// ---------------------------------------------------------------------------------------------
// Float64 references: TensorFlow's update formulas, element by element.

struct MomentumRef {
  double lr, m;
  bool nesterov;
  std::vector<double> w, accum;
  void step(const std::vector<double>& g) {
    for (size_t i = 0; i < w.size(); ++i) {
      accum[i] = accum[i] * m - lr * g[i];
      w[i] += nesterov ? accum[i] * m - lr * g[i] : accum[i];
    }
  }
};

struct AdagradRef {
  double lr, eps;
  std::vector<double> w, accum;
  void step_row(size_t i, double g) {
    accum[i] += g * g;
    w[i] -= lr * g / (std::sqrt(accum[i]) + eps);
  }
};

struct AdamRef {
  double lr, b1, b2, eps;
  std::vector<double> w, m, v;
  int t = 0;
  double lr_t() const { return lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)); }
  void step(const std::vector<double>& g) {
    ++t;
    for (size_t i = 0; i < w.size(); ++i) {
      m[i] += (g[i] - m[i]) * (1 - b1);
      v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
      w[i] -= lr_t() * m[i] / (std::sqrt(v[i]) + eps);
    }
  }
  // tf.keras sparse Adam: every row decays; rows named in `g` (summed per row) add.
  void step_sparse(const std::map<int64_t, std::vector<double>>& g, int64_t width) {
    ++t;
    for (size_t i = 0; i < w.size(); ++i) m[i] *= b1, v[i] *= b2;
    for (const auto& [row, vals] : g)
      for (int64_t j = 0; j < width; ++j) {
        m[row * width + j] += (1 - b1) * vals[j];
        v[row * width + j] += (1 - b2) * vals[j] * vals[j];
      }
    for (size_t i = 0; i < w.size(); ++i) w[i] -= lr_t() * m[i] / (std::sqrt(v[i]) + eps);
  }
};

// Rows of a sparse gradient summed per index (what coalesce() promises).
std::map<int64_t, std::vector<double>> summed(const std::vector<int64_t>& idx, const Rows& rows) {
  std::map<int64_t, std::vector<double>> out;
  for (size_t k = 0; k < idx.size(); ++k) {
    auto& r = out[idx[k]];
    r.resize(rows[k].size(), 0.0);
    for (size_t j = 0; j < rows[k].size(); ++j) r[j] += rows[k][j];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SGD.

TEST(SGD, DenseStepSubtractsLrTimesGradientInPlace) {
  Variable w("w", constant({1.f, 2.f, 3.f}));
  const void* storage = w.storage().raw();
  SGD opt(SGDOptions(/*learning_rate=*/0.1));
  opt.apply({Gradient(constant({0.5f, -1.f, 2.f}))}, {w});
  expect_all_near(values(w), {1 - 0.05, 2 + 0.1, 3 - 0.2}, 1e-6, "w");
  EXPECT_EQ(w.storage().raw(), storage);
  EXPECT_EQ(opt.step(), 1);
  EXPECT_EQ(opt.iterations().name(), "SGD/iter");
  EXPECT_TRUE(opt.slot_variables().empty());
}

TEST(SGD, SparseStepTouchesOnlyItsRowsAddsDuplicatesAndDoesNotCopy) {
  Variable w("emb", random_normal({6, 3}, /*seed=*/4));
  std::vector<float> before = w.storage().to_vector<float>();
  const void* storage = w.storage().raw();
  Rows rows = {{1, 2, 3}, {0.5, 0.5, 0.5}, {-4, 1, 0.25}};
  SGD opt(SGDOptions(/*learning_rate=*/0.5));
  opt.apply({sparse({1, 4, 1}, rows, {6, 3}, f32)}, {w});
  EXPECT_EQ(w.storage().raw(), storage) << "the update copied the variable";
  std::vector<float> after = w.storage().to_vector<float>();
  for (int r : {0, 2, 3, 5})
    EXPECT_EQ(std::memcmp(&after[r * 3], &before[r * 3], 3 * sizeof(float)), 0) << "row " << r;
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(after[1 * 3 + j], before[1 * 3 + j] - 0.5 * (rows[0][j] + rows[2][j]), 1e-6);
    EXPECT_NEAR(after[4 * 3 + j], before[4 * 3 + j] - 0.5 * rows[1][j], 1e-6);
  }
}

TEST(SGD, ALiveSnapshotKeepsItsValuesAndTheUpdateCopiesInstead) {
  Variable w("w", constant({1.0, 2.0}));
  Tensor snapshot = w.value();
  SGD opt(SGDOptions(/*learning_rate=*/1.0));
  opt.apply({sparse({0}, {{1.0}}, {2})}, {w});
  EXPECT_THAT(snapshot.to_vector<double>(), ElementsAre(1.0, 2.0));
  EXPECT_THAT(values(w), ElementsAre(0.0, 2.0));
}

TEST(SGD, SparseGradientOfEmbeddingLookupMatchesItsClosedForm) {
  Variable w = var64("w", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {5, 2});
  std::vector<double> w0 = values(w);
  std::vector<Gradient> g;
  {
    GradientTape tape;
    Tensor loss = sum(square(embedding_lookup(w, constant({0, 3, 0}))));
    g = tape.gradient(loss, {w});
  }
  ASSERT_TRUE(g[0].is_sparse());
  SGD opt(SGDOptions(/*learning_rate=*/0.1));
  opt.apply(g, {w});
  // d loss / d w[r] = 2 w[r] * (times r was looked up).
  std::vector<double> want = w0;
  double count[5] = {2, 0, 0, 1, 0};
  for (int r = 0; r < 5; ++r)
    for (int j = 0; j < 2; ++j) want[r * 2 + j] -= 0.1 * 2 * w0[r * 2 + j] * count[r];
  expect_all_near(values(w), want, 1e-12, "w");
}

TEST(SGD, MomentumFollowsTheRecurrence) {
  for (bool nesterov : {false, true}) {
    SGD opt(SGDOptions(/*learning_rate=*/0.1).momentum(0.9).nesterov(nesterov));
    Variable w = var64("w", kW0, {3});
    MomentumRef ref{0.1, 0.9, nesterov, kW0, {0, 0, 0}};
    for (int step = 0; step < 3; ++step) {
      opt.apply({Gradient(t64(kGrads[step], {3}))}, {w});
      ref.step(kGrads[step]);
      expect_all_near(values(w), ref.w, 1e-12, "w after step " + std::to_string(step + 1));
      expect_all_near(values(opt.slot(w, "momentum")), ref.accum, 1e-12, "accumulator");
    }
    EXPECT_EQ(opt.slot(w, "momentum").name(), "w/Momentum");
    EXPECT_FALSE(opt.slot(w, "momentum").trainable());
  }
}

TEST(SGD, MomentumAgreesWithPyTorch) {
  // torch.optim.SGD(lr=0.1, momentum=0.9[, nesterov=True]) on kGrads from kW0: its buffer is
  // -accum / lr, so the trajectories coincide.
  SGD plain(SGDOptions(/*learning_rate=*/0.1).momentum(0.9));
  expect_all_near(values(run_dense(plain)), {0.27642999999999995, -0.98962, 1.66945}, 1e-12,
                  "momentum");
  SGD nesterov(SGDOptions(/*learning_rate=*/0.1).momentum(0.9).nesterov(true));
  expect_all_near(values(run_dense(nesterov)), {0.153787, -0.960658, 1.677505}, 1e-12, "nesterov");
}

TEST(SGD, SparseMomentumUpdatesOnlyTheTouchedRowsOfVarAndAccumulator) {
  // TensorFlow's sparse Keras momentum: summed duplicates, untouched accumulator rows do not decay.
  Variable w = var64("w", {1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  SGD opt(SGDOptions(/*learning_rate=*/0.1).momentum(0.5));
  std::vector<double> ref_w = values(w), ref_acc(8, 0.0);
  std::vector<std::pair<std::vector<int64_t>, Rows>> steps = {
      {{0, 2, 0}, {{1, -1}, {2, 2}, {0.5, 0.25}}}, {{2}, {{-1, 3}}}, {{1, 2}, {{4, 4}, {1, 1}}}};
  for (const auto& [idx, rows] : steps) {
    opt.apply({sparse(idx, rows, {4, 2})}, {w});
    for (const auto& [r, g] : summed(idx, rows))
      for (int j = 0; j < 2; ++j) {
        double& a = ref_acc[r * 2 + j];
        a = a * 0.5 - 0.1 * g[j];
        ref_w[r * 2 + j] += a;
      }
    expect_all_near(values(w), ref_w, 1e-12, "w");
    expect_all_near(values(opt.slot(w, "momentum")), ref_acc, 1e-12, "accumulator");
  }
  // Row 3 was never touched: exactly its initial value, accumulator still zero.
  EXPECT_EQ(values(w)[6], 7.0);
  EXPECT_EQ(values(opt.slot(w, "momentum"))[7], 0.0);
}

TEST(SGD, BadOptionsAreErrors) {
  int line = __LINE__;
  expect_error_at([] { SGD opt(SGDOptions(0.1).momentum(1.5)); }, line,
                  "momentum must be in [0, 1]");
  line = __LINE__;
  expect_error_at([] { SGD opt(SGDOptions(0.1).nesterov(true)); }, line, "nesterov needs momentum");
  line = __LINE__;
  expect_error_at([] { SGD opt(SGDOptions(-1)); }, line, "learning_rate must be >= 0");
}

// ---------------------------------------------------------------------------------------------
// Adagrad.

TEST(Adagrad, DenseFollowsTheRecurrenceAndAgreesWithPyTorch) {
  Adagrad opt(AdagradOptions(/*learning_rate=*/0.1));
  Variable w = var64("w", kW0, {3});
  AdagradRef ref{0.1, 1e-7, kW0, {0.1, 0.1, 0.1}};
  for (const auto& g : kGrads) {
    opt.apply({Gradient(t64(g, {3}))}, {w});
    for (size_t i = 0; i < 3; ++i) ref.step_row(i, g[i]);
    expect_all_near(values(w), ref.w, 1e-12, "w");
    expect_all_near(values(opt.slot(w, "accumulator")), ref.accum, 1e-12, "accumulator");
  }
  // torch.optim.Adagrad(lr=0.1, initial_accumulator_value=0.1, eps=1e-7), same formula.
  expect_all_near(values(w), {0.315742152302476, -0.9521574497485005, 1.9351738997925005}, 1e-12,
                  "PyTorch");
  EXPECT_EQ(opt.slot(w, "accumulator").name(), "w/Adagrad");
  // float32 follows the same numbers to float32 precision.
  Adagrad opt32(AdagradOptions(/*learning_rate=*/0.1));
  expect_all_near(values(run_dense(opt32, f32)), ref.w, 1e-5, "float32");
}

TEST(Adagrad, SparseSumsDuplicatesAndLeavesOtherRowsUntouched) {
  Variable w = var64("table", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {5, 2});
  Adagrad opt(AdagradOptions(/*learning_rate=*/0.5).initial_accumulator_value(0.2).epsilon(1e-3));
  AdagradRef ref{0.5, 1e-3, values(w), std::vector<double>(10, 0.2)};
  std::vector<std::pair<std::vector<int64_t>, Rows>> steps = {
      {{3, 0, 3}, {{1, -2}, {0.5, 0.5}, {2, 1}}},
      {{0}, {{-1, 4}}},
      {{1, 3, 3}, {{3, 3}, {1, 0}, {1, 0}}}};
  for (const auto& [idx, rows] : steps) {
    opt.apply({sparse(idx, rows, {5, 2})}, {w});
    for (const auto& [r, g] : summed(idx, rows))
      for (int j = 0; j < 2; ++j) ref.step_row(r * 2 + j, g[j]);
    expect_all_near(values(w), ref.w, 1e-12, "w");
    expect_all_near(values(opt.slot(w, "accumulator")), ref.accum, 1e-12, "accumulator");
  }
  // Rows 2 and 4 were never touched: bit-identical, accumulators at their initial value.
  EXPECT_EQ(values(w)[4], 5.0);
  EXPECT_EQ(values(w)[9], 10.0);
  EXPECT_EQ(values(opt.slot(w, "accumulator"))[8], 0.2);
}

// ---------------------------------------------------------------------------------------------
// Adam.

TEST(Adam, DenseFollowsTheRecurrence) {
  Adam opt(AdamOptions(/*learning_rate=*/0.1));
  Variable w = var64("w", kW0, {3});
  AdamRef ref{0.1, 0.9, 0.999, 1e-7, kW0, {0, 0, 0}, {0, 0, 0}};
  for (const auto& g : kGrads) {
    opt.apply({Gradient(t64(g, {3}))}, {w});
    ref.step(g);
    expect_all_near(values(w), ref.w, 1e-12, "w at t = " + std::to_string(ref.t));
    expect_all_near(values(opt.slot(w, "m")), ref.m, 1e-12, "m");
    expect_all_near(values(opt.slot(w, "v")), ref.v, 1e-12, "v");
  }
  EXPECT_EQ(opt.step(), 4);
  // float32: the bias correction is computed in float32 too, as TensorFlow does.
  Adam opt32(AdamOptions(/*learning_rate=*/0.1));
  expect_all_near(values(run_dense(opt32, f32)), ref.w, 2e-5, "float32");
}

TEST(Adam, AgreesWithPyTorchWhenEpsilonIsZero) {
  // PyTorch adds epsilon after dividing sqrt(v) by sqrt(1 - beta_2^t), TensorFlow before; with
  // epsilon = 0 the two are the same formula.
  Adam opt(AdamOptions(/*learning_rate=*/0.1).epsilon(0));
  expect_all_near(values(run_dense(opt)),
                  {0.2226188903020739, -0.9370192576336785, 1.8136246221071004}, 1e-12,
                  "torch.optim.Adam(lr=0.1, eps=0)");
}

TEST(Adam, SparseDecaysEveryRowAndAddsToTheTouchedOnes) {
  Variable w = var64("w", {1, 2, 3, 4, 5, 6}, {3, 2});
  Adam opt(AdamOptions(/*learning_rate=*/0.05).beta_1(0.8).beta_2(0.99).epsilon(1e-6));
  AdamRef ref{
      0.05, 0.8, 0.99, 1e-6, values(w), std::vector<double>(6, 0.0), std::vector<double>(6, 0.0)};
  std::vector<std::pair<std::vector<int64_t>, Rows>> steps = {
      {{0, 0}, {{1, -1}, {2, 0.5}}}, {{2}, {{-3, 1}}}, {{2, 0, 2}, {{1, 1}, {0.5, 0.5}, {1, -2}}}};
  for (const auto& [idx, rows] : steps) {
    std::vector<double> before = values(w);
    opt.apply({sparse(idx, rows, {3, 2})}, {w});
    ref.step_sparse(summed(idx, rows), 2);
    expect_all_near(values(w), ref.w, 1e-12, "w at t = " + std::to_string(ref.t));
    expect_all_near(values(opt.slot(w, "m")), ref.m, 1e-12, "m");
    expect_all_near(values(opt.slot(w, "v")), ref.v, 1e-12, "v");
    if (ref.t == 2) {
      EXPECT_NE(values(w)[0], before[0]) << "row 0 keeps moving on its momentum";
    }
  }
  // Row 1 never had a gradient: m and v are zero there, so it never moved.
  EXPECT_EQ(values(w)[2], 3.0);
}

TEST(Adam, SlotsStepCountAndVariablesForCheckpoints) {
  Variable a = var64("model/a", {1, 2}, {2}), b = var64("model/b", {3}, {1});
  Adam opt;
  EXPECT_EQ(opt.learning_rate(), 0.001);
  EXPECT_THAT(opt.slot_names(), ElementsAre("m", "v"));
  opt.apply({Gradient(t64({1, 1}, {2})), Gradient(t64({1}, {1}))}, {a, b});
  opt.apply({Gradient(t64({1, 1}, {2})), Gradient(t64({1}, {1}))}, {a, b});
  EXPECT_EQ(opt.step(), 2);
  std::vector<std::string> names;
  for (const Variable& v : opt.variables()) names.push_back(v.name());
  EXPECT_THAT(names, ElementsAre("Adam/iter", "model/a/Adam", "model/a/Adam_1", "model/b/Adam",
                                 "model/b/Adam_1"));
  for (const Variable& v : opt.slot_variables()) EXPECT_FALSE(v.trainable());
  EXPECT_EQ(opt.slot_variables().size(), 4u);
}

TEST(Adam, BadOptionsAreErrors) {
  int line = __LINE__;
  expect_error_at([] { Adam opt(AdamOptions().beta_1(1.0)); }, line, "must be in [0, 1)");
  line = __LINE__;
  expect_error_at([] { Adagrad opt(AdagradOptions().initial_accumulator_value(-1)); }, line,
                  "initial_accumulator_value must be >= 0");
}

// ---------------------------------------------------------------------------------------------
// Everything optimizers share.

// Every rule, dense and sparse, updates the variable and its slots in place once the slots
// exist (the first apply creates them) and no snapshot is alive.
TEST(Optimizer, UpdatesWorkInPlace) {
  std::vector<std::unique_ptr<Optimizer>> opts;
  opts.push_back(std::make_unique<SGD>(SGDOptions(0.1)));
  opts.push_back(std::make_unique<SGD>(SGDOptions(0.1).momentum(0.9)));
  opts.push_back(std::make_unique<SGD>(SGDOptions(0.1).momentum(0.9).nesterov(true)));
  opts.push_back(std::make_unique<Adagrad>(AdagradOptions(0.1)));
  opts.push_back(std::make_unique<Adam>(AdamOptions(0.1)));
  for (auto& opt : opts) {
    for (bool is_sparse : {false, true}) {
      Variable w("w", random_normal({4, 3}, /*seed=*/1));
      Gradient g = is_sparse ? Gradient(IndexedSlices{
                                   constant({2, 0, 2}), random_normal({3, 3}, /*seed=*/2), {4, 3}})
                             : Gradient(random_normal({4, 3}, /*seed=*/2));
      opt->apply({g}, {w});
      std::vector<const void*> before{w.storage().raw()};
      for (const Variable& s : opt->slot_variables()) before.push_back(s.storage().raw());
      std::vector<float> w1 = w.storage().to_vector<float>();
      opt->apply({g}, {w});
      std::vector<const void*> after{w.storage().raw()};
      for (const Variable& s : opt->slot_variables()) after.push_back(s.storage().raw());
      EXPECT_EQ(before, after) << opt->name() << (is_sparse ? " sparse" : " dense");
      EXPECT_NE(w.storage().to_vector<float>(), w1) << opt->name() << " did not update";
    }
  }
}

TEST(Optimizer, MismatchedArgumentsAreErrorsThatNameTheVariableAndChangeNothing) {
  Variable a = var64("net/a", {1, 2}, {2}), b = var64("net/b", {1, 2, 3}, {3});
  SGD opt(SGDOptions(0.1));
  int line = __LINE__;
  expect_error_at(
      [&] {
        opt.apply({Gradient(t64({1, 1}, {2}))}, {a, b});
      },
      line, "got 1 gradients for 2 variables");
  line = __LINE__;
  expect_error_at(
      [&] {
        opt.apply({Gradient(t64({1, 1}, {2})), Gradient(t64({1, 1}, {2}))}, {a, b});
      },
      line, "variable 'net/b' (vars[1]) has shape (3,), its gradient has shape (2,)");
  line = __LINE__;
  expect_error_at(
      [&] {
        opt.apply({Gradient(constant({1.f, 1.f}))}, {a});
      },
      line, "variable 'net/a' (vars[0]) has dtype float64, its gradient has float32");
  line = __LINE__;
  expect_error_at(
      [&] {
        opt.apply({sparse({0, 3}, {{1}, {1}}, {3})}, {b});
      },
      line, "the sparse gradient of variable 'net/b' (vars[0]) has indices[1] = 3, not in [0, 3)");
  line = __LINE__;
  expect_error_at(
      [&] {
        opt.apply({Gradient(), Gradient()}, {a, b});
      },
      line, "no gradient for any variable ('net/a', 'net/b')");
  // The checks ran before any update: a, listed first, is unchanged, and no step was counted.
  EXPECT_THAT(values(a), ElementsAre(1.0, 2.0));
  EXPECT_EQ(opt.step(), 0);
}

TEST(Optimizer, UndefinedGradientsAreSkipped) {
  Variable a = var64("a", {1, 2}, {2}), b = var64("b", {5}, {1});
  Adagrad opt(AdagradOptions(0.1));
  opt.apply({Gradient(t64({1, 1}, {2})), Gradient()}, {a, b});
  EXPECT_THAT(values(b), ElementsAre(5.0));
  EXPECT_NE(values(a)[0], 1.0);
  EXPECT_EQ(opt.slot_variables().size(), 1u);
  int line = __LINE__;
  expect_error_at([&] { opt.slot(b, "accumulator"); }, line, "variable 'b' has no slots yet");
  line = __LINE__;
  expect_error_at([&] { opt.slot(a, "m"); }, line,
                  "Adagrad has no slot 'm'; its slots are: accumulator");
}

TEST(Optimizer, AppliesImplicitGradientsAndMinimizes) {
  Variable w = var64("w", {2.0}, {}), c = var64("c", {1.0}, {});
  auto loss_fn = [&] { return square(w - 5.0); };  // d/dw = 2 (w - 5)
  SGD opt(SGDOptions(0.25));
  opt.apply(implicit_gradients(loss_fn)());
  EXPECT_DOUBLE_EQ(w.storage().item<double>(), 2.0 - 0.25 * 2 * (2.0 - 5.0));  // 3.5
  Tensor loss = opt.minimize(loss_fn, {w});
  EXPECT_DOUBLE_EQ(loss.item<double>(), 2.25);  // (3.5 - 5)^2, before the step
  EXPECT_DOUBLE_EQ(w.storage().item<double>(), 3.5 - 0.25 * 2 * (3.5 - 5.0));  // 4.25
  // Without a list, the trainable variables the loss read are updated; c is not read.
  opt.minimize([&] { return square(w - 5.0); });
  EXPECT_DOUBLE_EQ(w.storage().item<double>(), 4.625);
  EXPECT_EQ(c.storage().item<double>(), 1.0);
  EXPECT_EQ(opt.step(), 3);
  opt.set_learning_rate(0.5);
  EXPECT_EQ(opt.learning_rate(), 0.5);
}

TEST(Optimizer, UpdatesAreNotRecordedOnAnOuterTape) {
  Variable w = var64("w", {1.0}, {});
  GradientTape outer(/*persistent=*/true);
  Tensor before = w * 1.0;
  SGD opt(SGDOptions(0.1));
  opt.apply({Gradient(t64({1.0}, {}))}, {w});
  Tensor after = w * 1.0;
  // Only the two reads of w are recorded; the optimizer's own reads of w are not.
  auto g = outer.gradient(after, {w});
  EXPECT_DOUBLE_EQ(g[0].item(), 1.0);
  EXPECT_THAT(outer.watched_variables().size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// End to end.

TEST(EndToEnd, DenseAndSGDFitALineToItsLeastSquaresSolution) {
  // y = 3x + 2 plus deterministic "noise"; the fit must reach the least-squares line.
  const int n = 32;
  std::vector<float> xs(n), ys(n);
  for (int i = 0; i < n; ++i) {
    xs[i] = -1.f + 2.f * i / (n - 1);
    ys[i] = 3.f * xs[i] + 2.f + 0.1f * static_cast<float>(std::sin(7.0 * i));
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < n; ++i)
    sx += xs[i], sy += ys[i], sxx += double(xs[i]) * xs[i], sxy += double(xs[i]) * ys[i];
  double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx), intercept = (sy - slope * sx) / n;

  nn::Dense model(/*in=*/1, /*out=*/1, nn::DenseOptions().seed(1));
  Tensor x = constant(xs, Shape{n, 1}), y = constant(ys, Shape{n, 1});
  SGD opt(SGDOptions(/*learning_rate=*/0.3));
  for (int step = 0; step < 300; ++step)
    opt.minimize([&] { return mean(square(model(x) - y)); }, model.trainable_variables());
  EXPECT_NEAR(model.kernel().storage().item<double>(), slope, 1e-3);
  EXPECT_NEAR(model.bias().storage().item<double>(), intercept, 1e-3);
  EXPECT_NEAR(slope, 3.0, 0.1);  // the data is what it claims to be
}

}  // namespace
}  // namespace kiln::optim
