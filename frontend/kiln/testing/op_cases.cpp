// The op-case table (op_cases.h): inputs keep clear of kinks and poles so that finite
// differences are meaningful, and each case draws its values from its own seed.
#include "kiln/testing/op_cases.h"

#include <cmath>

#include "kiln/kiln.h"

namespace kiln::testing {
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
Tensor bools(std::vector<int> v, const Shape& s) { return cast(constant(v, s), boolean); }

// Cases for ops without gradients (or on integer and boolean inputs): the differential
// test runs them; the gradient check skips them.
void add_non_differentiable_cases(std::vector<OpCase>& cases,
                                  const std::function<uint64_t()>& next) {
  auto no_grad = [&](std::string op, std::string variant, GradCheckFn f, In inputs) {
    OpCase c;
    c.op = std::move(op), c.variant = std::move(variant), c.f = std::move(f);
    c.inputs = std::move(inputs), c.differentiable = false;
    cases.push_back(std::move(c));
  };
  const Shape m23{2, 3};

  // --- Float ops without gradients. Values on the quarter grid give exact ties (equal,
  // floor at integers) without depending on rounding.
  no_grad("sign", "with_zeros", [](const In& x) { return sign(x[0]); },
          {constant({{-1.5, 0.0, 2.0}, {0.0, -0.25, 3.0}})});
  no_grad("floor", "quarter_grid", [](const In& x) { return floor(x[0]); },
          {quarter_grid(m23, next(), /*odd=*/true)});
  no_grad("floor", "integers_and_negatives", [](const In& x) { return floor(x[0]); },
          {constant({{-2.0, -1.5, -0.5}, {0.0, 0.5, 3.0}})});
  no_grad("argmax", "axis1", [](const In& x) { return argmax(x[0], 1); }, {normal({3, 4}, next())});
  no_grad("argmax", "axis0_3d", [](const In& x) { return argmax(x[0], 0); },
          {normal({3, 2, 4}, next())});
  struct Cmp {
    const char* op;
    Tensor (*fn)(const Tensor&, const Tensor&, const Loc&);
  };
  const Cmp cmps[] = {{"equal", equal},     {"not_equal", not_equal},
                      {"less", less},       {"less_equal", less_equal},
                      {"greater", greater}, {"greater_equal", greater_equal}};
  for (const Cmp& c : cmps) {
    auto fn = c.fn;
    // Same grid: about a quarter of the pairs tie.
    no_grad(c.op, "float_ties_rhs_row",
            [fn](const In& x) { return fn(x[0], x[1], Loc::current()); },
            {quarter_grid(m23, next(), false), quarter_grid({3}, next(), false)});
    no_grad(c.op, "int64", [fn](const In& x) { return fn(x[0], x[1], Loc::current()); },
            {i64s({-3, 0, 2, 5, 7, -1}, m23), i64s({-3, 1, 2, 4, 7, 0}, m23)});
  }
  const Tensor p = bools({1, 0, 1, 0, 1, 1}, m23), q = bools({1, 1, 0, 0, 0, 1}, m23);
  no_grad("logical_and", "matrix", [](const In& x) { return logical_and(x[0], x[1]); }, {p, q});
  no_grad("logical_or", "matrix", [](const In& x) { return logical_or(x[0], x[1]); }, {p, q});
  no_grad("logical_not", "matrix", [](const In& x) { return logical_not(x[0]); }, {p});
  no_grad("logical_and", "broadcast", [](const In& x) { return logical_and(x[0], x[1]); },
          {p, bools({1, 0, 1}, {3})});
  no_grad("where", "int64_branches", [](const In& x) { return where(x[0], x[1], x[2]); },
          {p, i64s({1, 2, 3, 4, 5, 6}, m23), i64s({-1, -2, -3}, {3})});

  // --- Casts to and from integers and booleans (float -> int truncates toward zero).
  no_grad("cast", "float_to_int64", [](const In& x) { return cast(x[0], i64); },
          {constant({{-2.75, -1.5, -0.25}, {0.25, 1.5, 2.75}})});
  no_grad("cast", "float_to_int32", [](const In& x) { return cast(x[0], i32); },
          {uniform(m23, next(), -100, 100)});
  no_grad("cast", "float_to_bool", [](const In& x) { return cast(x[0], boolean); },
          {constant({{0.0, 1.5, -0.25}, {0.0, 0.0, 3.0}})});
  no_grad("cast", "float_to_other_float",
          [](const In& x) { return cast(x[0], x[0].dtype() == f32 ? f64 : f32); },
          {normal(m23, next())});
  no_grad("cast", "int64_to_float", [](const In& x) { return cast(x[0], f32); },
          {i64s({-5, 0, 3, 16777217, -7, 2}, m23)});
  no_grad("cast", "int32_to_int64", [](const In& x) { return cast(x[0], i64); },
          {i32s({-5, 0, 3, 2147483647, -7, 2}, m23)});
  no_grad("cast", "bool_to_int32", [](const In& x) { return cast(x[0], i32); }, {p});

  // --- Integer arithmetic and reductions (exact in both executions).
  const Tensor ia = i64s({-7, -3, 0, 4, 9, 11}, m23), ib = i64s({2, -3, 5}, {3});
  no_grad("add", "int64", [](const In& x) { return x[0] + x[1]; }, {ia, ib});
  no_grad("subtract", "int64", [](const In& x) { return x[0] - x[1]; }, {ia, ib});
  no_grad("multiply", "int32", [](const In& x) { return x[0] * x[1]; },
          {i32s({-7, -3, 0, 4, 9, 11}, m23), i32s({2, -3, 5}, {3})});
  no_grad("divide", "int64_negative_operands", [](const In& x) { return x[0] / x[1]; }, {ia, ib});
  no_grad("maximum", "int64", [](const In& x) { return maximum(x[0], x[1]); }, {ia, ib});
  no_grad("minimum", "int32", [](const In& x) { return minimum(x[0], x[1]); },
          {i32s({-7, -3, 0, 4, 9, 11}, m23), i32s({2, -3, 5}, {3})});
  no_grad("neg", "int64", [](const In& x) { return neg(x[0]); }, {ia});
  no_grad("abs", "int32", [](const In& x) { return abs(x[0]); },
          {i32s({-7, -3, 0, 4, 9, 11}, m23)});
  no_grad("sign", "int64", [](const In& x) { return sign(x[0]); }, {ia});
  no_grad("sum", "int64_axis1", [](const In& x) { return sum(x[0], {1}); }, {ia});
  no_grad("max", "int32_all", [](const In& x) { return max(x[0]); },
          {i32s({-7, -3, 0, 4, 9, 11}, m23)});
  no_grad("min", "int64_axis0", [](const In& x) { return min(x[0], {0}); }, {ia});
  no_grad("argmax", "int64_ties_first", [](const In& x) { return argmax(x[0], 1); },
          {i64s({3, 9, 9, 4, 4, 1}, m23)});
  no_grad("matmul", "int64", [](const In& x) { return matmul(x[0], x[1]); },
          {ia, i64s({1, -2, 3, 0, 5, 1}, {3, 2})});

  // --- Constants and iota inside the function.
  no_grad("constant", "added_to_input",
          [](const In& x) {
            return x[0] + cast(constant({{0.5, -1.0, 2.0}, {3.0, 0.25, -4.0}}), x[0].dtype());
          },
          {normal(m23, next())});
  no_grad("iota", "arange_int64", [](const In&) { return arange(7); }, {});
  no_grad("iota", "arange_float_step",
          [](const In& x) { return x[0] * arange(0.5, 3.5, 0.5, x[0].dtype()); },
          {normal({6}, next())});
  no_grad("one_hot", "float32", [](const In&) { return one_hot(i64s({2, 0, 3}, {3}), 4); }, {});
  cases.back().composite = true;

  // --- Random draws: the same counter-based numbers eagerly and compiled, from a seed or
  // from a Generator (whose state variable the compiled code reads and advances).
  for (DType dt : {f32, f64}) {
    const std::string d = dt == f32 ? "f32" : "f64";
    no_grad("random_uniform", "seed_" + d,
            [dt](const In&) {
              return random_uniform({3, 5}, 17, -2, 3, dt);
            },
            {});
    no_grad("random_normal", "seed_" + d,
            [dt](const In&) {
              return random_normal({4, 3}, 18, 1, 2, dt);
            },
            {});
    no_grad("truncated_normal", "seed_" + d,
            [dt](const In&) {
              return truncated_normal({5, 3}, 19, 0, 1, dt);
            },
            {});
    Generator gen(/*seed=*/23, /*offset=*/0, "op_cases/generator_" + d);
    no_grad("random_normal", "generator_two_draws_" + d,
            [gen, dt](const In&) {
              Generator g = gen;  // copies share the state
              return random_normal({2, 3}, g, 0, 1, dt) + random_uniform({2, 3}, g, 0, 1, dt);
            },
            {});
    cases.back().reset = [gen]() mutable { gen.set_state(23, 0); };
  }
  no_grad("random_uniform", "int64_seed",
          [](const In&) { return random_uniform({10}, 29, -5, 5, i64); }, {});

  // --- top_k: each input twice, once for the values and once for the indices (a case
  // returns one tensor). Ties (quarter grid, repeated integers) must keep the lower index
  // first, NaNs rank above every number in index order.
  auto top_k_both = [&](const std::string& variant, int64_t k, Tensor x) {
    no_grad("top_k", "values_" + variant, [k](const In& in) { return top_k(in[0], k).values; },
            {x});
    no_grad("top_k", "indices_" + variant, [k](const In& in) { return top_k(in[0], k).indices; },
            {x});
  };
  const double nan = std::nan("");
  top_k_both("2d_k3", 3, normal({4, 7}, next()));
  top_k_both("ties", 4, quarter_grid({3, 8}, next(), /*odd=*/false));
  top_k_both("nan", 3, constant({{1.0, nan, 3.0, nan, -2.0}, {nan, 0.5, 0.5, -1.0, 2.0}}));
  top_k_both("1d", 4, normal({9}, next()));
  top_k_both("3d", 2, normal({2, 3, 5}, next()));
  top_k_both("k_is_axis_size", 4, normal({3, 4}, next()));
  top_k_both("int64_ties", 4, i64s({5, -1, 5, 7, 0, 7, 3, 3, 3, -8, 2, 9}, {2, 6}));
}

// ---------------------------------------------------------------------------
// The table: one row per case, keyed by the primitive (or composite) it checks.

std::vector<OpCase> build_cases() {
  std::vector<OpCase> cases;
  uint64_t seed = 1;
  auto next = [&] { return seed += 7; };
  auto prim = [&](std::string op, std::string variant, GradCheckFn f, In inputs,
                  GradCheckOptions options = {}) {
    OpCase c;
    c.op = std::move(op), c.variant = std::move(variant), c.f = std::move(f);
    c.inputs = std::move(inputs), c.gradcheck = options;
    cases.push_back(std::move(c));
  };
  auto comp = [&](std::string op, std::string variant, GradCheckFn f, In inputs,
                  GradCheckOptions options = {}) {
    prim(std::move(op), std::move(variant), std::move(f), std::move(inputs), options);
    cases.back().composite = true;
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

  // Extremes, forward only: tiny, huge and overflowing arguments, where the compiled f32
  // polynomials (compiler/Transforms/ApproximateMath.h) must still match libm. No
  // gradcheck: the finite differences of sum(f(x) * w) drown the small elements' changes
  // in the huge ones.
  const Tensor extremes = constant({{-100.0, -30.0, -1e-8, 0.0}, {1e-8, 30.0, 88.0, 100.0}});
  const Tensor log1p_extremes = constant({{-0.99, -1e-8, 0.0, 1e-8}, {30.0, 88.0, 1e10, 1e30}});
  auto forward_only = [&](std::string op, Tensor x, GradCheckFn f) {
    prim(std::move(op), "extremes", std::move(f), {std::move(x)});
    cases.back().differentiable = false;
  };
  forward_only("exp", extremes, [](const In& x) { return exp(x[0]); });
  forward_only("expm1", extremes, [](const In& x) { return expm1(x[0]); });
  forward_only("log1p", log1p_extremes, [](const In& x) { return log1p(x[0]); });
  forward_only("sigmoid", extremes, [](const In& x) { return sigmoid(x[0]); });
  forward_only("softplus", extremes, [](const In& x) { return softplus(x[0]); });
  forward_only("tanh", extremes, [](const In& x) { return tanh(x[0]); });

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
  // Both cast cases fix float64 inside f; float32 casts are covered by the
  // non-differentiable cases below.
  cases[cases.size() - 1].float32 = cases[cases.size() - 2].float32 = false;

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
  cases.back().float32 = false;  // the one_hot is float64
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
  // top_k's values: the gradient lands on the k selected positions of each row.
  prim("top_k", "values_2d", [](const In& x) { return top_k(x[0], 3).values; },
       {normal({3, 6}, next())});
  prim("top_k", "values_3d_k_is_axis_size", [](const In& x) { return top_k(x[0], 4).values; },
       {normal({2, 2, 4}, next())});

  add_non_differentiable_cases(cases, next);
  return cases;
}

}  // namespace

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = build_cases();
  return cases;
}

}  // namespace kiln::testing
