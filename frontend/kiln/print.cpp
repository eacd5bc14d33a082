// Printing tensors the way NumPy and TensorFlow do:
//   kiln.Tensor([[1.  2.5]
//                [3.  4. ]], shape=(2, 2), dtype=float32)
// Each float shows its shortest round-trip digits (at most 8 after the point: "4.",
// "2.5"), columns share one width with the points aligned, scientific notation follows
// NumPy's rule, and tensors over 1000 elements are summarized with "...".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {
namespace {

constexpr int64_t kSummarizeOver = 1000;  // NumPy's default threshold
constexpr int64_t kEdgeItems = 3;
constexpr int kArrayDigits = 8;    // NumPy's default print precision
constexpr int kScalarDigits = 24;  // scalars print every digit of their shortest repr

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

// Scientific notation with `prec` mantissa digits and at least `exp_digits` exponent
// digits. Array elements keep the point and every digit, since NumPy gives them one
// precision ("1.e+00", "1.0e-05"); scalars trim like Python's repr ("1e-05", "1.5e-05").
std::string fmt_sci(double v, int prec, bool trim, size_t exp_digits = 2) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%#.*e", prec, v);
  std::string s = buf;
  auto e = s.find('e');
  std::string mant = s.substr(0, e), sign = s.substr(e + 1, 1), digits = s.substr(e + 2);
  if (trim) {
    while (mant.back() == '0') mant.pop_back();
    if (mant.back() == '.') mant.pop_back();
  }
  if (digits.size() < exp_digits) digits.insert(0, exp_digits - digits.size(), '0');
  return mant + "e" + sign + digits;
}

// The fewest digits (after the point, or of the mantissa) whose text reads back as v
// (as a float32 for float32 tensors), at most max_digits.
int shortest_digits(double v, bool sci, bool f32, int max_digits) {
  for (int p = 0; p < max_digits; ++p) {
    double r = std::strtod((sci ? fmt_sci(v, p, false) : fmt_fixed(v, p)).c_str(), nullptr);
    if (f32 ? static_cast<float>(r) == static_cast<float>(v) : r == v) return p;
  }
  return max_digits;
}

// The text of each element of one tensor, by flat offset.
struct Formatter {
  DType dtype = f32;
  bool scalar = false;
  std::vector<double> vals;   // float and bool tensors
  std::vector<int64_t> ints;  // integer tensors (exact beyond 2^53)
  bool sci = false;
  int sci_digits = 0;     // arrays in scientific mode: mantissa digits of every element
  size_t exp_digits = 2;  // ... and exponent digits

  std::string operator()(int64_t i) const {
    if (dtype == boolean) return vals[i] != 0 ? "True" : "False";
    if (is_integer(dtype)) return std::to_string(ints[i]);
    double v = vals[i];
    bool f32 = dtype == DType::f32;
    int max_digits = scalar ? kScalarDigits : kArrayDigits;
    if (!sci) return fmt_fixed(v, shortest_digits(v, false, f32, max_digits));
    if (scalar) return fmt_sci(v, shortest_digits(v, true, f32, max_digits), /*trim=*/true);
    return fmt_sci(v, sci_digits, /*trim=*/false, exp_digits);
  }
};

// `shown` are the offsets that will be printed: NumPy picks the notation from them.
Formatter make_formatter(const Tensor& t, const std::vector<int64_t>& shown) {
  Formatter f;
  f.dtype = t.dtype();
  f.scalar = t.rank() == 0;
  if (is_integer(t.dtype())) {
    f.ints = t.to_vector<int64_t>();
    return f;
  }
  f.vals = t.to_vector<double>();
  if (!is_floating(t.dtype())) return f;
  double maxabs = 0, minabs = HUGE_VAL;
  for (int64_t i : shown) {
    double v = f.vals[i];
    if (std::isfinite(v) && v != 0) {
      maxabs = std::max(maxabs, std::abs(v));
      minabs = std::min(minabs, std::abs(v));
    }
  }
  if (maxabs == 0) return f;  // only zeros, nan and inf
  // NumPy's rule for arrays; Python's repr rule for scalars.
  f.sci = f.scalar ? maxabs >= 1e16 || minabs < 1e-4
                   : maxabs >= 1e8 || minabs < 1e-4 || maxabs / minabs > 1e3;
  if (!f.sci || f.scalar) return f;
  // Mantissa digits: the most any shown element needs, each rounded to at most 8 digits
  // with trailing zeros dropped (0.19700000000000001 needs 2: "1.97e-01").
  bool f32 = t.dtype() == DType::f32;
  for (int64_t i : shown)
    if (std::isfinite(f.vals[i])) {
      double v = f.vals[i];
      std::string m = fmt_sci(v, shortest_digits(v, true, f32, kArrayDigits), /*trim=*/true);
      size_t point = m.find('.');
      int digits = point == std::string::npos ? 0 : static_cast<int>(m.find('e') - point - 1);
      f.sci_digits = std::max(f.sci_digits, digits);
    }
  for (int64_t i : shown)
    if (std::isfinite(f.vals[i])) {
      std::string s = fmt_sci(f.vals[i], f.sci_digits, false);
      f.exp_digits = std::max(f.exp_digits, s.size() - s.find('e') - 2);
    }
  return f;
}

// Column widths: the part before the decimal point is right-aligned, the part from the
// point on is left-aligned, so points line up as in NumPy; "nan" and "inf" are
// right-aligned in the whole column, widening it on the left when they are longer.
struct Widths {
  size_t left = 0, right = 0, other = 0;

  static bool finite(const std::string& x) { return x != "nan" && x != "inf" && x != "-inf"; }
  static size_t point(const std::string& x) {
    size_t p = x.find('.');
    return p == std::string::npos || x.find('e') != std::string::npos ? x.size() : p;
  }
  void add(const std::string& x) {
    if (!finite(x)) {
      other = std::max(other, x.size());
      return;
    }
    size_t p = point(x);
    left = std::max(left, p);
    right = std::max(right, x.size() - p);
  }
  std::string pad(const std::string& x) const {
    size_t width = std::max(left + right, other);
    if (!finite(x)) return std::string(width - x.size(), ' ') + x;
    size_t p = point(x);
    return std::string(width - right - p, ' ') + x + std::string(right - (x.size() - p), ' ');
  }
};

// Flat offsets of the elements emit() prints, in order: all of them, or when
// summarizing the first and last kEdgeItems along each axis.
void collect_shown(const Shape& s, int dim, int64_t offset, const std::vector<int64_t>& strides,
                   bool summarize, std::vector<int64_t>* out) {
  if (dim == s.rank()) {
    out->push_back(offset);
    return;
  }
  int64_t n = s[dim];
  bool cut = summarize && n > 2 * kEdgeItems;
  for (int64_t i = 0; i < n; ++i) {
    if (cut && i == kEdgeItems) i = n - kEdgeItems;
    collect_shown(s, dim + 1, offset + i * strides[dim], strides, summarize, out);
  }
}

void emit(std::ostringstream& os, const Shape& s, int dim, int64_t offset,
          const std::vector<int64_t>& strides, const Formatter& f, const Widths& width, int indent,
          bool summarize) {
  if (dim == s.rank()) {
    os << width.pad(f(offset));
    return;
  }
  os << '[';
  int64_t n = s[dim];
  bool cut = summarize && n > 2 * kEdgeItems;
  for (int64_t i = 0; i < n; ++i) {
    if (cut && i == kEdgeItems) {
      // "..." stands in for the rows it hides, with the same separators around it.
      if (dim == s.rank() - 1)
        os << " ...";
      else
        os << std::string(s.rank() - dim - 1, '\n') << std::string(indent + dim + 1, ' ') << "...";
      i = n - kEdgeItems;
    }
    if (i > 0 || (cut && i == n - kEdgeItems)) {
      if (dim == s.rank() - 1)
        os << ' ';
      else
        os << std::string(s.rank() - dim - 1, '\n') << std::string(indent + dim + 1, ' ');
    }
    emit(os, s, dim + 1, offset + i * strides[dim], strides, f, width, indent, summarize);
  }
  os << ']';
}

std::string values_with_indent(const Tensor& t, int indent) {
  if (!t.defined()) return "<undefined>";
  if (t.is_symbolic()) return "<symbolic>";
  if (t.rank() > 0 && t.numel() == 0) return "[]";  // NumPy prints every empty array so
  bool summarize = t.numel() > kSummarizeOver;
  std::vector<int64_t> strides = contiguous_strides(t.shape());
  std::vector<int64_t> shown;
  collect_shown(t.shape(), 0, 0, strides, summarize, &shown);
  Formatter f = make_formatter(t, shown);
  if (t.rank() == 0) {
    // Scalars print like NumPy scalars: 4.0 rather than 4.
    std::string s = f(0);
    if (is_floating(t.dtype()) && s.back() == '.') s += '0';
    return s;
  }
  Widths width;
  for (int64_t i : shown) width.add(f(i));
  std::ostringstream os;
  emit(os, t.shape(), 0, 0, strides, f, width, indent, summarize);
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
