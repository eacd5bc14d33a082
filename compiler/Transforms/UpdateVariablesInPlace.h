// Variables in place: the rewrite, just before bufferization, that makes compiled
// functions update their variables' buffers instead of returning new values.
#pragma once

#include "mlir/IR/Builders.h"
#include "mlir/Support/LogicalResult.h"

namespace mlir {
class ModuleOp;
}  // namespace mlir

namespace kiln::compiler {

// Variables in place: for each result marked {kiln.variable = name} whose argument has
// the same mark, the argument becomes a memref that the new value is materialized into
// (restrict writable), and the result is dropped. One-shot bufferization then computes
// the update in the variable's own buffer (a scatter_add writes rows, no copy). Other
// tensor arguments are marked read-only, so that no input of the caller is overwritten.
// Also marks every function for a C interface (llvm.emit_c_interface). Fails, with a
// diagnostic on the function, for a variable result without a matching argument.
mlir::LogicalResult update_variables_in_place(mlir::ModuleOp module);

// Gives each function result a buffer of its own: a result that is an argument, or that
// repeats an earlier result (gradients of x + y are w and w), is copied into a new tensor
// first. BufferResultsToOutParams (LLVM 19) crashes on both. Run with the rewrite above.
void copy_aliased_results(mlir::ModuleOp module);

// The copy bufferization inserts (memCpyFn): linalg.copy, which becomes loops like every
// other linalg op (memref.copy of strided views would call a runtime library function).
mlir::LogicalResult linalg_copy(mlir::OpBuilder& b, mlir::Location loc, mlir::Value from,
                                mlir::Value to);

}  // namespace kiln::compiler
