// 1-2-5 tick selection and tick label formatting.
#include "kiln/viz/axis_ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace kiln::viz {
namespace {

// Ticks are multiples of m * 10^e. Decimal steps divide rather than multiply, so that the
// third tick of step 0.1 is 0.3 and not 0.30000000000000004.
double tick_value(int64_t index, int m, int e) {
  double units = static_cast<double>(index) * m;
  return e < 0 ? units / std::pow(10.0, -e) : units * std::pow(10.0, e);
}

}  // namespace

TickScale nice_scale(double lo, double hi, int max_intervals) {
  if (!std::isfinite(hi - lo)) return TickScale{{0, 1}, 1};
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo <= std::abs(hi) * 1e-12) {
    double half = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= half;
    hi += half;
  }
  max_intervals = std::max(2, max_intervals);
  int e = static_cast<int>(std::floor(std::log10((hi - lo) / max_intervals)));
  static constexpr int kMantissas[] = {1, 2, 5};
  // Steps grow from just below (hi - lo) / max_intervals, so the first that fits is the
  // smallest. Once the step exceeds the range, at most 2 intervals remain, so this ends
  // (the attempt cap only guards against subnormal ranges, where steps underflow to zero).
  for (int attempt = 0;; ++attempt) {
    int m = kMantissas[attempt % 3];
    int exp = e + attempt / 3;
    double step = m * std::pow(10.0, exp);
    // The tolerance keeps 0.3 / 0.1 = 2.9999999999999996 from adding a tick.
    auto first = static_cast<int64_t>(std::floor(lo / step + 1e-9));
    auto last = static_cast<int64_t>(std::ceil(hi / step - 1e-9));
    if (last - first <= max_intervals || attempt > 2000) {
      TickScale s;
      s.step = step;
      for (int64_t i = first; i <= last; ++i) s.ticks.push_back(tick_value(i, m, exp));
      return s;
    }
  }
}

std::string format_tick(double value, double step) {
  step = std::abs(step);
  if (std::abs(value) < step * 1e-6) value = 0;  // no "-0" or "1e-17"
  char buf[64];
  if (std::abs(value) >= 1e7 || (step > 0 && step < 1e-6)) {
    std::snprintf(buf, sizeof buf, "%g", value);
    return buf;
  }
  int decimals = 0;
  for (double scaled = step; decimals < 9; ++decimals, scaled *= 10)
    if (std::abs(scaled - std::round(scaled)) <= 1e-9 * std::max(1.0, scaled)) break;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace kiln::viz
