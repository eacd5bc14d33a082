// Tests for the random ops: Philox4x32-10 against the Random123 known-answer vectors,
// the documented counter layout, reproducibility from (seed, offset), moments of each
// distribution with fixed seeds and generous bounds, and normal_quantile.
#include "kiln/random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kiln/ops/shape_ops.h"
#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::error_of;
using ::testing::ElementsAre;

TEST(Philox, MatchesRandom123KnownAnswers) {
  // Random123's kat_vectors: "philox4x32 10 <ctr x4> <key x2> <expected x4>", words in order.
  EXPECT_THAT(philox4x32({0, 0, 0, 0}, {0, 0}),
              ElementsAre(0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u));
  EXPECT_THAT(
      philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
      ElementsAre(0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu));
  EXPECT_THAT(
      philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
      ElementsAre(0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u));
}

// What random.cpp documents: float32 element i is lane i % 4 of block (offset + i / 4),
// the block's counter being (offset + i / 4) as a 64-bit number in words 0-1, the key
// the 64-bit seed; the top 24 bits scaled by 2^-24.
float documented_uniform_f32(uint64_t seed, uint64_t offset, int64_t i) {
  uint64_t c = offset + static_cast<uint64_t>(i / 4);
  auto r = philox4x32({static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), 0, 0},
                      {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  return static_cast<float>(r[static_cast<size_t>(i % 4)] >> 8) * 0x1p-24f;
}

TEST(RandomUniform, FollowsTheDocumentedCounterLayout) {
  const uint64_t seed = 0x123456789abcdefull;
  Tensor u = random_uniform({3, 5}, seed);
  std::vector<float> got = u.to_vector<float>();
  for (int64_t i = 0; i < 15; ++i)
    EXPECT_EQ(got[static_cast<size_t>(i)], documented_uniform_f32(seed, 0, i)) << "element " << i;
  Generator g(seed, /*offset=*/7);
  std::vector<float> at7 = random_uniform({6}, g).to_vector<float>();
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(at7[static_cast<size_t>(i)], documented_uniform_f32(seed, 7, i));
}

TEST(RandomUniform, SameSeedSameNumbersDifferentSeedsDiffer) {
  Tensor a = random_uniform({100}, 42);
  Tensor b = random_uniform({100}, 42);
  Tensor c = random_uniform({100}, 43);
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  EXPECT_NE(a.to_vector<float>(), c.to_vector<float>());
  EXPECT_EQ(random_normal({10}, 5, 0, 1, f64).to_vector<double>(),
            random_normal({10}, 5, 0, 1, f64).to_vector<double>());
  EXPECT_NE(random_normal({10}, 5).to_vector<float>(), random_normal({10}, 6).to_vector<float>());
  EXPECT_EQ(truncated_normal({10}, 5).to_vector<float>(),
            truncated_normal({10}, 5).to_vector<float>());
  // Element i does not depend on the shape of the draw: a prefix is the same numbers.
  std::vector<float> long_draw = random_uniform({40}, 9).to_vector<float>();
  std::vector<float> short_draw = random_uniform({2, 5}, 9).to_vector<float>();
  EXPECT_TRUE(std::equal(short_draw.begin(), short_draw.end(), long_draw.begin()));
}

TEST(Generator, AdvancesAndIsReproducibleFromSeedAndOffset) {
  Generator g(2024);
  Tensor first = random_uniform({10}, g);
  EXPECT_EQ(g.offset(), 3u);  // ceil(10 / 4) blocks
  Tensor second = random_uniform({10}, g);
  EXPECT_EQ(g.offset(), 6u);
  EXPECT_NE(first.to_vector<float>(), second.to_vector<float>());
  Generator replay(2024, /*offset=*/3);
  EXPECT_EQ(random_uniform({10}, replay).to_vector<float>(), second.to_vector<float>());
  Generator again;
  again.set_state(2024, 0);
  EXPECT_EQ(random_uniform({10}, again).to_vector<float>(), first.to_vector<float>());
  // Two float64 / int lanes per element, four normals per block.
  Generator h(1);
  random_uniform({5}, h, 0, 1, f64);
  EXPECT_EQ(h.offset(), 3u);
  random_uniform({4}, h, 0, 10, i32);
  EXPECT_EQ(h.offset(), 5u);
  random_normal({9}, h);
  EXPECT_EQ(h.offset(), 8u);
  truncated_normal({4}, h);
  EXPECT_EQ(h.offset(), 9u);
  EXPECT_EQ(h.take(10), 9u);
  EXPECT_EQ(h.offset(), 19u);
}

struct Moments {
  double mean = 0, var = 0, min = HUGE_VAL, max = -HUGE_VAL;
};
Moments moments(const Tensor& t) {
  std::vector<double> v = t.to_vector<double>();
  Moments m;
  for (double x : v) m.mean += x, m.min = std::min(m.min, x), m.max = std::max(m.max, x);
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size() - 1);
  return m;
}

// Bounds are about 6 standard errors wide for n = 100000, and the seeds are fixed: the
// tests are deterministic and catch a wrong scale, shift or layout, not subtle bias.
constexpr int64_t kN = 100000;

TEST(RandomUniform, MomentsAndRange) {
  for (DType dt : {f32, f64}) {
    Moments m = moments(random_uniform({kN}, 11, -2, 4, dt));
    EXPECT_NEAR(m.mean, 1.0, 0.035);  // var = 36 / 12 = 3, se = sqrt(3 / n)
    EXPECT_NEAR(m.var, 3.0, 0.05);
    EXPECT_GE(m.min, -2.0);
    EXPECT_LT(m.max, 4.0);
  }
}

TEST(RandomUniform, IntegersInRange) {
  for (DType dt : {i32, i64}) {
    Tensor t = random_uniform({kN}, 12, -3, 7, dt);
    EXPECT_EQ(t.dtype(), dt);
    std::vector<int64_t> v = t.to_vector<int64_t>();
    std::vector<int64_t> hist(10, 0);
    for (int64_t x : v) {
      ASSERT_GE(x, -3);
      ASSERT_LT(x, 7);
      ++hist[static_cast<size_t>(x + 3)];
    }
    for (int64_t h : hist) EXPECT_NEAR(static_cast<double>(h), kN / 10.0, 600);  // se ~ 95
  }
  EXPECT_EQ(error_of([] { random_uniform({2}, 1, 1, 1); }).detail(),
            "needs minval < maxval, got [1.000000, 1.000000)");
  EXPECT_EQ(error_of([] { random_uniform({2}, 1, 0, 1, boolean); }).detail(),
            "dtype bool is not supported");
}

TEST(RandomNormal, MeanAndStd) {
  for (DType dt : {f32, f64}) {
    Moments m = moments(random_normal({kN}, 13, 5.0, 2.0, dt));
    EXPECT_NEAR(m.mean, 5.0, 0.04);  // se = 2 / sqrt(n) = 0.0063
    EXPECT_NEAR(std::sqrt(m.var), 2.0, 0.03);
  }
  // Tails exist but are not absurd: |z| > 3 about 0.27% of the time.
  std::vector<float> z = random_normal({kN}, 14).to_vector<float>();
  int64_t beyond3 = std::count_if(z.begin(), z.end(), [](float x) { return std::abs(x) > 3; });
  EXPECT_NEAR(static_cast<double>(beyond3), kN * 0.0026998, 100);
  EXPECT_EQ(error_of([] { random_normal({2}, 1, 0, 1, i32); }).detail(),
            "dtype must be float32 or float64, got int32");
}

TEST(TruncatedNormal, WithinTwoSigmaWithTheTruncatedStd) {
  for (DType dt : {f32, f64}) {
    Moments m = moments(truncated_normal({kN}, 15, -1.0, 3.0, dt));
    EXPECT_GE(m.min, -1.0 - 6.0);
    EXPECT_LE(m.max, -1.0 + 6.0);
    EXPECT_NEAR(m.mean, -1.0, 0.06);
    // sd of N(0,1) truncated to [-2, 2]: sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)) = 0.87962566.
    EXPECT_NEAR(std::sqrt(m.var), 3.0 * 0.87962566, 0.03);
    // Close to the edges too: the range is actually used.
    EXPECT_LT(m.min, -1.0 - 5.9);
    EXPECT_GT(m.max, -1.0 + 5.9);
  }
}

TEST(NormalQuantile, KnownValues) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(normal_quantile(0.8413447460685429), 1.0, 1e-13);     // Phi(1)
  EXPECT_NEAR(normal_quantile(0.022750131948179195), -2.0, 1e-13);  // Phi(-2), lower tail
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-10);
  // 1 - 1e-10 is not exact in binary: the reference is the quantile of the double nearest it.
  EXPECT_NEAR(normal_quantile(1 - 1e-10), 6.361340889697421, 1e-9);
  EXPECT_EQ(normal_quantile(0), -HUGE_VAL);
  EXPECT_EQ(normal_quantile(1), HUGE_VAL);
  // Inverse of Phi everywhere on a grid.
  for (double p = 0.001; p < 1; p += 0.0371) {
    double x = normal_quantile(p);
    EXPECT_NEAR(0.5 * std::erfc(-x / std::sqrt(2.0)), p, 1e-15 + 1e-13 * p) << "p = " << p;
  }
}

}  // namespace
}  // namespace kiln
