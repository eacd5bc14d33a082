// Printing tensors the way NumPy and TensorFlow do:
//   kiln.Tensor([[1.  2.5]
//                [3.  4. ]], shape=(2, 2), dtype=float32)
// Floats use the shortest of NumPy's forms that shows every value (integral values
// print as "4."), columns are padded to one width, large tensors are summarized.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {
namespace {

constexpr int64_t kSummarizeOver = 1000;  // NumPy's default threshold
constexpr int64_t kEdgeItems = 3;

// Formats one float with `prec` digits after the point, trimming trailing zeros but
// keeping the point ("4.", "2.5").
std::string fmt_fixed(double v, int prec) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
  } else {
    s += '.';
  }
  return s;
}

std::string fmt_sci(double v, int prec) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*e", prec, v);
  std::string s = buf;  // 1.2300e+05 -> 1.23e+05
  auto e = s.find('e');
  std::string mant = s.substr(0, e), ex = s.substr(e);
  while (mant.size() > 1 && mant.back() == '0') mant.pop_back();
  return mant + ex;
}

struct Formatter {
  bool is_float = false, is_bool = false, sci = false;
  int prec = 0;  // digits after the point, the fewest that show every value (max 8)

  std::string operator()(double v) const {
    if (is_bool) return v != 0 ? "True" : "False";
    if (!is_float) return std::to_string(static_cast<long long>(v));
    return sci ? fmt_sci(v, prec) : fmt_fixed(v, prec);
  }
};

Formatter make_formatter(const Tensor& t, const std::vector<double>& vals) {
  Formatter f;
  f.is_bool = t.dtype() == boolean;
  f.is_float = is_floating(t.dtype());
  if (!f.is_float) return f;
  const int max_prec = 8;  // NumPy's default print precision
  double maxabs = 0, minabs = HUGE_VAL;
  for (double v : vals)
    if (std::isfinite(v) && v != 0) {
      maxabs = std::max(maxabs, std::abs(v));
      minabs = std::min(minabs, std::abs(v));
    }
  f.sci = maxabs >= 1e16 || (minabs < 1e-4 && minabs > 0) || (maxabs / minabs > 1e3 && minabs < 1e-4);
  for (f.prec = 0; f.prec < max_prec; ++f.prec) {
    bool exact = true;
    for (double v : vals) {
      if (!std::isfinite(v)) continue;
      double shown = std::strtod((f.sci ? fmt_sci(v, f.prec) : fmt_fixed(v, f.prec)).c_str(), nullptr);
      // A float32 value is shown when the text reads back to the same float32.
      bool same = t.dtype() == f32 ? static_cast<float>(shown) == static_cast<float>(v)
                                   : shown == v;
      if (!same) { exact = false; break; }
    }
    if (exact) break;
  }
  return f;
}

// Column widths: the part before the decimal point is right-aligned, the part
// from the point on is left-aligned, so points line up as in NumPy.
struct Widths {
  size_t left = 0, right = 0;
  void add(const std::string& x) {
    size_t p = x.find('.');
    if (p == std::string::npos || x.find('e') != std::string::npos) p = x.size();
    left = std::max(left, p);
    right = std::max(right, x.size() - p);
  }
  std::string pad(const std::string& x) const {
    size_t p = x.find('.');
    if (p == std::string::npos || x.find('e') != std::string::npos) p = x.size();
    return std::string(left > p ? left - p : 0, ' ') + x +
           std::string(right > x.size() - p ? right - (x.size() - p) : 0, ' ');
  }
};

void emit(std::ostringstream& os, const Shape& s, int dim, int64_t offset,
          const std::vector<double>& vals, const std::vector<int64_t>& strides,
          const Formatter& f, const Widths& width, int indent, bool summarize) {
  if (dim == s.rank()) {
    os << width.pad(f(vals[offset]));
    return;
  }
  os << '[';
  int64_t n = s[dim];
  bool cut = summarize && n > 2 * kEdgeItems;
  for (int64_t i = 0; i < n; ++i) {
    if (cut && i == kEdgeItems) {
      if (dim == s.rank() - 1) os << " ...";
      else os << "\n" << std::string(indent + dim + 1, ' ') << "...";
      i = n - kEdgeItems;
    }
    if (i > 0 || (cut && i == n - kEdgeItems)) {
      if (dim == s.rank() - 1) os << ' ';
      else os << std::string(s.rank() - dim - 1, '\n') << std::string(indent + dim + 1, ' ');
    }
    emit(os, s, dim + 1, offset + i * strides[dim], vals, strides, f, width, indent, summarize);
  }
  os << ']';
}

std::string values_with_indent(const Tensor& t, int indent) {
  if (!t.defined()) return "<undefined>";
  std::vector<double> vals = t.to_vector<double>();
  bool summarize = t.numel() > kSummarizeOver;
  std::vector<double> shown;
  if (summarize) {
    // Format widths from the edge items only, as NumPy does.
    for (int64_t i = 0; i < std::min<int64_t>(kEdgeItems, t.numel()); ++i) shown.push_back(vals[i]);
    for (int64_t i = std::max<int64_t>(0, t.numel() - kEdgeItems); i < t.numel(); ++i)
      shown.push_back(vals[i]);
  }
  Formatter f = make_formatter(t, summarize ? shown : vals);
  if (t.rank() == 0) {
    // Scalars print like NumPy scalars: 4.0 rather than 4.
    std::string s = f(vals[0]);
    if (f.is_float && !s.empty() && s.back() == '.') s += '0';
    return s;
  }
  Widths width;
  for (double v : summarize ? shown : vals) width.add(f(v));
  std::ostringstream os;
  emit(os, t.shape(), 0, 0, vals, contiguous_strides(t.shape()), f, width, indent, summarize);
  return os.str();
}

}  // namespace

std::string Tensor::values_str() const { return values_with_indent(*this, 0); }

std::string Tensor::str() const {
  if (!defined()) return "kiln.Tensor(<undefined>)";
  const std::string prefix = "kiln.Tensor(";
  return prefix + values_with_indent(*this, static_cast<int>(prefix.size())) +
         ", shape=" + shape().str() + ", dtype=" + std::string(dtype_name(dtype())) + ")";
}

}  // namespace kiln
