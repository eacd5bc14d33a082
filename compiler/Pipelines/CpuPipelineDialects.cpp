// What the CPU pipeline needs registered in a context: every upstream dialect with its
// external models (bufferization, deallocation, conversion to LLVM), the LLVM IR
// translations, and the kiln dialect. Kept apart: including all of MLIR is slow to build.
#include "compiler/Pipelines/CpuPipeline.h"
#include "dialects/kiln/IR/KilnDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

namespace kiln::compiler {

void register_cpu_pipeline_dialects(mlir::DialectRegistry& registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::kiln::KilnDialect>();
}

}  // namespace kiln::compiler
