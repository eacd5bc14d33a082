// Internal to the kiln -> linalg conversion: the pattern families (one file
// each) and the few IR builders that several families share.
#pragma once

#include <cstdint>

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln::compiler::detail {

// Each adds the patterns of one family; `converter` may be null (types are kept).
void populateElementwisePatterns(mlir::RewritePatternSet& patterns,
                                 const mlir::TypeConverter* converter);
void populateReductionPatterns(mlir::RewritePatternSet& patterns,
                               const mlir::TypeConverter* converter);
void populateLayoutPatterns(mlir::RewritePatternSet& patterns,
                            const mlir::TypeConverter* converter);
// gather_rows: see KilnToLinalgOptions.
void populateIndexingPatterns(mlir::RewritePatternSet& patterns,
                              const mlir::TypeConverter* converter, bool gather_rows = true);
void populateRandomPatterns(mlir::RewritePatternSet& patterns,
                            const mlir::TypeConverter* converter);
void populateLoopPatterns(mlir::RewritePatternSet& patterns, const mlir::TypeConverter* converter);

/// Adds pattern P built with `converter` when there is one.
template <class P>
void addPattern(mlir::RewritePatternSet& patterns, const mlir::TypeConverter* converter) {
  if (converter)
    patterns.add<P>(*converter, patterns.getContext());
  else
    patterns.add<P>(patterns.getContext());
}

/// Computes one scalar result from the scalar operands of an elementwise op.
using ScalarBody =
    llvm::function_ref<mlir::Value(mlir::OpBuilder&, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic that yields `body(inputs[i]...)` at every index of
/// `resultType`; the inputs have the result's shape (any element type).
mlir::Value buildElementwise(mlir::OpBuilder& b, mlir::Location loc,
                             mlir::RankedTensorType resultType, mlir::ValueRange inputs,
                             ScalarBody body);

/// A scalar arith.constant of an integer or float type.
mlir::Value scalarConstant(mlir::OpBuilder& b, mlir::Location loc, mlir::Type type, double value);
mlir::Value intConstant(mlir::OpBuilder& b, mlir::Location loc, mlir::Type type, int64_t value);

/// A tensor of `type` filled with the scalar `value` (linalg.fill of tensor.empty).
mlir::Value filledTensor(mlir::OpBuilder& b, mlir::Location loc, mlir::RankedTensorType type,
                         mlir::Value value);

/// The row-major flat position of `ivs` (index values) in `shape`, as an i64.
mlir::Value flatPosition(mlir::OpBuilder& b, mlir::Location loc, mlir::ValueRange ivs,
                         llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// Run-time checks (RuntimeChecks.cpp); the design is in KilnToLinalg.h.
//===----------------------------------------------------------------------===//

/// Creates `memref.global @__kiln_status : memref<4xi64> = dense<0>` at the
/// top of `module` unless it exists.
void getOrCreateStatusGlobal(mlir::ModuleOp module);

/// The op's `kiln.site` attribute, 0 when it has none.
int64_t siteOf(mlir::Operation* op);

/// What a check reports for one element: whether it fails (i1), the offending
/// value and the bound to report (both i64).
struct Violation {
  mlir::Value failed;
  mlir::Value value;
  mlir::Value bound;
};

/// Emits a scan over every element of the tensor `values` in row-major order
/// that records the first element for which `check` fails into
/// @__kiln_status as [site, position, value, bound], unless a violation is
/// recorded already.
void emitCheckScan(
    mlir::OpBuilder& b, mlir::Location loc, mlir::Value values, int64_t site,
    llvm::function_ref<Violation(mlir::OpBuilder&, mlir::Location, mlir::Value)> check);

/// `index` (i32 or i64) as an i64, and clamped into [0, rows) as an `index`
/// (rows > 0): the row that a gather or scatter-add may safely touch.
mlir::Value toI64(mlir::OpBuilder& b, mlir::Location loc, mlir::Value index);
mlir::Value clampedRow(mlir::OpBuilder& b, mlir::Location loc, mlir::Value index, int64_t rows);

/// The check of an index against [0, rows): for gather and scatter_add.
Violation indexOutOfRange(mlir::OpBuilder& b, mlir::Location loc, mlir::Value index, int64_t rows);

//===----------------------------------------------------------------------===//
// Random numbers (RandomPatterns.cpp)
//===----------------------------------------------------------------------===//

/// The private function that kiln.truncated_normal's lowering calls.
inline constexpr const char kNormalQuantileName[] = "__kiln_normal_quantile";

/// Creates `func.func private @__kiln_normal_quantile(f64) -> f64` (the front
/// end's normal_quantile, calling libm's `erfc`, declared as well) unless it
/// exists.
void getOrCreateNormalQuantile(mlir::ModuleOp module);

}  // namespace kiln::compiler::detail
