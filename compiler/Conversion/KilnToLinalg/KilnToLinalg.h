// The conversion of the `kiln` dialect to upstream MLIR on tensors (linalg,
// tensor, arith, math, scf), before bufferization: every kiln op becomes ops
// with exactly the semantics of the front end's reference kernels.
//
// Run-time checks. Ops that can fail at run time (kiln.gather and
// kiln.scatter_add with an index outside [0, rows), integer kiln.div by zero)
// never touch memory out of bounds and never divide by zero: the index is
// clamped into [0, rows) and a zero divisor gives a quotient of 0. The first
// violation in a call is recorded in the module's public global
//
//   memref.global @__kiln_status : memref<4xi64> = dense<0>
//
// as [site, position, value, bound]: `site` is the op's `kiln.site` integer
// attribute (assigned by the pipeline before this pass; 0 when absent, so sites
// should start at 1), `position` the row-major flat index of the offending
// element (into the indices for gather/scatter_add, into the divisor for div),
// `value` the offending index (the zero divisor for div) and `bound` the number
// of rows (0 for div). The pass creates the global when it is missing.
//
// The check is a separate, side-effecting scan emitted just before the op:
// nested scf.for loops over the indices (or divisor) tensor that read elements
// with tensor.extract and, on a violation, write the global with
// memref.get_global / memref.load / memref.store under
// `scf.if status[0] == 0`. The scan only reads tensors and writes a memref, so
// one-shot bufferization handles it as is, it is never removed as dead code,
// and the op itself stays a pure linalg op that fusion and vectorization can
// treat like any other. Whoever runs the code resets @__kiln_status to zeros
// before a call and reads it after.
//
// What the later stages must do to keep results equal to eager ones:
// - bufferize with `allowReturnAllocsFromLoops` (a kiln.loop body yields new
//   tensors, which scf.for may not otherwise return);
// - lower math with MathToLibm before MathToLLVM: MathToLLVM expands
//   math.log1p and math.expm1 as log(1 + x) and exp(x) - 1, which are not the
//   kernels' std::log1p / std::expm1 (softplus uses log1p);
// - not reassociate reductions or contract a * b + c into an FMA.
// Truncated normals call libm's `erfc`, which the JIT must resolve.
#pragma once

#include <memory>

namespace mlir {
class Pass;
class RewritePatternSet;
class TypeConverter;
}  // namespace mlir

namespace kiln::compiler {

/// The name of the status global that records the first run-time violation.
inline constexpr const char kStatusGlobalName[] = "__kiln_status";
/// The integer attribute that numbers an op's run-time error site.
inline constexpr const char kSiteAttrName[] = "kiln.site";

/// Adds the patterns that rewrite every kiln op into linalg, tensor, arith,
/// math and scf ops. Kiln types are builtin tensors, so `converter` is only
/// used for kiln.loop's carried values when given (nullptr keeps types).
/// The patterns expect the module symbols that the pass creates first
/// (@__kiln_status, and @__kiln_normal_quantile for truncated normals).
struct KilnToLinalgOptions {
  // Gathers copy one row at a time (a loop over the indices; each row copy vectorizes on
  // the CPU). false: one data-parallel linalg.generic over the result, which GPU kernels
  // map onto threads.
  bool gather_rows = true;
};

void populateKilnToLinalgPatterns(mlir::RewritePatternSet& patterns,
                                  mlir::TypeConverter* converter = nullptr,
                                  const KilnToLinalgOptions& options = {});

/// The `convert-kiln-to-linalg` pass: a module pass that creates the status
/// global (always, so that the runtime can rely on it) and, when the module
/// draws truncated normals, `func.func private @__kiln_normal_quantile`
/// (which calls libm's `erfc`), then applies the patterns with a partial
/// conversion in which every kiln op is illegal (so none survives) and other
/// ops are left alone.
std::unique_ptr<mlir::Pass> createConvertKilnToLinalgPass(KilnToLinalgOptions options = {});

/// Registers the pass with MLIR's pass registry (for kiln-opt).
void registerConvertKilnToLinalgPass();

}  // namespace kiln::compiler
