// Gradient checking: the tape's analytic gradients against central finite differences.
// Reusable for eager ops now and for compiled functions later (any f over tensors).
//
//   auto r = kiln::check_gradients([](const auto& x) { return kiln::tanh(x[0]) * x[1]; },
//                                  {a, b});   // float64 inputs
//   EXPECT_TRUE(r.ok) << r.message;
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {

struct GradCheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-7;  // an element passes when |analytic - numeric| <= atol + rtol |numeric|
  double rtol = 1e-6;
  uint64_t seed = 20240611;  // for the fixed weights that reduce a non-scalar output
};

struct GradCheckResult {
  bool ok = false;
  double max_abs_error = 0;  // over every element of every input
  double max_rel_error = 0;  // |analytic - numeric| / |numeric|, where numeric != 0
  // The element furthest outside its tolerance (or nearest to it when all pass).
  int worst_input = -1;
  int64_t worst_index = -1;  // flat, row-major
  double worst_analytic = 0;
  double worst_numeric = 0;
  std::string message;  // one readable paragraph: what was compared and the worst element
};

using GradCheckFn = std::function<Tensor(const std::vector<Tensor>&)>;

// The scalar that gradients are taken of: f(inputs) itself when it is a scalar,
// otherwise sum(f(inputs) * w), w ~ N(0, 1) drawn once from `seed`, so that every output
// element contributes with its own weight (a plain sum would hide transposed or permuted
// gradients).
Tensor gradcheck_objective(const GradCheckFn& f, const std::vector<Tensor>& inputs, uint64_t seed);

// d objective / d inputs[i] by central differences, element by element, in float64.
// f runs with tapes enabled, so it may itself use a GradientTape (higher-order checks).
std::vector<Tensor> numerical_gradients(const GradCheckFn& f, const std::vector<Tensor>& inputs,
                                        const GradCheckOptions& options = {},
                                        const Loc& loc = Loc::current());

// Analytic gradients (a GradientTape watching each input; sparse ones densified,
// unconnected ones zero) compared element by element with numerical_gradients.
// Inputs must be float64; f may compute in another dtype internally (then loosen
// eps and the tolerances).
GradCheckResult check_gradients(const GradCheckFn& f, std::vector<Tensor> inputs,
                                const GradCheckOptions& options = {},
                                const Loc& loc = Loc::current());

}  // namespace kiln
