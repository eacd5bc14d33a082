// SVG rendering for kiln::viz::Plot: layout, axes, data, a legend placed where it hides the
// least data, and the atomic file write.
#include "kiln/viz/svg_plot.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

namespace kiln::viz {
namespace {

using Limits = std::optional<std::pair<double, double>>;
using Pixels = std::vector<std::pair<double, double>>;  // pixels covered by data or text

// Matplotlib's "tab10" palette: distinguishable, and familiar to people who read plots.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr double kCharWidth = 0.6;  // average glyph width per font-size unit, for layout

// A pixel coordinate: two decimals at most, no trailing zeros, never "-0".
std::string num(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", std::abs(v) < 0.005 ? 0.0 : v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// Estimated rendered width: code points (not UTF-8 bytes) times an average glyph width.
double text_width(const std::string& s, double font_size) {
  auto glyphs = std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  return static_cast<double>(glyphs) * font_size * kCharWidth;
}

std::string svg_text(double x, double y, const std::string& body, const std::string& attrs) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + attrs + ">" + xml_escape(body) +
         "</text>\n";
}

std::string svg_line(double x1, double y1, double x2, double y2, const std::string& attrs = "") {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
         num(y2) + "\"" + attrs + "/>\n";
}

// Marks the box a text covers, so the legend avoids it.
void occupy_text(double x, double y, const std::string& text, double font_size, Pixels* px) {
  for (double dx = 0; dx <= text_width(text, font_size); dx += 4) {
    px->emplace_back(x + dx, y);
    px->emplace_back(x + dx, y - font_size * 0.7);
  }
}

// One axis: data range [lo, hi] drawn from pixel p0 to pixel p1, with its ticks.
struct Axis {
  double lo = 0, hi = 1, p0 = 0, p1 = 1;
  TickScale scale;
  double px(double v) const { return p0 + (v - lo) / (hi - lo) * (p1 - p0); }
};

Axis fit_axis(double lo, double hi, const Limits& lim, int max_intervals) {
  Axis a;
  if (lim) {
    a.lo = lim->first, a.hi = lim->second;
    a.scale = nice_scale(a.lo, a.hi, max_intervals);
    double eps = (a.hi - a.lo) * 1e-9;
    std::erase_if(a.scale.ticks, [&](double t) { return t < a.lo - eps || t > a.hi + eps; });
    return a;
  }
  if (lo > hi) lo = 0, hi = 1;  // no data
  // Round out to ticks, but where the data sits on the outer tick keep a small margin rather
  // than add a whole empty step, so points are not cut in half by the frame. The margin is
  // under one step, so the covering ticks are exactly the ticks shown.
  a.scale = nice_scale(lo, hi, max_intervals);
  double margin = std::max(hi - lo, a.scale.step) * 0.02;
  a.lo = std::min(a.scale.ticks.front(), lo - margin);
  a.hi = std::max(a.scale.ticks.back(), hi + margin);
  return a;
}

// The canvas and the plot area inside it, in pixels.
struct Frame {
  double width, height;
  Axis x, y;  // x.p0/x.p1: left/right edges; y.p0/y.p1: bottom/top edges
  bool inside(double px, double py) const {
    return px >= x.p0 - 0.5 && px <= x.p1 + 0.5 && py >= y.p1 - 0.5 && py <= y.p0 + 0.5;
  }
};

void draw_axes(const Frame& f, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, std::string* o) {
  const Axis &xa = f.x, &ya = f.y;
  const double pw = xa.p1 - xa.p0, ph = ya.p0 - ya.p1;
  if (!title.empty())
    *o += svg_text(f.width / 2, 28, title,
                   " text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  *o += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n";  // gridlines
  for (double t : xa.scale.ticks) *o += svg_line(xa.px(t), ya.p1, xa.px(t), ya.p0);
  for (double t : ya.scale.ticks) *o += svg_line(xa.p0, ya.px(t), xa.p1, ya.px(t));
  *o += "</g>\n<g stroke=\"#444444\" stroke-width=\"1\">\n";  // tick marks
  for (double t : xa.scale.ticks) *o += svg_line(xa.px(t), ya.p0, xa.px(t), ya.p0 + 5);
  for (double t : ya.scale.ticks) *o += svg_line(xa.p0 - 5, ya.px(t), xa.p0, ya.px(t));
  *o += "</g>\n<g font-size=\"12\" fill=\"#333333\">\n";  // tick labels
  for (double t : xa.scale.ticks)
    *o += svg_text(xa.px(t), ya.p0 + 19, format_tick(t, xa.scale.step), " text-anchor=\"middle\"");
  for (double t : ya.scale.ticks)
    *o += svg_text(xa.p0 - 8, ya.px(t) + 4, format_tick(t, ya.scale.step), " text-anchor=\"end\"");
  *o += "</g>\n<rect x=\"" + num(xa.p0) + "\" y=\"" + num(ya.p1) + "\" width=\"" + num(pw) +
        "\" height=\"" + num(ph) + "\" fill=\"none\" stroke=\"#444444\"/>\n";
  if (!xlabel.empty())
    *o +=
        svg_text(xa.p0 + pw / 2, f.height - 12, xlabel, " text-anchor=\"middle\" font-size=\"13\"");
  if (!ylabel.empty()) {
    double cx = 16, cy = ya.p1 + ph / 2;
    *o += svg_text(cx, cy, ylabel,
                   " text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 " + num(cx) +
                       " " + num(cy) + ")\"");
  }
}

void draw_series(const Frame& f, const PlotSeries& s, std::string* o, Pixels* occupied) {
  const std::string color = xml_escape(s.color);
  if (s.kind == PlotSeries::Kind::kScatter) {
    *o += "<g fill=\"" + color + "\" fill-opacity=\"0.8\" stroke=\"white\" stroke-width=\"0.5\">\n";
    for (size_t i = 0; i < s.xs.size(); ++i) {
      if (!std::isfinite(s.xs[i]) || !std::isfinite(s.ys[i])) continue;
      double px = f.x.px(s.xs[i]), py = f.y.px(s.ys[i]);
      *o += "<circle cx=\"" + num(px) + "\" cy=\"" + num(py) + "\" r=\"3.5\"/>\n";
      occupied->emplace_back(px, py);
    }
    *o += "</g>\n";
    return;
  }
  std::string points;  // the current unbroken run of finite points
  auto flush = [&] {
    if (!points.empty())
      *o += "<polyline fill=\"none\" stroke=\"" + color +
            "\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"" + points + "\"/>\n";
    points.clear();
  };
  for (size_t i = 0; i < s.xs.size(); ++i) {
    if (!std::isfinite(s.xs[i]) || !std::isfinite(s.ys[i])) {
      flush();
      continue;
    }
    double px = f.x.px(s.xs[i]), py = f.y.px(s.ys[i]);
    if (!points.empty()) {
      auto [qx, qy] = occupied->back();  // the previous vertex
      for (int k = 1; k < 32; ++k) {     // sample the segment, for legend placement
        double t = k / 32.0;
        occupied->emplace_back(qx + (px - qx) * t, qy + (py - qy) * t);
      }
      points += " ";
    }
    points += num(px) + "," + num(py);
    occupied->emplace_back(px, py);
  }
  flush();
}

// The legend in the inside corner that hides the fewest data pixels (matplotlib's "best").
void draw_legend(const Frame& f, const std::vector<PlotSeries>& series, const Pixels& occupied,
                 std::string* o) {
  std::vector<const PlotSeries*> entries;
  double lw = 0;
  for (const PlotSeries& s : series) {
    if (s.label.empty()) continue;
    entries.push_back(&s);
    lw = std::max(lw, text_width(s.label, 12) + 44);
  }
  if (entries.empty()) return;
  const double lh = 20.0 * static_cast<double>(entries.size()) + 10, gap = 10;
  const double corners[4][2] = {{f.x.p1 - gap - lw, f.y.p1 + gap},
                                {f.x.p0 + gap, f.y.p1 + gap},
                                {f.x.p0 + gap, f.y.p0 - gap - lh},
                                {f.x.p1 - gap - lw, f.y.p0 - gap - lh}};
  size_t best = 0;
  auto best_hidden = std::numeric_limits<std::ptrdiff_t>::max();
  for (size_t c = 0; c < 4; ++c) {
    auto hidden = std::count_if(occupied.begin(), occupied.end(), [&](const auto& p) {
      return p.first >= corners[c][0] - 4 && p.first <= corners[c][0] + lw + 4 &&
             p.second >= corners[c][1] - 4 && p.second <= corners[c][1] + lh + 4;
    });
    if (hidden < best_hidden) best = c, best_hidden = hidden;
  }
  const double lx = corners[best][0], ly = corners[best][1];
  *o += "<g font-size=\"12\" fill=\"#222222\">\n<rect x=\"" + num(lx) + "\" y=\"" + num(ly) +
        "\" width=\"" + num(lw) + "\" height=\"" + num(lh) +
        "\" rx=\"3\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#cccccc\"/>\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const PlotSeries& s = *entries[i];
    double cy = ly + 15 + 20.0 * static_cast<double>(i);
    std::string color = xml_escape(s.color);
    if (s.kind == PlotSeries::Kind::kLine)
      *o += svg_line(lx + 8, cy, lx + 30, cy, " stroke=\"" + color + "\" stroke-width=\"2\"");
    else
      *o += "<circle cx=\"" + num(lx + 19) + "\" cy=\"" + num(cy) + "\" r=\"4\" fill=\"" + color +
            "\"/>\n";
    *o += svg_text(lx + 36, cy + 4, s.label, "");
  }
  *o += "</g>\n";
}

std::pair<double, double> check_limits(const char* op, double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
    detail::fail(op, "limits must be finite with lo < hi, got [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
  return {lo, hi};
}

std::vector<double> values_of(const Tensor& t, const char* op, const char* name) {
  if (!t.defined()) detail::fail(op, std::string(name) + " is an undefined tensor");
  if (t.rank() != 1)
    detail::fail(op, std::string(name) + " must be 1-D, got shape " + t.shape().str());
  return t.to_vector<double>();
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&apos;";
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r')
      out += c;  // other control characters are not allowed in XML 1.0
  }
  return out;
}

Plot::Plot(int width, int height) : width_(std::max(width, 200)), height_(std::max(height, 150)) {}

Plot& Plot::xlim(double lo, double hi, const Loc& loc) {
  detail::ApiScope scope("Plot::xlim", loc);
  xlim_ = check_limits("xlim", lo, hi);
  return *this;
}

Plot& Plot::ylim(double lo, double hi, const Loc& loc) {
  detail::ApiScope scope("Plot::ylim", loc);
  ylim_ = check_limits("ylim", lo, hi);
  return *this;
}

Plot& Plot::add(Series::Kind kind, std::vector<double> xs, std::vector<double> ys,
                std::string label, std::string color, std::vector<std::string> point_labels,
                const char* op) {
  if (xs.size() != ys.size())
    detail::fail(op, "xs has " + std::to_string(xs.size()) + " values but ys has " +
                         std::to_string(ys.size()));
  if (!point_labels.empty() && point_labels.size() != xs.size())
    detail::fail(op, "point_labels has " + std::to_string(point_labels.size()) + " texts for " +
                         std::to_string(xs.size()) + " points");
  if (color.empty()) color = kPalette[series_.size() % std::size(kPalette)];
  series_.push_back(Series{kind, std::move(xs), std::move(ys), std::move(label), std::move(color),
                           std::move(point_labels)});
  return *this;
}

Plot& Plot::scatter(std::vector<double> xs, std::vector<double> ys, std::string label,
                    std::string color, std::vector<std::string> point_labels, const Loc& loc) {
  detail::ApiScope scope("Plot::scatter", loc);
  return add(Series::Kind::kScatter, std::move(xs), std::move(ys), std::move(label),
             std::move(color), std::move(point_labels), "scatter");
}

Plot& Plot::scatter(const Tensor& xs, const Tensor& ys, std::string label, std::string color,
                    std::vector<std::string> point_labels, const Loc& loc) {
  detail::ApiScope scope("Plot::scatter", loc);
  return add(Series::Kind::kScatter, values_of(xs, "scatter", "xs"), values_of(ys, "scatter", "ys"),
             std::move(label), std::move(color), std::move(point_labels), "scatter");
}

Plot& Plot::line(std::vector<double> xs, std::vector<double> ys, std::string label,
                 std::string color, const Loc& loc) {
  detail::ApiScope scope("Plot::line", loc);
  return add(Series::Kind::kLine, std::move(xs), std::move(ys), std::move(label), std::move(color),
             {}, "line");
}

Plot& Plot::line(const Tensor& xs, const Tensor& ys, std::string label, std::string color,
                 const Loc& loc) {
  detail::ApiScope scope("Plot::line", loc);
  return add(Series::Kind::kLine, values_of(xs, "line", "xs"), values_of(ys, "line", "ys"),
             std::move(label), std::move(color), {}, "line");
}

Plot& Plot::text(double x, double y, std::string content, std::string color) {
  annotations_.push_back(PlotText{x, y, std::move(content), std::move(color)});
  return *this;
}

std::string Plot::to_svg() const {
  // Data extent over everything drawn.
  const double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf;
  auto extend = [&](double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    xlo = std::min(xlo, x), xhi = std::max(xhi, x), ylo = std::min(ylo, y), yhi = std::max(yhi, y);
  };
  for (const Series& s : series_)
    for (size_t i = 0; i < s.xs.size(); ++i) extend(s.xs[i], s.ys[i]);
  for (const PlotText& a : annotations_) extend(a.x, a.y);

  // Layout: the y axis first, since its tick labels decide the left margin.
  Frame f{static_cast<double>(width_), static_cast<double>(height_), {}, {}};
  const double top = title_.empty() ? 16 : 46, right = 20;
  const double bottom = 38 + (xlabel_.empty() ? 0 : 22);
  f.y = fit_axis(ylo, yhi, ylim_,
                 std::clamp(static_cast<int>((f.height - top - bottom) / 55), 2, 10));
  f.y.p0 = f.height - bottom;
  f.y.p1 = top;
  double ytick_w = 0;
  for (double t : f.y.scale.ticks)
    ytick_w = std::max(ytick_w, text_width(format_tick(t, f.y.scale.step), 12));
  const double left = std::max(48.0, ytick_w + 18 + (ylabel_.empty() ? 0 : 26));
  f.x =
      fit_axis(xlo, xhi, xlim_, std::clamp(static_cast<int>((f.width - left - right) / 90), 2, 10));
  f.x.p0 = left;
  f.x.p1 = f.width - right;

  const std::string w = num(f.width), h = num(f.height);
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
       "\" viewBox=\"0 0 " + w + " " + h + "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  o += "<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"white\"/>\n";
  o += "<defs><clipPath id=\"kiln-plot-area\"><rect x=\"" + num(f.x.p0) + "\" y=\"" + num(f.y.p1) +
       "\" width=\"" + num(f.x.p1 - f.x.p0) + "\" height=\"" + num(f.y.p0 - f.y.p1) +
       "\"/></clipPath></defs>\n";
  draw_axes(f, title_, xlabel_, ylabel_, &o);

  // Data is clipped to the plot area; point labels and annotations are not, so a word near
  // the edge runs past the frame rather than being cut off.
  Pixels occupied;
  o += "<g clip-path=\"url(#kiln-plot-area)\">\n";
  for (const Series& s : series_) draw_series(f, s, &o, &occupied);
  o += "</g>\n";
  for (const Series& s : series_) {
    if (s.point_labels.empty()) continue;
    o += "<g font-size=\"10\" fill=\"#333333\">\n";
    for (size_t i = 0; i < s.xs.size(); ++i) {
      double px = f.x.px(s.xs[i]) + 5, py = f.y.px(s.ys[i]) - 4;
      if (!std::isfinite(px) || !std::isfinite(py) || !f.inside(px - 5, py + 4) ||
          s.point_labels[i].empty())
        continue;
      o += svg_text(px, py, s.point_labels[i], "");
      occupy_text(px, py, s.point_labels[i], 10, &occupied);
    }
    o += "</g>\n";
  }
  for (const PlotText& a : annotations_) {
    double px = f.x.px(a.x), py = f.y.px(a.y);
    if (!std::isfinite(px) || !std::isfinite(py)) continue;
    o += svg_text(px, py, a.text, " font-size=\"12\" fill=\"" + xml_escape(a.color) + "\"");
    occupy_text(px, py, a.text, 12, &occupied);
  }
  draw_legend(f, series_, occupied, &o);
  o += "</svg>\n";
  return o;
}

void Plot::save(const std::string& path, const Loc& loc) const {
  namespace fs = std::filesystem;
  detail::ApiScope scope("Plot::save", loc);
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    detail::fail("save",
                 "cannot write '" + path + "': " +
                     (fs::exists(dir, ec) ? "'" + dir.string() + "' is not a directory"
                                          : "directory '" + dir.string() + "' does not exist"));
  // A unique temporary name in the same directory, so the rename cannot cross file systems.
  static std::atomic<uint64_t> counter{0};
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  std::string svg = to_svg();
  FILE* file = std::fopen(tmp.c_str(), "wx");
  if (!file) {
    int err = errno;
    detail::fail("save", "cannot write '" + tmp + "': " + std::strerror(err));
  }
  bool ok = std::fwrite(svg.data(), 1, svg.size(), file) == svg.size();
  int err = errno;
  if (std::fclose(file) != 0 && ok) ok = false, err = errno;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false, err = errno;
  if (!ok) {
    std::remove(tmp.c_str());
    detail::fail("save", "cannot write '" + path + "': " + std::strerror(err));
  }
}

}  // namespace kiln::viz
