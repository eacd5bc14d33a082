// Algebraic simplification of kiln ops: an optional, switchable graph rewrite
// (CompileOptions::simplify, kiln-compile --no-simplify, kiln-opt
// --kiln-simplify-algebra) that removes arithmetic identities the tracer and the
// gradient rules leave behind (x * 1, x / 1, x + -0.0, mul of a select of
// constants, negations that a subtraction can absorb, elementwise ops on
// broadcasts of scalars, dense gradients of gathers added into variables).
//
// Every pattern states its floating-point reasoning next to it in
// SimplifyAlgebra.cpp. The rewrites are bit-exact for every non-NaN input, with
// two documented relaxations (as XLA's algebraic simplifier makes them):
// - NaN payloads and NaN sign bits are not preserved (x * 1.0 -> x keeps a
//   signalling NaN signalling; x * -1.0 -> -x flips a NaN's sign bit). The
//   folders of the dialect refuse these rewrites, so canonicalization stays
//   bit-exact; this pass is where they are allowed.
// - The sparse-update rewrite (v - scatter_add(0, i, u) -> scatter_add(v, i, -u))
//   adds duplicate rows' updates into v one at a time instead of summing them
//   first, and may turn a -0.0 element of v into +0.0: exact for integers, and
//   for floats when the indices are distinct, up to the sign of a zero.
#pragma once

#include <memory>

#include "mlir/Support/LogicalResult.h"

namespace mlir {
class ModuleOp;
class Pass;
class RewritePatternSet;
}  // namespace mlir

namespace kiln::compiler {

/// Adds the simplification patterns (kiln ops to kiln ops).
void populate_simplify_algebra_patterns(mlir::RewritePatternSet& patterns);

/// Applies the patterns and the kiln folders greedily to every function of
/// `module` until nothing changes (or the greedy driver's iteration limit: every
/// step is correct on its own, so a partial rewrite is kept). Always succeeds.
mlir::LogicalResult simplify_algebra(mlir::ModuleOp module);

/// The `kiln-simplify-algebra` pass (a module pass running simplify_algebra).
std::unique_ptr<mlir::Pass> createSimplifyAlgebraPass();

/// Registers the pass with MLIR's pass registry (for kiln-opt).
void registerSimplifyAlgebraPass();

}  // namespace kiln::compiler
