// Draws a trained Huber regression over its data with kiln::viz.
#include "huber/fit_plot.h"

#include <algorithm>

#include <fmt/format.h>

namespace huber {

kiln::viz::Plot plot_fit(const TrainResult& result, const TrainOptions& options) {
  const RegressionData& data = result.data;
  std::vector<double> x = data.x.to_vector<double>(), y = data.y.to_vector<double>();
  auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  std::vector<double> ends = {*lo, *hi};
  auto line_at = [&](double w, double b) {
    return std::vector<double>{w * ends[0] + b, w * ends[1] + b};
  };
  LineFit ls = least_squares_fit(data);
  std::string loss(loss_kind_name(options.loss));

  kiln::viz::Plot plot;
  plot.title(
          data.synthetic
              ? fmt::format("Synthetic stand-in for the birth-rate data ({} points)", data.size())
              : fmt::format("Birth rate and life expectancy, {} countries (2010)", data.size()))
      .xlabel("Birth rate (births per woman)")
      .ylabel("Life expectancy (years)")
      .scatter(x, y, data.synthetic ? "synthetic points" : "countries", "#1f77b4")
      .line(ends, line_at(result.w, result.b),
            fmt::format("{} fit (SGD): y = {:.3f} x + {:.2f}", loss, result.w, result.b), "#d62728")
      .line(ends, line_at(ls.w, ls.b),
            fmt::format("least squares: y = {:.3f} x + {:.2f}", ls.w, ls.b), "#2ca02c");
  // The caption goes just under the lowest point, where no data can hide it (the y axis
  // stretches to include it).
  auto [y_lo, y_hi] = std::minmax_element(y.begin(), y.end());
  plot.text(*lo, *y_lo - 0.08 * (*y_hi - *y_lo),
            fmt::format("final w = {:.5g}, b = {:.6g} after {} epochs of per-example SGD, lr {:g}",
                        result.w, result.b, options.epochs, options.learning_rate));
  return plot;
}

}  // namespace huber
