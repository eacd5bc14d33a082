// The kernels of a bufferized function for the explain report: each linalg op is one loop
// nest over memory, and so is each scalar loop (index checks, scatter rows) with no linalg
// op inside. Estimates work per execution from static shapes.
#pragma once

#include <vector>

#include "compiler/Pipelines/CompileReport.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::compiler {

std::vector<KernelReport> describe_kernels(mlir::func::FuncOp fn);

}  // namespace kiln::compiler
