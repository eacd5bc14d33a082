// kiln::viz::Plot: a dependency-free 2-D chart (scatter, lines, text) written as a standalone
// SVG file with nice 1-2-5 axis ticks, gridlines and a legend, for looking at results.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiln/error.h"
#include "kiln/tensor.h"
#include "kiln/viz/axis_ticks.h"

namespace kiln::viz {

// XML text with &, <, >, " and ' escaped and control characters XML forbids removed.
std::string xml_escape(const std::string& text);

// What a Plot records: one series of points, and one text annotation.
struct PlotSeries {
  enum class Kind { kScatter, kLine } kind;
  std::vector<double> xs, ys;
  std::string label, color;
  std::vector<std::string> point_labels;
};
struct PlotText {
  double x, y;
  std::string text, color;
};

// Chained building, then to_svg() or save():
//
//   viz::Plot plot;
//   plot.title("Birth rate vs life expectancy, 2010").xlabel("Birth rate").ylabel("Life exp.")
//       .scatter(x, y, "countries").line({1, 8}, {w * 1 + b, w * 8 + b}, "Huber fit");
//   plot.save("huber.svg");
//
// Colors are CSS colors ("#d62728", "steelblue"); empty picks the next from a palette.
// Points with a non-finite coordinate are left out; lines break at them. Axis ranges come
// from the data (every series and annotation) rounded out to ticks unless set by xlim/ylim.
class Plot {
 public:
  explicit Plot(int width = 800, int height = 560);

  Plot& title(std::string text) { return set(&title_, std::move(text)); }
  Plot& xlabel(std::string text) { return set(&xlabel_, std::move(text)); }
  Plot& ylabel(std::string text) { return set(&ylabel_, std::move(text)); }
  Plot& xlim(double lo, double hi, const Loc& loc = Loc::current());
  Plot& ylim(double lo, double hi, const Loc& loc = Loc::current());

  // Points as dots; an empty label keeps the series out of the legend. point_labels, when
  // given, holds one text per point drawn beside it (e.g. words in an embedding plot).
  Plot& scatter(std::vector<double> xs, std::vector<double> ys, std::string label = "",
                std::string color = "", std::vector<std::string> point_labels = {},
                const Loc& loc = Loc::current());
  Plot& scatter(const Tensor& xs, const Tensor& ys, std::string label = "", std::string color = "",
                std::vector<std::string> point_labels = {}, const Loc& loc = Loc::current());
  // A polyline through the points in the order given.
  Plot& line(std::vector<double> xs, std::vector<double> ys, std::string label = "",
             std::string color = "", const Loc& loc = Loc::current());
  Plot& line(const Tensor& xs, const Tensor& ys, std::string label = "", std::string color = "",
             const Loc& loc = Loc::current());
  // Text placed with its left end at data coordinates (x, y).
  Plot& text(double x, double y, std::string content, std::string color = "#222222");

  std::string to_svg() const;
  // Writes the SVG next to `path` under a temporary name, then renames it into place, so a
  // reader never sees half a file. A missing directory is an error naming it.
  void save(const std::string& path, const Loc& loc = Loc::current()) const;

 private:
  using Series = PlotSeries;
  Plot& set(std::string* field, std::string value) {
    *field = std::move(value);
    return *this;
  }
  Plot& add(Series::Kind kind, std::vector<double> xs, std::vector<double> ys, std::string label,
            std::string color, std::vector<std::string> point_labels, const char* op);

  int width_, height_;
  std::string title_, xlabel_, ylabel_;
  std::optional<std::pair<double, double>> xlim_, ylim_;
  std::vector<Series> series_;
  std::vector<PlotText> annotations_;
};

}  // namespace kiln::viz
