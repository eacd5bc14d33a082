// "Nice" axis ticks for plots: steps of 1, 2 or 5 times a power of ten, and tick labels
// with just the decimals the step needs.
#pragma once

#include <string>
#include <vector>

namespace kiln::viz {

struct TickScale {
  std::vector<double> ticks;  // ascending, evenly spaced by step
  double step = 1;
};

// Evenly spaced ticks covering [lo, hi]: the step is the smallest of 1, 2 or 5 times a power
// of ten giving at most max(2, max_intervals) intervals; the first tick is <= lo and the last
// >= hi, to within 1e-9 of a step (so that rounding noise such as 0.30000000000000004 for 0.3
// does not add a tick). A range of zero width is widened by 10% of the value (or by 1 around
// zero); non-finite bounds give the ticks {0, 1}.
TickScale nice_scale(double lo, double hi, int max_intervals = 6);
inline std::vector<double> nice_ticks(double lo, double hi, int max_intervals = 6) {
  return nice_scale(lo, hi, max_intervals).ticks;
}

// A tick label: as few decimals as the step needs ("0.25", "40", "-1.5"), never "-0";
// %g form for very large values or tiny steps.
std::string format_tick(double value, double step);

}  // namespace kiln::viz
