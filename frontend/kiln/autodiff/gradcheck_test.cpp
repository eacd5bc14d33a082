// Every differentiable primitive (and the main composites) checked against central finite
// differences in float64, in the spirit of ggml's test-backend-ops; plus higher-order
// gradients, custom_gradient and the function-style autodiff wrappers.
#include "kiln/autodiff/gradcheck.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "kiln/kiln.h"
#include "kiln/ops/registry.h"

namespace kiln {
namespace {

using In = std::vector<Tensor>;

// ---------------------------------------------------------------------------
// Inputs. Every case draws its own values from its own seed.

Tensor normal(const Shape& s, uint64_t seed) { return random_normal(s, seed, 0, 1, f64); }

Tensor uniform(const Shape& s, uint64_t seed, double lo, double hi) {
  return random_uniform(s, seed, lo, hi, f64);
}

// |x| in [lo, hi] with random signs: inputs for ops with a kink at 0 (abs, relu, ...).
Tensor away_from_zero(const Shape& s, uint64_t seed, double lo = 0.25, double hi = 1.5) {
  std::vector<double> v = uniform(s, seed, lo, hi).to_vector<double>();
  std::vector<double> coin = uniform(s, seed + 1000, 0, 1).to_vector<double>();
  for (size_t i = 0; i < v.size(); ++i)
    if (coin[i] < 0.5) v[i] = -v[i];
  return constant(v, s);
}

// Multiples of 0.5 in [-2, 2], shifted by 0.25 when `odd`: two tensors on different
// grids never come closer than 0.25.
Tensor quarter_grid(const Shape& s, uint64_t seed, bool odd) {
  std::vector<double> v = uniform(s, seed, -2, 2).to_vector<double>();
  for (double& x : v) x = std::round(2 * x) / 2 + (odd ? 0.25 : 0);
  return constant(v, s);
}

Tensor i64s(std::vector<int64_t> v, const Shape& s) { return constant(v, s); }
Tensor i32s(std::vector<int32_t> v, const Shape& s) { return constant(v, s); }

// ---------------------------------------------------------------------------
// The table: one row per case, keyed by the primitive (or composite) it checks.

struct GradCase {
  std::string op;       // a name from kiln::primitives(), or a composite function's name
  std::string variant;  // what this case exercises
  bool composite;
  GradCheckFn f;
  In inputs;
  GradCheckOptions options;
  // False where the first derivative is continuous but the second jumps (huber at |t| =
  // delta): finite differences of the gradient straddle the jump there.
  bool second_order = true;
  std::string label() const { return op + "_" + variant; }
};

void PrintTo(const GradCase& c, std::ostream* os) { *os << c.label(); }

std::vector<GradCase> build_cases() {
  std::vector<GradCase> cases;
  uint64_t seed = 1;
  auto next = [&] { return seed += 7; };
  auto prim = [&](std::string op, std::string variant, GradCheckFn f, In inputs,
                  GradCheckOptions options = {}) {
    cases.push_back(
        {std::move(op), std::move(variant), false, std::move(f), std::move(inputs), options});
  };
  auto comp = [&](std::string op, std::string variant, GradCheckFn f, In inputs,
                  GradCheckOptions options = {}) {
    cases.push_back(
        {std::move(op), std::move(variant), true, std::move(f), std::move(inputs), options});
  };
  const Shape m23{2, 3};

  // --- Unary: domains keep clear of kinks (abs, relu at 0) and poles (log, sqrt, rsqrt).
  prim("neg", "matrix", [](const In& x) { return neg(x[0]); }, {normal(m23, next())});
  prim("exp", "matrix", [](const In& x) { return exp(x[0]); }, {uniform(m23, next(), -2, 2)});
  prim("log", "positive", [](const In& x) { return log(x[0]); }, {uniform(m23, next(), 0.3, 3)});
  prim("log1p", "above_minus_one", [](const In& x) { return log1p(x[0]); },
       {uniform(m23, next(), -0.6, 2)});
  prim("expm1", "matrix", [](const In& x) { return expm1(x[0]); }, {uniform(m23, next(), -2, 2)});
  prim("sqrt", "positive", [](const In& x) { return sqrt(x[0]); }, {uniform(m23, next(), 0.3, 3)});
  prim("rsqrt", "positive", [](const In& x) { return rsqrt(x[0]); },
       {uniform(m23, next(), 0.3, 3)});
  prim("abs", "away_from_zero", [](const In& x) { return abs(x[0]); },
       {away_from_zero(m23, next())});
  prim("square", "matrix", [](const In& x) { return square(x[0]); }, {normal(m23, next())});
  prim("tanh", "matrix", [](const In& x) { return tanh(x[0]); }, {uniform(m23, next(), -2, 2)});
  prim("sigmoid", "matrix", [](const In& x) { return sigmoid(x[0]); },
       {uniform(m23, next(), -3, 3)});
  prim("relu", "away_from_zero", [](const In& x) { return relu(x[0]); },
       {away_from_zero(m23, next())});
  prim("softplus", "matrix", [](const In& x) { return softplus(x[0]); },
       {uniform(m23, next(), -3, 3)});

  // Saturated inputs: the forward kernels must stay finite and the rules accurate there.
  const Tensor wide = constant({{-40.0, -12.0, 0.0}, {3.0, 15.0, 40.0}});
  prim("sigmoid", "saturated", [](const In& x) { return sigmoid(x[0]); }, {wide});
  prim("softplus", "saturated", [](const In& x) { return softplus(x[0]); }, {wide});
  prim("tanh", "saturated", [](const In& x) { return tanh(x[0]); }, {wide});

  // --- Binary arithmetic, each with and without broadcasting on either side.
  struct Pair {
    const char* name;
    Shape a, b;
  };
  const Pair pairs[] = {{"same_shape", {2, 3}, {2, 3}},
                        {"rhs_row", {2, 3}, {3}},
                        {"lhs_column", {2, 1}, {2, 3}},
                        {"both_broadcast", {2, 1}, {1, 3}},
                        {"rhs_scalar", {2, 3}, {}}};
  for (const Pair& p : pairs) {
    prim("add", p.name, [](const In& x) { return x[0] + x[1]; },
         {normal(p.a, next()), normal(p.b, next())});
    prim("subtract", p.name, [](const In& x) { return x[0] - x[1]; },
         {normal(p.a, next()), normal(p.b, next())});
    prim("multiply", p.name, [](const In& x) { return x[0] * x[1]; },
         {normal(p.a, next()), normal(p.b, next())});
    prim("divide", p.name, [](const In& x) { return x[0] / x[1]; },
         {normal(p.a, next()), away_from_zero(p.b, next(), 0.5, 2)});
    // Both base (positive, so that d/d exponent = a^b log a is defined) and exponent.
    prim("pow", p.name, [](const In& x) { return pow(x[0], x[1]); },
         {uniform(p.a, next(), 0.4, 2.5), uniform(p.b, next(), -1.5, 2.5)});
    // maximum/minimum: a on the odd quarter grid, b on the even one, so that they differ
    // by at least 0.25 wherever they meet (no ties, where the derivative jumps).
    prim("maximum", p.name, [](const In& x) { return maximum(x[0], x[1]); },
         {quarter_grid(p.a, next(), /*odd=*/true), quarter_grid(p.b, next(), /*odd=*/false)});
    prim("minimum", p.name, [](const In& x) { return minimum(x[0], x[1]); },
         {quarter_grid(p.a, next(), /*odd=*/true), quarter_grid(p.b, next(), /*odd=*/false)});
  }
  prim("pow", "constant_exponent_negative_base", [](const In& x) { return pow(x[0], 3.0); },
       {normal(m23, next())});
  prim("pow", "constant_exponent_fractional", [](const In& x) { return pow(x[0], -0.5); },
       {uniform(m23, next(), 0.3, 3)});

  // --- where: the condition is data, not a source; branches broadcast.
  Tensor cond = constant({{true, false, true}, {false, false, true}});
  prim("where", "same_shape", [cond](const In& x) { return where(cond, x[0], x[1]); },
       {normal(m23, next()), normal(m23, next())});
  prim("where", "broadcast_branches", [cond](const In& x) { return where(cond, x[0], x[1]); },
       {normal({3}, next()), normal({2, 1}, next())});
  prim("where", "broadcast_condition",
       [](const In& x) {
         return where(constant({{true}, {false}}), x[0], x[1]);
       },
       {normal(m23, next()), normal({3}, next())});

  // --- cast: the path goes through float32, whose rounding (~6e-8 relative) swamps a
  // 1e-6 step; a 1e-2 step is exact for these quadratics, and tolerances are 1e-4.
  const GradCheckOptions through_f32{.eps = 1e-2, .atol = 1e-4, .rtol = 1e-4};
  prim(
      "cast", "f64_f32_f64", [](const In& x) { return cast(cast(x[0], f32), f64); },
      {normal(m23, next())}, through_f32);
  prim(
      "cast", "f32_arithmetic",
      [](const In& x) { return cast(square(cast(x[0], f32)) * 0.5f, f64) * x[1]; },
      {normal(m23, next()), normal({3}, next())}, through_f32);

  // --- Reductions over one axis, several axes and all, with and without keepdims.
  // Random continuous values have no ties, so max/min have a unique argmax.
  const Shape c234{2, 3, 4};
  struct Red {
    const char* name;
    Axes axes;
    bool keepdims;
  };
  const Red reds[] = {{"all", {}, false},
                      {"axis1", {1}, false},
                      {"axes0_2_keepdims", {0, 2}, true},
                      {"last_keepdims", {-1}, true},
                      {"axes0_1", {0, 1}, false}};
  for (const Red& r : reds) {
    prim("sum", r.name, [r](const In& x) { return sum(x[0], r.axes, r.keepdims); },
         {normal(c234, next())});
    prim("max", r.name, [r](const In& x) { return max(x[0], r.axes, r.keepdims); },
         {normal(c234, next())});
    prim("min", r.name, [r](const In& x) { return min(x[0], r.axes, r.keepdims); },
         {normal(c234, next())});
  }

  // --- matmul: plain, transposed operands, batched, broadcast batch dimensions.
  struct Mm {
    const char* name;
    Shape a, b;
    bool ta, tb;
  };
  const Mm mms[] = {{"plain", {2, 3}, {3, 4}, false, false},
                    {"transpose_a", {3, 2}, {3, 4}, true, false},
                    {"transpose_b", {2, 3}, {4, 3}, false, true},
                    {"transpose_both", {3, 2}, {4, 3}, true, true},
                    {"batched", {2, 2, 3}, {2, 3, 4}, false, false},
                    {"batch_broadcast_rhs", {2, 2, 3}, {3, 4}, false, false},
                    {"batch_broadcast_lhs", {2, 3}, {2, 3, 4}, false, false},
                    {"batch_broadcast_both", {3, 1, 2, 3}, {2, 3, 4}, false, false},
                    {"batched_transpose_b", {2, 2, 3}, {1, 4, 3}, false, true}};
  for (const Mm& m : mms)
    prim("matmul", m.name, [m](const In& x) { return matmul(x[0], x[1], m.ta, m.tb); },
         {normal(m.a, next()), normal(m.b, next())});

  // --- Data movement.
  prim("reshape", "infer_dim",
       [](const In& x) {
         return reshape(x[0], {4, -1});
       },
       {normal(c234, next())});
  prim("reshape", "to_vector", [](const In& x) { return reshape(x[0], {24}); },
       {normal(c234, next())});
  prim("transpose", "perm_2_0_1",
       [](const In& x) {
         return transpose(x[0], {2, 0, 1});
       },
       {normal(c234, next())});
  prim("transpose", "reverse", [](const In& x) { return transpose(x[0]); }, {normal(c234, next())});
  prim("broadcast_to", "row_to_matrix",
       [](const In& x) {
         return broadcast_to(x[0], {2, 3});
       },
       {normal({3}, next())});
  prim("broadcast_to", "middle_axis",
       [](const In& x) {
         return broadcast_to(x[0], {2, 4, 3});
       },
       {normal({2, 1, 3}, next())});
  prim("broadcast_to", "scalar",
       [](const In& x) {
         return broadcast_to(x[0], {2, 2});
       },
       {normal({}, next())});
  prim("concat", "axis1_three",
       [](const In& x) {
         return concat({x[0], x[1], x[2]}, 1);
       },
       {normal({2, 1}, next()), normal({2, 3}, next()), normal({2, 2}, next())});
  prim("concat", "axis0",
       [](const In& x) {
         return concat({x[0], x[1]}, 0);
       },
       {normal({1, 2, 3}, next()), normal({2, 2, 3}, next())});
  prim("concat", "negative_axis",
       [](const In& x) {
         return concat({x[0], x[1]}, -1);
       },
       {normal({2, 2, 1}, next()), normal({2, 2, 3}, next())});
  prim("slice", "to_end",
       [](const In& x) {
         return slice(x[0], {1, 2}, {2, -1});
       },
       {normal({4, 5}, next())});
  prim("slice", "interior_3d",
       [](const In& x) {
         return slice(x[0], {1, 1, 1}, {1, 2, 2});
       },
       {normal(c234, next())});
  prim("pad", "matrix",
       [](const In& x) {
         return pad(x[0], {1, 0}, {0, 2});
       },
       {normal(m23, next())});
  prim("pad", "tensor_3d",
       [](const In& x) {
         return pad(x[0], {0, 2, 1}, {1, 0, 1});
       },
       {normal(c234, next())});

  // --- Indexing. gather's gradient is IndexedSlices; check_gradients densifies it.
  prim("gather", "duplicate_indices",
       [](const In& x) {
         return gather(x[0], i64s({1, 3, 1, 0, 1}, {5}));
       },
       {normal({5, 3}, next())});
  prim("gather", "indices_2d_int32",
       [](const In& x) {
         return gather(x[0], i32s({0, 4, 4, 2}, {2, 2}));
       },
       {normal({5, 3}, next())});
  prim("gather", "params_3d",
       [](const In& x) {
         return gather(x[0], i64s({3, 3, 0}, {3}));
       },
       {normal({4, 2, 3}, next())});
  prim("gather", "params_1d",
       [](const In& x) {
         return gather(x[0], i64s({2, 0, 2}, {3}));
       },
       {normal({4}, next())});
  prim("scatter_add", "duplicate_indices",
       [](const In& x) {
         return scatter_add(x[0], i64s({1, 3, 1}, {3}), x[1]);
       },
       {normal({5, 3}, next()), normal({3, 3}, next())});
  prim("scatter_add", "indices_2d_int32",
       [](const In& x) {
         return scatter_add(x[0], i32s({0, 3, 3, 3}, {2, 2}), x[1]);
       },
       {normal({4, 2}, next()), normal({2, 2, 2}, next())});

  // --- Composites: gradients come from the primitives' rules, checked end to end.
  // Huber with delta = 1: |labels - predictions| lies in [0.1, 0.8] (quadratic branch) or
  // [1.3, 2.5] (linear branch), clear of the switch at 1.
  {
    Tensor labels = normal({2, 4}, next());
    Tensor near = away_from_zero({2, 2}, next(), 0.1, 0.8);
    Tensor far = away_from_zero({2, 2}, next(), 1.3, 2.5);
    Tensor predictions = labels + concat({near, far}, 1);
    comp("huber_loss", "both_branches",
         [](const In& x) { return huber_loss(x[0], x[1], /*delta=*/1.0); }, {labels, predictions});
    comp("huber_loss", "delta_2_mean",
         [](const In& x) { return mean(huber_loss(x[0], x[1], /*delta=*/2.0)); },
         {labels, labels + 2.0 * concat({near, far}, 1)});
  }
  // Residuals of exactly 0 and exactly +-delta: huber is C1 there, so the rule must agree.
  comp("huber_loss", "at_zero_and_delta",
       [](const In& x) { return huber_loss(x[0], x[1], /*delta=*/1.0); },
       {constant({0.5, 1.5, -0.5, 2.0}), constant({0.5, 0.5, 0.5, -1.0})});
  cases.back().second_order = false;
  comp("squared_difference", "broadcast",
       [](const In& x) { return squared_difference(x[0], x[1]); },
       {normal(m23, next()), normal({3}, next())});
  {
    // Logits both signs and large ones (the stable form must hold there too), off zero.
    Tensor logits = away_from_zero({2, 4}, next(), 0.2, 3.0) * constant({1.0, 1.0, 1.0, 8.0});
    comp("sigmoid_cross_entropy_with_logits", "mixed_logits",
         [](const In& x) { return sigmoid_cross_entropy_with_logits(x[0], x[1]); },
         {uniform({2, 4}, next(), 0, 1), logits});
  }
  // Logits of exactly 0 (what a zero-initialized model produces): the loss is smooth there,
  // so its gradient must be sigmoid(0) - labels, whatever relu and abs do at their kinks.
  comp("sigmoid_cross_entropy_with_logits", "zero_logits",
       [](const In& x) { return sigmoid_cross_entropy_with_logits(x[0], x[1]); },
       {uniform({2, 3}, next(), 0, 1), constant({{0.0, 0.0, 1.5}, {-0.5, 0.0, 0.0}})});
  {
    Tensor labels = softmax(normal({3, 4}, next()));  // rows are distributions
    comp("softmax_cross_entropy_with_logits", "soft_labels",
         [](const In& x) { return softmax_cross_entropy_with_logits(x[0], x[1]); },
         {labels, normal({3, 4}, next())});
  }
  comp("softmax", "last_axis", [](const In& x) { return softmax(x[0]); }, {normal({3, 4}, next())});
  comp("softmax", "axis0", [](const In& x) { return softmax(x[0], 0); }, {normal(c234, next())});
  comp("log_softmax", "last_axis", [](const In& x) { return log_softmax(x[0]); },
       {normal({3, 4}, next())});
  comp("logsumexp", "axis1", [](const In& x) { return logsumexp(x[0], {1}); },
       {normal(c234, next())});
  comp("logsumexp", "all", [](const In& x) { return logsumexp(x[0]); }, {normal(c234, next())});
  comp("logsumexp", "axes0_2_keepdims",
       [](const In& x) {
         return logsumexp(x[0], {0, 2}, true);
       },
       {normal(c234, next())});
  comp("mean", "all", [](const In& x) { return mean(x[0]); }, {normal(c234, next())});
  comp("mean", "axes1_2_keepdims",
       [](const In& x) {
         return mean(x[0], {1, 2}, true);
       },
       {normal(c234, next())});
  // one_hot itself is not differentiable (its input is integer); what flows is the
  // gradient of the one_hot-weighted sum with respect to the other factor.
  comp("one_hot", "weighted_log_softmax",
       [](const In& x) {
         Tensor hot = one_hot(i64s({2, 0, 3}, {3}), /*depth=*/4, 1, 0, f64);
         return -sum(hot * log_softmax(x[0]), {-1});
       },
       {normal({3, 4}, next())});
  comp("stack", "axis1",
       [](const In& x) {
         return stack({x[0], x[1]}, 1);
       },
       {normal(m23, next()), normal(m23, next())});
  comp("squeeze", "expand_then_squeeze",
       [](const In& x) { return squeeze(expand_dims(x[0], 1)) * x[0]; }, {normal(m23, next())});
  comp("embedding_lookup", "matmul_chain",
       [](const In& x) {
         return matmul(embedding_lookup(x[0], i64s({4, 1, 4}, {3})), x[1]);
       },
       {normal({5, 3}, next()), normal({3, 2}, next())});
  // The tape's accumulation: one input used three times, and sparse + sparse (int32 and int64
  // indices) + dense gradients for one params tensor.
  prim("multiply", "same_input_three_times", [](const In& x) { return x[0] * x[0] * x[0]; },
       {normal(m23, next())});
  prim("gather", "sparse_and_dense_accumulate",
       [](const In& x) {
         Tensor rows = gather(x[0], i64s({0, 2, 2}, {3})) * gather(x[0], i32s({2, 1, 2}, {3}));
         return sum(rows, {0}) + sum(square(x[0]), {0});
       },
       {normal({4, 3}, next())});
  comp("dense_layer", "tanh_of_affine", [](const In& x) { return tanh(matmul(x[0], x[1]) + x[2]); },
       {normal({4, 3}, next()), normal({3, 2}, next()), normal({2}, next())});
  return cases;
}

const std::vector<GradCase>& gradcheck_cases() {
  static const std::vector<GradCase> cases = build_cases();
  return cases;
}

class Op : public ::testing::TestWithParam<GradCase> {};

TEST_P(Op, MatchesFiniteDifferences) {
  const GradCase& c = GetParam();
  GradCheckResult r = check_gradients(c.f, c.inputs, c.options);
  EXPECT_TRUE(r.ok) << c.label() << ": " << r.message;
}

// Each rule's backward pass is itself recorded by an outer tape (a training step is traced
// whole), so it must be differentiable too: the gradient of the gradient against finite
// differences of the gradient.
// Cases whose inputs sit where the second derivative jumps are not instantiated here.
class OpSecondOrder : public Op {};

TEST_P(OpSecondOrder, GradientOfGradientMatchesFiniteDifferences) {
  const GradCase& c = GetParam();
  GradCheckFn gradient_of_f = [&c](const In& x) {
    GradientTape inner(/*persistent=*/false, /*watch_accessed_variables=*/false);
    for (const Tensor& t : x) inner.watch(t);
    Tensor objective = gradcheck_objective(c.f, x, c.options.seed);
    std::vector<Gradient> g = inner.gradient(objective, x, UnconnectedGradients::zero);
    std::vector<Tensor> flat;
    for (const Gradient& gi : g) flat.push_back(reshape(gi.to_dense(), {-1}));
    return concat(flat, 0);
  };
  GradCheckResult r = check_gradients(gradient_of_f, c.inputs, c.options);
  EXPECT_TRUE(r.ok) << c.label() << " (second order): " << r.message;
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& param_info) {
  return param_info.param.label();
}

std::vector<GradCase> twice_differentiable_cases() {
  std::vector<GradCase> out;
  for (const GradCase& c : gradcheck_cases())
    if (c.second_order) out.push_back(c);
  return out;
}

INSTANTIATE_TEST_SUITE_P(GradCheck, Op, ::testing::ValuesIn(gradcheck_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(GradCheck, OpSecondOrder, ::testing::ValuesIn(twice_differentiable_cases()),
                         case_name);

TEST(GradCheckRegistry, EveryDifferentiablePrimitiveIsChecked) {
  std::map<std::string, bool> differentiable;
  for (const PrimitiveInfo& p : primitives()) differentiable[p.name] = p.differentiable;
  std::set<std::string> checked, labels;
  for (const GradCase& c : gradcheck_cases()) {
    EXPECT_TRUE(labels.insert(c.label()).second) << "two cases are labelled " << c.label();
    if (c.composite) {
      EXPECT_FALSE(differentiable.count(c.op))
          << c.op << " is a primitive; mark its case as a primitive case";
      continue;
    }
    auto it = differentiable.find(c.op);
    if (it == differentiable.end()) {
      ADD_FAILURE() << "case " << c.label() << " names " << c.op
                    << ", which is not in kiln::primitives()";
    } else if (!it->second) {
      ADD_FAILURE() << "case " << c.label() << " checks " << c.op
                    << ", which the registry lists as not differentiable";
    }
    checked.insert(c.op);
  }
  for (const auto& [name, diff] : differentiable)
    if (diff && !checked.count(name))
      ADD_FAILURE() << "differentiable primitive '" << name
                    << "' has no finite-difference case in gradcheck_test.cpp";
}

// ---------------------------------------------------------------------------
// The checker itself must be able to fail, and say where.

TEST(GradCheckLib, CatchesAWrongRuleAndNamesTheElement) {
  // x^3 with the rule 2x^2 (should be 3x^2).
  auto cube = custom_gradient([](const Tensor& x) {
    return std::pair{x * x * x, [x](const Tensor& dy) { return dy * 2.0 * x * x; }};
  });
  GradCheckResult r =
      check_gradients([&](const In& x) { return cube(x[0]); }, {constant({0.5, -2.0, 1.0})});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.worst_input, 0);
  EXPECT_NEAR(r.worst_numeric, 1.5 * r.worst_analytic, 1e-6 * std::fabs(r.worst_numeric));
  EXPECT_NE(r.message.find("FAILED"), std::string::npos) << r.message;
  const std::string where = "input 0 element " + std::to_string(r.worst_index) + " (" +
                            std::to_string(r.worst_index) + ",) of shape (3,)";
  EXPECT_NE(r.message.find(where), std::string::npos) << r.message;
}

TEST(GradCheckLib, WeightingCatchesAPermutedGradient) {
  // A rule that returns the right values in the wrong places: a plain sum of a linear
  // map with equal weights could not tell; the random weighting does.
  auto scale = custom_gradient([](const Tensor& x) {
    Tensor c = constant({1.0, 2.0, 3.0});
    return std::pair{x * c, [c](const Tensor& dy) {
                       return concat({slice(dy * c, {1}, {2}), slice(dy * c, {0}, {1})}, 0);
                     }};
  });
  GradCheckResult r =
      check_gradients([&](const In& x) { return scale(x[0]); }, {constant({0.1, 0.2, 0.3})});
  EXPECT_FALSE(r.ok) << r.message;
}

TEST(GradCheckLib, RejectsNonFloat64Inputs) {
  EXPECT_THROW(check_gradients([](const In& x) { return x[0]; }, {constant({1.f})}), Error);
}

TEST(GradCheckLib, ReportsErrorsWhenPassing) {
  GradCheckResult r = check_gradients([](const In& x) { return exp(x[0]); }, {constant(0.5)});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_LT(r.max_abs_error, 1e-7);
  EXPECT_NEAR(r.worst_numeric, std::exp(0.5), 1e-7);
  EXPECT_NE(r.message.find("passed"), std::string::npos) << r.message;
}

// ---------------------------------------------------------------------------
// Higher order: an outer tape records the inner tape's backward pass.

void expect_all_near(const Tensor& got, const std::vector<double>& want, double tol,
                     const std::string& what) {
  std::vector<double> g = got.to_vector<double>();
  ASSERT_EQ(g.size(), want.size()) << what;
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], tol) << what << " [" << i << "]";
}

// First and second derivatives of sum(f(x)) by nested tapes.
std::pair<Tensor, Tensor> nested_derivatives(const Tensor& x0,
                                             const std::function<Tensor(const Tensor&)>& f) {
  Tensor x = stop_gradient(x0);
  GradientTape outer;
  outer.watch(x);
  Tensor first;
  {
    GradientTape inner;
    inner.watch(x);
    first = inner.gradient(sum(f(x)), {x})[0].to_dense();
  }
  Tensor second = outer.gradient(sum(first), {x})[0].to_dense();
  return {first, second};
}

TEST(GradCheckHigherOrder, NestedTapeSecondDerivativeOfCube) {
  const std::vector<double> xs{-1.5, -0.3, 0.7, 2.0};
  auto [first, second] =
      nested_derivatives(constant(xs), [](const Tensor& x) { return x * x * x; });
  std::vector<double> d1, d2;
  for (double x : xs) d1.push_back(3 * x * x), d2.push_back(6 * x);
  expect_all_near(first, d1, 1e-12, "d/dx x^3");
  expect_all_near(second, d2, 1e-12, "d2/dx2 x^3");
}

TEST(GradCheckHigherOrder, NestedTapeSecondDerivativeOfTanh) {
  const std::vector<double> xs{-1.2, -0.1, 0.4, 1.7};
  auto [first, second] = nested_derivatives(constant(xs), [](const Tensor& x) { return tanh(x); });
  std::vector<double> d1, d2;
  for (double x : xs) {
    double t = std::tanh(x);
    d1.push_back(1 - t * t);
    d2.push_back(-2 * t * (1 - t * t));
  }
  expect_all_near(first, d1, 1e-12, "d/dx tanh");
  expect_all_near(second, d2, 1e-12, "d2/dx2 tanh");
}

TEST(GradCheckHigherOrder, GradientOfAGradientMatchesFiniteDifferences) {
  // check_gradients differentiates the inner tape's result: the Hessian-vector products of
  // a non-trivial two-input function against finite differences of its gradient.
  auto grad_of = [](const In& x) {
    GradientTape inner;
    inner.watch(x[0]);
    inner.watch(x[1]);
    Tensor y = sum(sigmoid(matmul(x[0], x[1])) * x[0]);
    auto g = inner.gradient(y, {x[0], x[1]});
    return concat({reshape(g[0].to_dense(), {-1}), reshape(g[1].to_dense(), {-1})}, 0);
  };
  GradCheckResult r = check_gradients(grad_of, {normal({2, 2}, 901), normal({2, 2}, 902)});
  EXPECT_TRUE(r.ok) << r.message;
}

// ---------------------------------------------------------------------------
// custom_gradient and the function-style wrappers.

TEST(GradCheckFunctions, CustomGradientUserRule) {
  // A numerically stable softplus with a hand-written rule, and a two-input rule.
  auto softplus_rule = custom_gradient([](const Tensor& x) {
    Tensor y = relu(x) + log1p(exp(-abs(x)));
    return std::pair{y, [x](const Tensor& dy) { return dy * sigmoid(x); }};
  });
  GradCheckResult r = check_gradients([&](const In& x) { return softplus_rule(x[0]); },
                                      {away_from_zero({2, 3}, 911, 0.2, 4.0)});
  EXPECT_TRUE(r.ok) << r.message;

  auto scaled = custom_gradient([](const Tensor& a, const Tensor& b) {
    return std::pair{a * exp(b), [a, b](const Tensor& dy) {
                       return std::vector<Tensor>{dy * exp(b), sum_to(dy * a * exp(b), b.shape())};
                     }};
  });
  r = check_gradients([&](const In& x) { return scaled(x[0], x[1]); },
                      {normal({2, 3}, 912), normal({3}, 913)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(GradCheckFunctions, GradientsFunctionMatchesFiniteDifferences) {
  auto f = [](const Tensor& x, const Tensor& y) { return sum(square(x) * y + exp(x * y)); };
  Tensor x = normal({2, 3}, 921), y = normal({2, 3}, 922);
  std::vector<Gradient> g = gradients_function(f)(x, y);
  std::vector<Tensor> num = numerical_gradients([&](const In& v) { return f(v[0], v[1]); }, {x, y});
  ASSERT_EQ(g.size(), 2u);
  expect_all_near(g[0].to_dense(), num[0].to_vector<double>(), 1e-6, "df/dx");
  expect_all_near(g[1].to_dense(), num[1].to_vector<double>(), 1e-6, "df/dy");
}

TEST(GradCheckFunctions, ValueAndGradientsFunctionMatchesClosedForm) {
  // f(x, y) = sum(x * y^2): value, df/dx = y^2, df/dy = 2 x y.
  auto f = [](const Tensor& x, const Tensor& y) { return sum(x * square(y)); };
  const std::vector<double> xv{0.5, -1.0, 2.0}, yv{1.5, 0.25, -3.0};
  auto [value, g] = value_and_gradients_function(f)(constant(xv), constant(yv));
  double want = 0;
  std::vector<double> dx, dy;
  for (size_t i = 0; i < xv.size(); ++i) {
    want += xv[i] * yv[i] * yv[i];
    dx.push_back(yv[i] * yv[i]);
    dy.push_back(2 * xv[i] * yv[i]);
  }
  EXPECT_NEAR(value.item(), want, 1e-12);
  ASSERT_EQ(g.size(), 2u);
  expect_all_near(g[0].to_dense(), dx, 1e-12, "df/dx");
  expect_all_near(g[1].to_dense(), dy, 1e-12, "df/dy");
}

TEST(GradCheckFunctions, ImplicitGradientsMatchFiniteDifferences) {
  // Variables read inside the loss, in first-read order; the embedding's gradient is sparse.
  Tensor w0 = normal({3, 2}, 931), b0 = normal({2}, 932), e0 = normal({4, 3}, 933);
  Variable w("gradcheck/w", w0), b("gradcheck/b", b0), emb("gradcheck/emb", e0);
  Tensor ids = i64s({2, 0, 2}, {3});
  auto loss_of = [&](const Tensor& W, const Tensor& B, const Tensor& E) {
    return sum(square(tanh(matmul(gather(E, ids), W) + B)));
  };
  auto loss = [&](const Tensor& scale) {
    Tensor E = emb, W = w, B = b;  // reads in this order (argument order is unspecified)
    return loss_of(W, B, E) * scale;
  };
  std::vector<Tensor> num =
      numerical_gradients([&](const In& v) { return loss_of(v[1], v[2], v[0]); }, {e0, w0, b0});

  std::vector<GradientAndVariable> g = implicit_gradients(loss)(constant(1.0));
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].variable.name(), "gradcheck/emb");
  EXPECT_EQ(g[1].variable.name(), "gradcheck/w");
  EXPECT_EQ(g[2].variable.name(), "gradcheck/b");
  EXPECT_TRUE(g[0].gradient.is_sparse());
  for (size_t i = 0; i < 3; ++i)
    expect_all_near(g[i].gradient.to_dense(), num[i].to_vector<double>(), 1e-6,
                    g[i].variable.name());

  auto [value, vg] = implicit_value_and_gradients(loss)(constant(2.0));
  EXPECT_NEAR(value.item(), 2 * loss_of(w0, b0, e0).item(), 1e-12);
  ASSERT_EQ(vg.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    expect_all_near(vg[i].gradient.to_dense(), (2.0 * num[i]).to_vector<double>(), 2e-6,
                    vg[i].variable.name());
}

}  // namespace
}  // namespace kiln
