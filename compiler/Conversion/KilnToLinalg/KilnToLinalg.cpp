// The `convert-kiln-to-linalg` pass: a conversion target (no kiln op is
// legal), the pattern families of this folder, and a partial conversion that
// leaves every non-kiln op as it is.
#include "compiler/Conversion/KilnToLinalg/KilnToLinalg.h"

#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln::compiler {

using namespace mlir;

void populateKilnToLinalgPatterns(RewritePatternSet& patterns, TypeConverter* converter,
                                  const KilnToLinalgOptions& options) {
  detail::populateElementwisePatterns(patterns, converter);
  detail::populateReductionPatterns(patterns, converter);
  detail::populateLayoutPatterns(patterns, converter);
  detail::populateIndexingPatterns(patterns, converter, options.gather_rows);
  detail::populateRandomPatterns(patterns, converter);
  detail::populateLoopPatterns(patterns, converter);
}

namespace {

struct ConvertKilnToLinalgPass : PassWrapper<ConvertKilnToLinalgPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ConvertKilnToLinalgPass)

  KilnToLinalgOptions options_;

  StringRef getArgument() const final { return "convert-kiln-to-linalg"; }
  StringRef getDescription() const final {
    return "Convert kiln ops to linalg, tensor, arith, math and scf on tensors, with run-time "
           "checks recorded in @__kiln_status";
  }
  void getDependentDialects(DialectRegistry& registry) const override {
    registry
        .insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
                memref::MemRefDialect, scf::SCFDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Module-level symbols that patterns refer to are created up front.
    detail::getOrCreateStatusGlobal(module);
    if (module.walk([](mlir::kiln::TruncatedNormalOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      detail::getOrCreateNormalQuantile(module);

    ConversionTarget target(getContext());
    target.addIllegalDialect<mlir::kiln::KilnDialect>();
    target.addLegalDialect<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                           math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    RewritePatternSet patterns(&getContext());
    populateKilnToLinalgPatterns(patterns, nullptr, options_);
    if (failed(applyPartialConversion(module, target, std::move(patterns)))) signalPassFailure();
  }
};

}  // namespace

std::unique_ptr<Pass> createConvertKilnToLinalgPass(KilnToLinalgOptions options) {
  auto pass = std::make_unique<ConvertKilnToLinalgPass>();
  pass->options_ = options;
  return pass;
}

void registerConvertKilnToLinalgPass() { PassRegistration<ConvertKilnToLinalgPass>(); }

}  // namespace kiln::compiler
