// check_gradients: tape gradients against central finite differences (see gradcheck.h).
#include "kiln/autodiff/gradcheck.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "kiln/autodiff/tape.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"
#include "kiln/random.h"

namespace kiln {
namespace {

void check_inputs(const char* op, const std::vector<Tensor>& inputs) {
  if (inputs.empty()) detail::fail(op, "needs at least one input");
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined())
      detail::fail(op, "input " + std::to_string(i) + " is an undefined tensor");
    if (inputs[i].dtype() != f64)
      detail::fail(op, "input " + std::to_string(i) + " has dtype " +
                           std::string(dtype_name(inputs[i].dtype())) +
                           "; finite differences need float64 inputs (cast them)");
  }
}

// "(1, 2)": the row-major multi-index of flat element `flat` in `shape`.
std::string multi_index(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.rank());
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::string s = "(";
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + (idx.size() == 1 ? ",)" : ")");
}

// `v` with `digits` significant digits, as %g writes it.
std::string num(double v, int digits = 3) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace

Tensor gradcheck_objective(const GradCheckFn& f, const std::vector<Tensor>& inputs, uint64_t seed) {
  Tensor y = f(inputs);
  if (!y.defined()) detail::fail("check_gradients", "the function returned an undefined tensor");
  if (!is_floating(y.dtype()))
    detail::fail("check_gradients", "the function must return a floating-point tensor, got " +
                                        std::string(dtype_name(y.dtype())));
  if (y.rank() == 0) return y;
  return sum(y * random_normal(y.shape(), seed, /*mean=*/0, /*stddev=*/1, y.dtype()));
}

std::vector<Tensor> numerical_gradients(const GradCheckFn& f, const std::vector<Tensor>& inputs,
                                        const GradCheckOptions& options, const Loc& loc) {
  detail::ApiScope scope("numerical_gradients", loc);
  check_inputs("numerical_gradients", inputs);
  std::vector<Tensor> xs = inputs;
  std::vector<Tensor> out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& shape = inputs[i].shape();
    std::vector<double> v = inputs[i].to_vector<double>();
    std::vector<double> g(v.size());
    for (size_t j = 0; j < v.size(); ++j) {
      const double x0 = v[j];
      // The step actually taken, (x0 + eps) - (x0 - eps) in floating point, not 2 eps.
      const double hi = x0 + options.eps, lo = x0 - options.eps;
      v[j] = hi;
      xs[i] = constant(v, shape);
      const double f_hi = gradcheck_objective(f, xs, options.seed).item<double>();
      v[j] = lo;
      xs[i] = constant(v, shape);
      const double f_lo = gradcheck_objective(f, xs, options.seed).item<double>();
      v[j] = x0;
      g[j] = (f_hi - f_lo) / (hi - lo);
    }
    xs[i] = inputs[i];
    out.push_back(constant(g, shape));
  }
  return out;
}

GradCheckResult check_gradients(const GradCheckFn& f, std::vector<Tensor> inputs,
                                const GradCheckOptions& options, const Loc& loc) {
  detail::ApiScope scope("check_gradients", loc);
  check_inputs("check_gradients", inputs);
  GradCheckResult r;

  std::vector<Tensor> analytic;
  {
    // Fresh identities, so an input passed twice is still two sources.
    for (Tensor& x : inputs) x = stop_gradient(x);
    GradientTape tape(/*persistent=*/false, /*watch_accessed_variables=*/false);
    for (const Tensor& x : inputs) tape.watch(x);
    Tensor objective = gradcheck_objective(f, inputs, options.seed);
    std::vector<Gradient> g = tape.gradient(objective, inputs, UnconnectedGradients::zero);
    for (size_t i = 0; i < inputs.size(); ++i) {
      Tensor d = g[i].defined() ? g[i].to_dense() : zeros(inputs[i].shape(), f64);
      if (!(d.shape() == inputs[i].shape()) || d.dtype() != f64) {
        r.message = "check_gradients FAILED: the gradient of input " + std::to_string(i) +
                    " has shape " + d.shape().str() + " and dtype " +
                    std::string(dtype_name(d.dtype())) + ", the input has shape " +
                    inputs[i].shape().str() + " and dtype float64";
        return r;
      }
      analytic.push_back(d);
    }
  }
  std::vector<Tensor> numeric = numerical_gradients(f, inputs, options);

  double worst_score = -1;
  int64_t elements = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<double> a = analytic[i].to_vector<double>();
    std::vector<double> n = numeric[i].to_vector<double>();
    elements += static_cast<int64_t>(a.size());
    for (size_t j = 0; j < a.size(); ++j) {
      double err = std::fabs(a[j] - n[j]);
      double score = err / (options.atol + options.rtol * std::fabs(n[j]));
      if (std::isnan(err)) err = score = std::numeric_limits<double>::infinity();
      r.max_abs_error = std::max(r.max_abs_error, err);
      if (n[j] != 0) r.max_rel_error = std::max(r.max_rel_error, err / std::fabs(n[j]));
      if (score > worst_score) {
        worst_score = score;
        r.worst_input = static_cast<int>(i);
        r.worst_index = static_cast<int64_t>(j);
        r.worst_analytic = a[j];
        r.worst_numeric = n[j];
      }
    }
  }
  r.ok = worst_score <= 1;
  r.message = std::string("check_gradients ") + (r.ok ? "passed" : "FAILED") + ": " +
              std::to_string(inputs.size()) + " input(s), " + std::to_string(elements) +
              " element(s); " + "max abs error " + num(r.max_abs_error) + ", max rel error " +
              num(r.max_rel_error) + " (atol " + num(options.atol) + ", rtol " + num(options.rtol) +
              ", eps " + num(options.eps) + ")";
  if (r.worst_input >= 0) {
    const Shape& s = inputs[r.worst_input].shape();
    r.message += "; worst: input " + std::to_string(r.worst_input) + " element " +
                 std::to_string(r.worst_index) + " " + multi_index(s, r.worst_index) +
                 " of shape " + s.str() + ": analytic " + num(r.worst_analytic, 12) + ", numeric " +
                 num(r.worst_numeric, 12);
  }
  return r;
}

}  // namespace kiln
