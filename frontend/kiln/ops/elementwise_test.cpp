// Tests for elementwise ops: values against float64 references computed here by plain
// loops with NumPy broadcasting done by hand, and the dtype rules (no implicit
// promotion, weak C++ scalars, integer wrap-around, division by zero, casts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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

using Dims = std::vector<int64_t>;

int64_t count(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// Offset into a row-major input of shape `in` for output multi-index `idx` (output rank),
// by NumPy's rule: align right, size-1 axes repeat.
int64_t source_offset(const Dims& in, const Dims& idx) {
  int64_t off = 0, stride = 1;
  for (int k = static_cast<int>(in.size()) - 1; k >= 0; --k) {
    int64_t i = idx[idx.size() - in.size() + static_cast<size_t>(k)];
    if (in[static_cast<size_t>(k)] != 1) off += i * stride;
    stride *= in[static_cast<size_t>(k)];
  }
  return off;
}

// out[i] = f(a[...], b[...]) over the broadcast output shape `out`, in float64.
std::vector<double> broadcast_ref(const std::vector<double>& a, const Dims& as,
                                  const std::vector<double>& b, const Dims& bs, const Dims& out,
                                  const std::function<double(double, double)>& f) {
  std::vector<double> r;
  Dims idx(out.size(), 0);
  for (int64_t n = 0; n < count(out); ++n) {
    r.push_back(f(a[static_cast<size_t>(source_offset(as, idx))],
                  b[static_cast<size_t>(source_offset(bs, idx))]));
    for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
      if (++idx[static_cast<size_t>(d)] < out[static_cast<size_t>(d)]) break;
      idx[static_cast<size_t>(d)] = 0;
    }
  }
  return r;
}

std::vector<double> random_values(int64_t n, double lo, double hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = u(gen);
  return v;
}

// A tensor of `dtype` holding v (rounded to float32 for f32), and v as actually stored.
Tensor make(std::vector<double>& v, const Dims& shape, DType dtype) {
  if (dtype == f32) {
    std::vector<float> f(v.begin(), v.end());
    for (size_t i = 0; i < v.size(); ++i) v[i] = f[i];
    return constant(f, Shape(shape));
  }
  return constant(v, Shape(shape));
}

struct BroadcastCase {
  Dims a, b, out;
};
const BroadcastCase kBroadcastCases[] = {
    {{2, 3}, {2, 3}, {2, 3}},
    {{2, 3}, {3}, {2, 3}},
    {{3}, {2, 3}, {2, 3}},
    {{2, 1, 3}, {4, 1}, {2, 4, 3}},
    {{}, {2, 2}, {2, 2}},
    {{2, 2}, {}, {2, 2}},
    {{3, 1}, {1, 4}, {3, 4}},
    {{1}, {5}, {5}},
    {{2, 1, 1, 3}, {1, 4, 2, 1}, {2, 4, 2, 3}},
    {{0, 3}, {3}, {0, 3}},
};

struct BinaryCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<double(double, double)> ref;
  double lo, hi;  // input range (positive for pow and divide)
};

std::vector<BinaryCase> arithmetic_cases() {
  return {
      {"add", [](auto& a, auto& b) { return add(a, b); }, [](double x, double y) { return x + y; },
       -3, 3},
      {"subtract", [](auto& a, auto& b) { return subtract(a, b); },
       [](double x, double y) { return x - y; }, -3, 3},
      {"multiply", [](auto& a, auto& b) { return multiply(a, b); },
       [](double x, double y) { return x * y; }, -3, 3},
      {"divide", [](auto& a, auto& b) { return divide(a, b); },
       [](double x, double y) { return x / y; }, 0.5, 3},
      {"pow", [](auto& a, auto& b) { return pow(a, b); },
       [](double x, double y) { return std::pow(x, y); }, 0.5, 3},
      {"maximum", [](auto& a, auto& b) { return maximum(a, b); },
       [](double x, double y) { return x > y ? x : y; }, -3, 3},
      {"minimum", [](auto& a, auto& b) { return minimum(a, b); },
       [](double x, double y) { return x < y ? x : y; }, -3, 3},
      {"operator+", [](auto& a, auto& b) { return a + b; },
       [](double x, double y) { return x + y; }, -3, 3},
      {"operator-", [](auto& a, auto& b) { return a - b; },
       [](double x, double y) { return x - y; }, -3, 3},
      {"operator*", [](auto& a, auto& b) { return a * b; },
       [](double x, double y) { return x * y; }, -3, 3},
      {"operator/", [](auto& a, auto& b) { return a / b; },
       [](double x, double y) { return x / y; }, 0.5, 3},
  };
}

std::vector<BinaryCase> comparison_cases() {
  return {
      {"equal", [](auto& a, auto& b) { return equal(a, b); },
       [](double x, double y) { return double(x == y); }, 0, 3},
      {"not_equal", [](auto& a, auto& b) { return not_equal(a, b); },
       [](double x, double y) { return double(x != y); }, 0, 3},
      {"less", [](auto& a, auto& b) { return less(a, b); },
       [](double x, double y) { return double(x < y); }, 0, 3},
      {"less_equal", [](auto& a, auto& b) { return less_equal(a, b); },
       [](double x, double y) { return double(x <= y); }, 0, 3},
      {"greater", [](auto& a, auto& b) { return greater(a, b); },
       [](double x, double y) { return double(x > y); }, 0, 3},
      {"greater_equal", [](auto& a, auto& b) { return greater_equal(a, b); },
       [](double x, double y) { return double(x >= y); }, 0, 3},
      {"operator<", [](auto& a, auto& b) { return a < b; },
       [](double x, double y) { return double(x < y); }, 0, 3},
      {"operator>=", [](auto& a, auto& b) { return a >= b; },
       [](double x, double y) { return double(x >= y); }, 0, 3},
  };
}

TEST(Binary, ArithmeticBroadcastsLikeNumPyInBothFloatTypes) {
  unsigned seed = 1;
  for (const BinaryCase& c : arithmetic_cases())
    for (const BroadcastCase& bc : kBroadcastCases)
      for (DType dt : {f32, f64}) {
        SCOPED_TRACE(std::string(c.name) + " " + Shape(bc.a).str() + " x " + Shape(bc.b).str() +
                     " " + std::string(dtype_name(dt)));
        std::vector<double> av = random_values(count(bc.a), c.lo, c.hi, seed++);
        std::vector<double> bv = random_values(count(bc.b), c.lo, c.hi, seed++);
        Tensor a = make(av, bc.a, dt), b = make(bv, bc.b, dt);
        Tensor y = c.op(a, b);
        EXPECT_EQ(y.dtype(), dt);
        EXPECT_TRUE(values_near(y, Shape(bc.out), broadcast_ref(av, bc.a, bv, bc.b, bc.out, c.ref),
                                dt == f32 ? 3e-7 : 1e-15));
      }
}

TEST(Binary, ComparisonsBroadcastAndReturnBool) {
  unsigned seed = 100;
  for (const BinaryCase& c : comparison_cases())
    for (const BroadcastCase& bc : kBroadcastCases)
      for (DType dt : {f32, i32}) {
        SCOPED_TRACE(std::string(c.name) + " " + Shape(bc.a).str() + " x " + Shape(bc.b).str());
        // Small integers so that equal values occur.
        std::vector<double> av = random_values(count(bc.a), c.lo, c.hi, seed++);
        std::vector<double> bv = random_values(count(bc.b), c.lo, c.hi, seed++);
        for (double& x : av) x = std::floor(x);
        for (double& x : bv) x = std::floor(x);
        Tensor a = dt == f32 ? make(av, bc.a, f32) : cast(make(av, bc.a, f64), i32);
        Tensor b = dt == f32 ? make(bv, bc.b, f32) : cast(make(bv, bc.b, f64), i32);
        Tensor y = c.op(a, b);
        EXPECT_EQ(y.dtype(), boolean);
        EXPECT_TRUE(
            values_equal(y, Shape(bc.out), broadcast_ref(av, bc.a, bv, bc.b, bc.out, c.ref)));
      }
}

TEST(Binary, LogicalOpsOnBools) {
  Tensor a = constant({{true}, {false}});    // (2, 1)
  Tensor b = constant({true, false, true});  // (3,)
  EXPECT_TRUE(values_equal(logical_and(a, b), {2, 3}, {1, 0, 1, 0, 0, 0}));
  EXPECT_TRUE(values_equal(logical_or(a, b), {2, 3}, {1, 1, 1, 1, 0, 1}));
  EXPECT_TRUE(values_equal(a && b, {2, 3}, {1, 0, 1, 0, 0, 0}));
  EXPECT_TRUE(values_equal(a || b, {2, 3}, {1, 1, 1, 1, 0, 1}));
  EXPECT_TRUE(values_equal(!b, {3}, {0, 1, 0}));
  EXPECT_TRUE(values_equal(logical_not(a), {2, 1}, {0, 1}));
  // Comparing bools is allowed (False < True), arithmetic on them is not.
  EXPECT_TRUE(values_equal(less(constant({false, true}), constant({true, true})), {2}, {1, 0}));
  Error e = error_of([] { logical_and(constant({1.f}), constant({1.f})); });
  EXPECT_EQ(e.detail(), "expected bool tensors, got float32");
  Error n = error_of([] { logical_not(constant({1})); });
  EXPECT_EQ(n.detail(), "expected a bool tensor, got int32");
}

TEST(Binary, IncompatibleShapesNameBothShapes) {
  auto [e, line] = error_and_line([] { add(zeros({2, 3}), zeros({4})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "add: shapes (2, 3) and (4,) are not broadcastable" + at(__FILE__, line, "add"));
  EXPECT_EQ(error_of([] { multiply(zeros({2}), zeros({3})); }).op(), "multiply");
  EXPECT_EQ(error_of([] { less(zeros({2}), zeros({3})); }).op(), "less");
}

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> ref;
  double lo, hi;
};

TEST(Unary, FloatingFunctionsMatchTheCLibraryInFloat64) {
  const UnaryCase cases[] = {
      {"neg", [](auto& x) { return neg(x); }, [](double x) { return -x; }, -5, 5},
      {"exp", [](auto& x) { return exp(x); }, [](double x) { return std::exp(x); }, -5, 5},
      {"log", [](auto& x) { return log(x); }, [](double x) { return std::log(x); }, 0.01, 5},
      {"log1p", [](auto& x) { return log1p(x); }, [](double x) { return std::log1p(x); }, -0.9, 5},
      {"expm1", [](auto& x) { return expm1(x); }, [](double x) { return std::expm1(x); }, -5, 5},
      {"sqrt", [](auto& x) { return sqrt(x); }, [](double x) { return std::sqrt(x); }, 0, 5},
      {"rsqrt", [](auto& x) { return rsqrt(x); }, [](double x) { return 1 / std::sqrt(x); }, 0.1,
       5},
      {"abs", [](auto& x) { return abs(x); }, [](double x) { return std::fabs(x); }, -5, 5},
      {"sign", [](auto& x) { return sign(x); }, [](double x) { return double((x > 0) - (x < 0)); },
       -5, 5},
      {"square", [](auto& x) { return square(x); }, [](double x) { return x * x; }, -5, 5},
      {"tanh", [](auto& x) { return tanh(x); }, [](double x) { return std::tanh(x); }, -5, 5},
      {"sigmoid", [](auto& x) { return sigmoid(x); },
       [](double x) { return 1 / (1 + std::exp(-x)); }, -30, 30},
      {"relu", [](auto& x) { return relu(x); }, [](double x) { return x > 0 ? x : 0; }, -5, 5},
      {"softplus", [](auto& x) { return softplus(x); },
       [](double x) { return std::log1p(std::exp(x)); }, -30, 30},
      {"floor", [](auto& x) { return floor(x); }, [](double x) { return std::floor(x); }, -5, 5},
      {"unary -", [](auto& x) { return -x; }, [](double x) { return -x; }, -5, 5},
  };
  unsigned seed = 7;
  for (const UnaryCase& c : cases)
    for (DType dt : {f32, f64}) {
      SCOPED_TRACE(std::string(c.name) + " " + std::string(dtype_name(dt)));
      std::vector<double> v = random_values(24, c.lo, c.hi, seed++);
      Tensor x = make(v, {2, 3, 4}, dt);
      std::vector<double> want;
      for (double e : v) want.push_back(c.ref(e));
      Tensor y = c.op(x);
      EXPECT_EQ(y.dtype(), dt);
      EXPECT_TRUE(values_near(y, {2, 3, 4}, want, dt == f32 ? 2e-6 : 1e-13, 1e-30));
    }
}

TEST(Unary, SigmoidAndSoftplusAreStableOnBothTails) {
  Tensor x = constant({-1000.f, -100.f, 0.f, 100.f, 1000.f});
  // e^-100 is a float32 subnormal, hence the absolute tolerance.
  EXPECT_TRUE(values_near(sigmoid(x), {5}, {0, 3.7200759760208356e-44, 0.5, 1, 1}, 1e-6, 1e-40));
  EXPECT_TRUE(values_near(softplus(x), {5}, {0, 3.7200759760208356e-44, std::log(2.0), 100, 1000},
                          1e-6, 1e-40));
}

TEST(Unary, IntegerTensorsAllowOnlyExactOps) {
  Tensor x = constant({-3, 0, 4});
  EXPECT_TRUE(values_equal(neg(x), {3}, {3, 0, -4}));
  EXPECT_TRUE(values_equal(abs(x), {3}, {3, 0, 4}));
  EXPECT_TRUE(values_equal(sign(x), {3}, {-1, 0, 1}));
  EXPECT_TRUE(values_equal(square(x), {3}, {9, 0, 16}));
  EXPECT_TRUE(values_equal(relu(x), {3}, {0, 0, 4}));
  EXPECT_EQ(neg(x).dtype(), i32);
  auto [e, line] = error_and_line([&] { exp(x); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "exp: expected a floating-point tensor, got int32; cast it with kiln::cast" +
                at(__FILE__, line, "exp"));
  Error b = error_of([] { neg(constant({true})); });
  EXPECT_EQ(b.detail(), "not defined for bool tensors; cast first");
}

TEST(Where, BroadcastsAllThreeOperands) {
  Tensor cond = constant({{true}, {false}});  // (2, 1)
  Tensor a = constant({1.f, 2.f, 3.f});       // (3,)
  Tensor b = constant(-1.f);                  // ()
  EXPECT_TRUE(values_equal(where(cond, a, b), {2, 3}, {1, 2, 3, -1, -1, -1}));
  // cond (3,), a (2, 1), b (1, 3)
  Tensor c2 = constant({true, false, true});
  Tensor a2 = constant({{10}, {20}});
  Tensor b2 = constant({{-1, -2, -3}});
  EXPECT_TRUE(values_equal(where(c2, a2, b2), {2, 3}, {10, -2, 10, 20, -2, 20}));

  Error nb = error_of([&] { where(a, a, a); });
  EXPECT_EQ(nb.detail(), "condition must be bool, got float32");
  Error dt = error_of([&] { where(cond, a, constant(1.0)); });
  EXPECT_EQ(dt.detail(), "dtype mismatch between branches: float32 and float64");
  Error sh = error_of([&] { where(constant({true, false}), a, b); });
  EXPECT_EQ(sh.detail(), "shapes (2,), (3,) and () are not broadcastable");
}

TEST(DTypes, MixedDtypesAreRejected) {
  auto [e, line] = error_and_line([] { add(constant({1.f}), constant({1.0})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "add: dtype mismatch: float32 and float64 (kiln does not convert implicitly; cast "
            "one operand)" +
                at(__FILE__, line, "add"));
  EXPECT_EQ(error_of([] { multiply(constant({1}), constant({int64_t{1}})); }).detail(),
            "dtype mismatch: int32 and int64 (kiln does not convert implicitly; cast one operand)");
  EXPECT_EQ(error_of([] { less(constant({1}), constant({1.f})); }).op(), "less");
}

TEST(DTypes, BoolArithmeticIsRejected) {
  Tensor t = constant({true, false});
  Error e = error_of([&] { add(t, t); });
  EXPECT_EQ(e.detail(), "arithmetic is not defined for bool tensors; cast first");
  EXPECT_EQ(error_of([&] { maximum(t, t); }).op(), "maximum");
}

TEST(DTypes, CppScalarsAreWeak) {
  Tensor i = constant({1, 2});
  Tensor s = i + 2;
  EXPECT_EQ(s.dtype(), i32);
  EXPECT_TRUE(values_equal(s, {2}, {3, 4}));
  EXPECT_TRUE(values_equal(10 - i, {2}, {9, 8}));
  EXPECT_TRUE(values_equal(i * 3.0, {2}, {3, 6}));  // 3.0 is an exact int32
  Tensor f = constant({1.f, 2.f});
  EXPECT_EQ((f * 2.5).dtype(), f32);
  EXPECT_TRUE(values_equal(f * 2.5, {2}, {2.5, 5}));
  EXPECT_TRUE(values_equal(1.0 / f, {2}, {1, 0.5}));
  EXPECT_EQ((constant({1.0}) + 1).dtype(), f64);
  Tensor l = constant({int64_t{1}});
  EXPECT_EQ((l + 1).dtype(), i64);
  EXPECT_EQ((f > 1.5).dtype(), boolean);
  EXPECT_TRUE(values_equal(f > 1.5, {2}, {0, 1}));
  EXPECT_TRUE(values_equal(pow(f, 2), {2}, {1, 4}));

  auto [e, line] = error_and_line([&] { i * 0.5; }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "scalar: the scalar 0.500000 cannot be represented as int32; cast the tensor first" +
                at(__FILE__, line, "scalar"));
  EXPECT_EQ(error_of([&] { i + 1e30; }).op(), "scalar");
  EXPECT_EQ(error_of([&] { i + 3e9; }).op(), "scalar");  // beyond int32
  EXPECT_EQ(error_of([&] { i + std::nan(""); }).op(), "scalar");
  EXPECT_EQ(error_of([&] { l + 1e19; }).op(), "scalar");  // beyond int64
}

TEST(DTypes, IntegerDivisionByZeroIsAnError) {
  Tensor a = constant({6, 7});
  auto [e, line] = error_and_line([&] { a / constant({3, 0}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "divide: integer division by zero (divisor element 1)" + at(__FILE__, line, "divide"));
  EXPECT_EQ(error_of([&] { divide(a, constant(int64_t{0})); }).op(), "divide");  // dtype first
  EXPECT_EQ(error_of([&] { a / 0; }).detail(), "integer division by zero (divisor element 0)");
  // Floats divide by zero the IEEE way.
  EXPECT_TRUE(values_equal(constant({1.f, -1.f}) / 0.0, {2}, {HUGE_VAL, -HUGE_VAL}));
}

TEST(DTypes, IntegerDivisionTruncatesTowardZero) {
  // C++ (and tf.truncatediv) semantics, not NumPy's floor division.
  EXPECT_TRUE(
      values_equal(constant({7, -7, 7, -7}) / constant({2, 2, -2, -2}), {4}, {3, -3, -3, 3}));
}

TEST(DTypes, IntegerOverflowWrapsWithoutUndefinedBehaviour) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  Tensor mx = constant({kMax}), mn = constant({kMin});
  EXPECT_THAT((mx + 1).to_vector<int32_t>(), ElementsAre(kMin));
  EXPECT_THAT((mn - 1).to_vector<int32_t>(), ElementsAre(kMax));
  EXPECT_THAT((mx * 2).to_vector<int32_t>(), ElementsAre(-2));
  EXPECT_THAT((mn / -1).to_vector<int32_t>(), ElementsAre(kMin));
  EXPECT_THAT(neg(mn).to_vector<int32_t>(), ElementsAre(kMin));
  EXPECT_THAT(abs(mn).to_vector<int32_t>(), ElementsAre(kMin));
  EXPECT_THAT(square(constant({65536})).to_vector<int32_t>(), ElementsAre(0));

  constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  EXPECT_THAT((constant({kMax64}) + 1).to_vector<int64_t>(), ElementsAre(kMin64));
  EXPECT_THAT((constant({kMin64}) / -1).to_vector<int64_t>(), ElementsAre(kMin64));
  EXPECT_THAT((constant({kMin64}) * -1).to_vector<int64_t>(), ElementsAre(kMin64));
}

TEST(DTypes, IntegerPowerIsExactAndWraps) {
  // Reference: repeated multiplication modulo 2^32, read back as two's complement.
  auto ref = [](int32_t a, int32_t b) {
    if (b < 0) return a == 1 ? 1 : a == -1 ? (b % 2 ? -1 : 1) : 0;
    uint32_t r = 1;
    for (int32_t k = 0; k < b; ++k) r *= static_cast<uint32_t>(a);
    return static_cast<int32_t>(r);
  };
  std::vector<int> as = {3, 2, -2, 7, -1, 1, 0, 5};
  std::vector<int> bs = {4, 40, 31, 21, -3, -5, 0, -1};
  std::vector<double> want;
  for (size_t k = 0; k < as.size(); ++k) want.push_back(ref(as[k], bs[k]));
  EXPECT_TRUE(values_equal(pow(constant(as), constant(bs)), {8}, want));
}

TEST(MaxMin, PropagateNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = constant({nan, 1.f, 2.f});
  Tensor b = constant({1.f, nan, 1.f});
  EXPECT_TRUE(values_equal(maximum(a, b), {3}, {NAN, NAN, 2}));
  EXPECT_TRUE(values_equal(minimum(a, b), {3}, {NAN, NAN, 1}));
}

TEST(Cast, FloatToIntSaturatesAndMapsNaNToZero) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = constant({1e10f, -1e10f, nan, 2.7f, -2.7f, HUGE_VALF, -HUGE_VALF, 2147483520.f});
  EXPECT_THAT(cast(x, i32).to_vector<int32_t>(),
              ElementsAre(std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                          0, 2, -2, std::numeric_limits<int32_t>::max(),
                          std::numeric_limits<int32_t>::min(), 2147483520));
  Tensor d = constant({1e19, -1e19, std::nan(""), 9.2e18, -0.5});
  EXPECT_THAT(cast(d, i64).to_vector<int64_t>(),
              ElementsAre(std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                          0, int64_t{9200000000000000000}, 0));
  EXPECT_THAT(cast(constant({3e9}), i32).to_vector<int32_t>(),
              ElementsAre(std::numeric_limits<int32_t>::max()));
}

TEST(Cast, BetweenOtherTypes) {
  EXPECT_EQ(cast(constant({1.f}), f32).dtype(), f32);  // no-op
  EXPECT_TRUE(values_equal(cast(constant({0.f, -2.f, NAN}), boolean), {3}, {0, 1, 1}));
  EXPECT_TRUE(values_equal(cast(constant({true, false}), i32), {2}, {1, 0}));
  EXPECT_TRUE(values_equal(cast(constant({true, false}), f64), {2}, {1, 0}));
  EXPECT_TRUE(values_equal(cast(constant({16777217}), f32), {1}, {16777216}));  // rounds
  EXPECT_TRUE(values_equal(cast(constant({0.1}), f32), {1}, {static_cast<double>(0.1f)}));
  EXPECT_THAT(cast(constant({int64_t{1} << 32 | 5}), i32).to_vector<int32_t>(), ElementsAre(5));
  EXPECT_EQ(cast(constant({1, 2}), i64).dtype(), i64);
}

}  // namespace
}  // namespace kiln
