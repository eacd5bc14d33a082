// Polynomial approximation of f32 math (see ApproximateMath.h): upstream's patterns, then
// math.fma -> llvm.intr.fma so that the libm conversion that follows leaves it inline.
#include "compiler/Transforms/ApproximateMath.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln::compiler {

mlir::LogicalResult approximate_math(mlir::ModuleOp module) {
  mlir::MLIRContext* ctx = module.getContext();
  ctx->getOrLoadDialect<mlir::LLVM::LLVMDialect>();
  mlir::RewritePatternSet patterns(ctx);
  // No AVX2 intrinsics: the code must also build for targets without them (x86-64).
  mlir::populateMathPolynomialApproximationPatterns(patterns, {/*enableAvx2=*/false});
  if (mlir::failed(mlir::applyPatternsAndFoldGreedily(module, std::move(patterns))))
    return mlir::failure();
  mlir::IRRewriter rewriter(ctx);
  module.walk([&](mlir::math::FmaOp fma) {
    rewriter.setInsertionPoint(fma);
    rewriter.replaceOpWithNewOp<mlir::LLVM::FMAOp>(fma, fma.getA(), fma.getB(), fma.getC());
  });
  return mlir::success();
}

}  // namespace kiln::compiler
