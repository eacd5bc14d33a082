// Tests for matmul: 2-D, transposed operands, batched and broadcast batches, integers,
// and a product large enough to run on the thread pool, all against a naive float64 loop.
#include "kiln/ops/linalg.h"

#include <gtest/gtest.h>

#include <algorithm>
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

using Dims = std::vector<int64_t>;

std::vector<double> random_values(int64_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = static_cast<float>(u(gen));  // exact in float32 too
  return v;
}

int64_t count(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// C[b] = op(A[b]) op(B[b]) with numpy-style broadcast batch dims, by the textbook triple
// loop. `ta`/`tb` mean the stored matrices are [.., K, M] / [.., N, K].
std::vector<double> matmul_ref(const std::vector<double>& a, const Dims& as,
                               const std::vector<double>& b, const Dims& bs, bool ta, bool tb,
                               Dims* out_shape) {
  size_t ra = as.size(), rb = bs.size();
  int64_t M = ta ? as[ra - 1] : as[ra - 2], K = ta ? as[ra - 2] : as[ra - 1];
  int64_t N = tb ? bs[rb - 2] : bs[rb - 1];
  Dims ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  size_t r = std::max(ab.size(), bb.size());
  Dims batch(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t x = i + ab.size() >= r ? ab[i + ab.size() - r] : 1;
    int64_t y = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    batch[i] = x == 1 ? y : x;
  }
  *out_shape = batch;
  out_shape->push_back(M);
  out_shape->push_back(N);
  std::vector<double> c;
  Dims idx(r, 0);
  for (int64_t n = 0; n < count(batch); ++n) {
    // Flat batch offsets of A and B (size-1 dims repeat).
    int64_t oa = 0, ob = 0, sa = 1, sb = 1;
    for (size_t k = ab.size(); k-- > 0;) {
      oa += (ab[k] == 1 ? 0 : idx[k + r - ab.size()]) * sa;
      sa *= ab[k];
    }
    for (size_t k = bb.size(); k-- > 0;) {
      ob += (bb[k] == 1 ? 0 : idx[k + r - bb.size()]) * sb;
      sb *= bb[k];
    }
    const double* A = a.data() + oa * M * K;
    const double* B = b.data() + ob * K * N;
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k)
          s += (ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
        c.push_back(s);
      }
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return c;
}

struct Case {
  Dims a, b;
  bool ta, tb;
};

TEST(Matmul, MatchesANaiveLoop) {
  const Case cases[] = {
      {{2, 3}, {3, 4}, false, false},          {{3, 2}, {3, 4}, true, false},
      {{2, 3}, {4, 3}, false, true},           {{3, 2}, {4, 3}, true, true},
      {{1, 1}, {1, 1}, false, false},          {{5, 1}, {1, 7}, false, false},
      {{3, 2, 4}, {3, 4, 5}, false, false},    {{3, 4, 2}, {3, 5, 4}, true, true},
      {{2, 1, 3, 4}, {5, 4, 2}, false, false}, {{4, 3}, {2, 3, 5}, false, false},
      {{2, 3, 4}, {4, 5}, false, false},       {{2, 1, 4, 3}, {1, 3, 4, 2}, true, false},
  };
  unsigned seed = 1;
  for (const Case& c : cases)
    for (DType dt : {f32, f64}) {
      SCOPED_TRACE(Shape(c.a).str() + " x " + Shape(c.b).str() + (c.ta ? " ta" : "") +
                   (c.tb ? " tb" : "") + " " + std::string(dtype_name(dt)));
      std::vector<double> av = random_values(count(c.a), seed++);
      std::vector<double> bv = random_values(count(c.b), seed++);
      Dims os;
      std::vector<double> want = matmul_ref(av, c.a, bv, c.b, c.ta, c.tb, &os);
      Tensor a = constant(av, Shape(c.a)), b = constant(bv, Shape(c.b));
      if (dt == f32) a = cast(a, f32), b = cast(b, f32);
      Tensor y = matmul(a, b, c.ta, c.tb);
      EXPECT_EQ(y.dtype(), dt);
      EXPECT_TRUE(values_near(y, Shape(os), want, 0, dt == f32 ? 1e-6 : 1e-15));
    }
}

TEST(Matmul, IntegersAreExact) {
  Tensor a = constant({{1, 2}, {3, 4}});
  Tensor b = constant({{5, -6}, {7, 8}});
  Tensor y = matmul(a, b);
  EXPECT_EQ(y.dtype(), i32);
  EXPECT_TRUE(values_equal(y, {2, 2}, {19, 10, 43, 14}));
  EXPECT_TRUE(values_equal(matmul(a, b, true, false), {2, 2}, {26, 18, 38, 20}));
}

TEST(Matmul, LargeProductOnTheThreadPool) {
  // 300 x 200 x 100: many row blocks, so parallel_for splits the work.
  const int64_t M = 300, K = 200, N = 100;
  std::vector<double> av = random_values(M * K, 11), bv = random_values(K * N, 12);
  Dims os;
  std::vector<double> want = matmul_ref(av, {M, K}, bv, {K, N}, false, false, &os);
  Tensor a = constant(av, Shape{M, K}), b = constant(bv, Shape{K, N});
  EXPECT_TRUE(values_near(matmul(a, b), {M, N}, want, 0, 1e-12));
  // float32 accumulates 200 products of |x| <= 1 in float32.
  EXPECT_TRUE(values_near(matmul(cast(a, f32), cast(b, f32)), {M, N}, want, 0, 2e-5));
  // Batched and transposed on the pool as well.
  std::vector<double> cv = random_values(4 * K * M, 13);
  std::vector<double> want_b = matmul_ref(cv, {4, K, M}, bv, {K, N}, true, false, &os);
  EXPECT_TRUE(values_near(matmul(constant(cv, Shape{4, K, M}), b, true, false), Shape(os), want_b,
                          0, 1e-12));
}

TEST(Matmul, Errors) {
  auto [e, line] = error_and_line([] { matmul(zeros({2, 3}), zeros({4, 5})); }, __LINE__);
  EXPECT_EQ(std::string(e.what()), "matmul: inner dimensions differ: (2, 3) x (4, 5) (3 vs 4)" +
                                       at(__FILE__, line, "matmul"));
  EXPECT_EQ(error_of([] {
              matmul(zeros({3}), zeros({3, 2}));
            }).detail(),
            "operands must have rank >= 2, got shapes (3,) and (3, 2) (reshape vectors to "
            "matrices)");
  EXPECT_EQ(error_of([] {
              matmul(zeros({2, 2}), zeros({2, 2}, f64));
            }).detail(),
            "dtype mismatch: float32 and float64");
  EXPECT_EQ(error_of([] {
              matmul(zeros({2, 2, 2}), zeros({3, 2, 2}));
            }).detail(),
            "batch dimensions (2,) and (3,) are not broadcastable");
  EXPECT_EQ(error_of([] {
              matmul(zeros({1, 1}, boolean), zeros({1, 1}, boolean));
            }).detail(),
            "not defined for bool tensors");
}

}  // namespace
}  // namespace kiln
