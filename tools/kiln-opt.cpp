// kiln-opt: parses, verifies, transforms and prints MLIR with the kiln dialect,
// for lit tests and for looking at traced modules. Only what the kiln pipeline
// uses is registered: the kiln dialect and the upstream dialects that kiln
// lowers to, the canonicalize, cse and sccp passes, and Kiln's own passes
// (convert-kiln-to-linalg, kiln-simplify-algebra, kiln-fuse-elementwise,
// kiln-plan-memory).
#include "compiler/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/SimplifyAlgebra.h"
#include "dialects/kiln/IR/KilnDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char** argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::kiln::KilnDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                  mlir::tensor::TensorDialect, mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::bufferization::BufferizationDialect>();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSCCPPass();
  kiln::compiler::registerConvertKilnToLinalgPass();
  kiln::compiler::register_transform_passes();
  kiln::compiler::registerSimplifyAlgebraPass();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
