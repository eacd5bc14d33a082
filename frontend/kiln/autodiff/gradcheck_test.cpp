// Every differentiable case of the shared op-case table (kiln/testing/op_cases.h: every
// differentiable primitive and the main composites) checked against central finite
// differences in float64, in the spirit of ggml's test-backend-ops; the table's coverage of
// kiln::primitives(); plus higher-order gradients, custom_gradient and the function-style
// autodiff wrappers.
#include "kiln/autodiff/gradcheck.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "kiln/kiln.h"
#include "kiln/ops/registry.h"
#include "kiln/testing/op_cases.h"

namespace kiln {
namespace {

using In = std::vector<Tensor>;
using testing::OpCase;

// Inputs for the hand-written tests below (the op cases bring their own).
Tensor normal(const Shape& s, uint64_t seed) { return random_normal(s, seed, 0, 1, f64); }

// |x| in [lo, hi] with random signs: clear of kinks at 0.
Tensor away_from_zero(const Shape& s, uint64_t seed, double lo, double hi) {
  std::vector<double> v = random_uniform(s, seed, lo, hi, f64).to_vector<double>();
  std::vector<double> coin = random_uniform(s, seed + 1000, 0, 1, f64).to_vector<double>();
  for (size_t i = 0; i < v.size(); ++i)
    if (coin[i] < 0.5) v[i] = -v[i];
  return constant(v, s);
}

Tensor i64s(std::vector<int64_t> v, const Shape& s) { return constant(v, s); }

// The shared op-case table (kiln/testing/op_cases.h), differentiable cases only.
std::vector<OpCase> gradcheck_cases() {
  std::vector<OpCase> out;
  for (const OpCase& c : testing::op_cases())
    if (c.differentiable) out.push_back(c);
  return out;
}

}  // namespace
namespace testing {
void PrintTo(const OpCase& c, std::ostream* os) { *os << c.label(); }
}  // namespace testing
namespace {

class Op : public ::testing::TestWithParam<OpCase> {};

TEST_P(Op, MatchesFiniteDifferences) {
  const OpCase& c = GetParam();
  GradCheckResult r = check_gradients(c.f, c.inputs, c.gradcheck);
  EXPECT_TRUE(r.ok) << c.label() << ": " << r.message;
}

// Each rule's backward pass is itself recorded by an outer tape (a training step is traced
// whole), so it must be differentiable too: the gradient of the gradient against finite
// differences of the gradient.
// Cases whose inputs sit where the second derivative jumps are not instantiated here.
class OpSecondOrder : public Op {};

TEST_P(OpSecondOrder, GradientOfGradientMatchesFiniteDifferences) {
  const OpCase& c = GetParam();
  GradCheckFn gradient_of_f = [&c](const In& x) {
    GradientTape inner(/*persistent=*/false, /*watch_accessed_variables=*/false);
    for (const Tensor& t : x) inner.watch(t);
    Tensor objective = gradcheck_objective(c.f, x, c.gradcheck.seed);
    std::vector<Gradient> g = inner.gradient(objective, x, UnconnectedGradients::zero);
    std::vector<Tensor> flat;
    for (const Gradient& gi : g) flat.push_back(reshape(gi.to_dense(), {-1}));
    return concat(flat, 0);
  };
  GradCheckResult r = check_gradients(gradient_of_f, c.inputs, c.gradcheck);
  EXPECT_TRUE(r.ok) << c.label() << " (second order): " << r.message;
}

std::string case_name(const ::testing::TestParamInfo<OpCase>& param_info) {
  return param_info.param.label();
}

std::vector<OpCase> twice_differentiable_cases() {
  std::vector<OpCase> out;
  for (const OpCase& c : gradcheck_cases())
    if (c.second_order) out.push_back(c);
  return out;
}

INSTANTIATE_TEST_SUITE_P(GradCheck, Op, ::testing::ValuesIn(gradcheck_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(GradCheck, OpSecondOrder,
                         ::testing::ValuesIn(twice_differentiable_cases()), case_name);

TEST(GradCheckRegistry, EveryDifferentiablePrimitiveIsChecked) {
  std::map<std::string, bool> differentiable;
  for (const PrimitiveInfo& p : primitives()) differentiable[p.name] = p.differentiable;
  std::set<std::string> checked, labels;
  for (const OpCase& c : gradcheck_cases()) {
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
                    << "' has no differentiable case in kiln/testing/op_cases.cpp";
}

// The differential test (compiler/differential_test.cpp) runs every op case eagerly and
// compiled: every primitive, differentiable or not, needs at least one.
TEST(OpCasesRegistry, EveryPrimitiveHasACase) {
  std::set<std::string> names, covered, labels;
  for (const PrimitiveInfo& p : primitives()) names.insert(p.name);
  for (const OpCase& c : testing::op_cases()) {
    EXPECT_TRUE(labels.insert(c.label()).second) << "two cases are labelled " << c.label();
    if (c.composite) continue;
    EXPECT_TRUE(names.count(c.op))
        << "case " << c.label() << " names " << c.op << ", which is not in kiln::primitives()";
    covered.insert(c.op);
  }
  for (const std::string& name : names)
    EXPECT_TRUE(covered.count(name))
        << "primitive '" << name << "' has no case in kiln/testing/op_cases.cpp";
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
