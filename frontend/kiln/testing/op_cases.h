// The op-case table shared by the test suites: one small case per primitive (and per
// main composite), with its inputs, in the spirit of ggml's test-backend-ops. The
// finite-difference gradient check (autodiff/gradcheck_test.cpp) runs the differentiable
// cases; the differential test (compiler/differential_test.cpp) runs every case eagerly and
// compiled and compares. Test-only: built into kiln_op_cases, which only tests link.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/autodiff/gradcheck.h"
#include "kiln/tensor.h"

namespace kiln::testing {

// |compiled - eager| <= atol + rtol |eager|, elementwise.
struct Tolerance {
  double atol;
  double rtol;
};

struct OpCase {
  std::string op;       // a name from kiln::primitives(), or a composite function's name
  std::string variant;  // what this case exercises
  bool composite = false;
  // Whether gradients are checked: false for cases whose inputs are integers or booleans,
  // or whose op has no gradient (comparisons, floor, argmax, random draws).
  bool differentiable = true;
  GradCheckFn f;
  // Floating inputs are float64; a test may cast them to float32 (see `float32`).
  // Integer and boolean inputs keep their dtype.
  std::vector<Tensor> inputs;
  GradCheckOptions gradcheck;
  // False where the first derivative is continuous but the second jumps (huber at |t| =
  // delta): finite differences of the gradient straddle the jump there.
  bool second_order = true;
  // False where f itself fixes float64 (a cast round trip, a one_hot of dtype f64): its
  // inputs cannot be float32.
  bool float32 = true;
  // The differential test's float32 bound when it is looser than the default
  // (atol 1e-5, rtol 1.3e-6); `tolerance_reason` says why.
  Tolerance f32_tolerance{1e-5, 1.3e-6};
  std::string tolerance_reason;
  // Called before each run of f: puts state f reads (a Generator's) back to its start, so
  // that eager and compiled runs draw the same numbers. Empty when f has no state.
  std::function<void()> reset;
  std::string label() const { return op + "_" + variant; }
};

// Every case, built once. Labels are unique.
const std::vector<OpCase>& op_cases();

}  // namespace kiln::testing
