// Tests for 1-2-5 axis ticks and tick labels.
#include "kiln/viz/axis_ticks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace kiln::viz {
namespace {

TEST(NiceTicksTest, KnownRangesGiveOneTwoFiveSteps) {
  EXPECT_EQ(nice_ticks(0, 100, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(0.3, 9.6, 6), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(-6.3, 3.7, 6), (std::vector<double>{-8, -6, -4, -2, 0, 2, 4}));
  EXPECT_EQ(nice_ticks(0.0013, 0.0091, 8),
            (std::vector<double>{0, 0.002, 0.004, 0.006, 0.008, 0.01}));
  EXPECT_EQ(nice_ticks(0.1, 0.3, 2), (std::vector<double>{0.1, 0.2, 0.3}));  // 0.3/0.1 < 3
  EXPECT_EQ(nice_ticks(1.092, 7.58, 7), (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(nice_ticks(43.8, 83.0, 6), (std::vector<double>{40, 50, 60, 70, 80, 90}));
  EXPECT_EQ(nice_ticks(5, 5, 4), (std::vector<double>{4.5, 5, 5.5}));  // widened
}

TEST(NiceTicksTest, AnyRangeIsCoveredByEvenMultiplesOfOneTwoOrFive) {
  uint64_t s = 12345;
  auto uniform = [&s] {  // a small LCG: the test needs variety, not quality
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  };
  for (int trial = 0; trial < 500; ++trial) {
    double scale = std::pow(10.0, std::floor(uniform() * 12) - 6);
    double lo = (uniform() - 0.5) * 100 * scale, hi = lo + uniform() * 50 * scale + 1e-9 * scale;
    int max_intervals = 2 + static_cast<int>(uniform() * 9);
    std::vector<double> t = nice_ticks(lo, hi, max_intervals);
    ASSERT_GE(t.size(), 2u);
    double step = t[1] - t[0];
    EXPECT_LE(t.front(), lo + 1e-9 * step);
    EXPECT_GE(t.back(), hi - 1e-9 * step);
    EXPECT_LE(static_cast<int>(t.size()) - 1, max_intervals);
    double decade = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    double mantissa = step / decade;
    bool one = std::abs(mantissa - 1) < 1e-6, two = std::abs(mantissa - 2) < 1e-6;
    EXPECT_TRUE(one || two || std::abs(mantissa - 5) < 1e-6)
        << "step " << step << " for [" << lo << ", " << hi << "]";
    for (double v : t) EXPECT_NEAR(v / step, std::round(v / step), 1e-6);
    // The next smaller 1-2-5 step would need too many intervals.
    double smaller = one ? decade / 2 : two ? decade : decade * 2;
    EXPECT_GT(std::ceil(hi / smaller - 1e-9) - std::floor(lo / smaller + 1e-9), max_intervals)
        << "step " << step << " for [" << lo << ", " << hi << "] is not the smallest";
  }
}

TEST(NiceTicksTest, NonFiniteBoundsGiveZeroToOne) {
  EXPECT_EQ(nice_ticks(std::nan(""), 1), (std::vector<double>{0, 1}));
  EXPECT_EQ(nice_ticks(0, INFINITY), (std::vector<double>{0, 1}));
  EXPECT_EQ(nice_scale(-1e308, 1e308).ticks, (std::vector<double>{0, 1}));
}

TEST(FormatTickTest, UsesTheDecimalsTheStepNeeds) {
  EXPECT_EQ(format_tick(40, 10), "40");
  EXPECT_EQ(format_tick(2.5, 0.5), "2.5");
  EXPECT_EQ(format_tick(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(format_tick(0.004, 0.002), "0.004");
  EXPECT_EQ(format_tick(-1e-17, 0.5), "0.0");  // never "-0.0"
  EXPECT_EQ(format_tick(-2, 1), "-2");
  EXPECT_EQ(format_tick(2e8, 1e8), "2e+08");
}

}  // namespace
}  // namespace kiln::viz
