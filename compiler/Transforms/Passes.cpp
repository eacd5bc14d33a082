// kiln-opt's wrappers of the graph optimizations (see Passes.h). They print nothing; the
// memory plan is attached to each function as attributes so that tests can check it:
// memory_plan.arena_bytes, .sum_temporaries_bytes, .peak_live_bytes, .heap_temporaries.
#include "compiler/Transforms/Passes.h"

#include "compiler/Transforms/ApproximateMath.h"
#include "compiler/Transforms/FuseElementwise.h"
#include "compiler/Transforms/PlanMemory.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

namespace kiln::compiler {
namespace {

struct FuseElementwisePass
    : mlir::PassWrapper<FuseElementwisePass, mlir::OperationPass<mlir::ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FuseElementwisePass)
  FuseElementwisePass() = default;
  FuseElementwisePass(const FuseElementwisePass& other) : PassWrapper(other) {}
  Option<bool> approximated_math{
      *this, "approximated-math",
      llvm::cl::desc("f32 math will be approximated (FuseOptions::approximated_math)"),
      llvm::cl::init(false)};
  llvm::StringRef getArgument() const override { return "kiln-fuse-elementwise"; }
  llvm::StringRef getDescription() const override {
    return "Fuse elementwise linalg producers into their consumers (kiln-compile's fusion)";
  }
  void getDependentDialects(mlir::DialectRegistry& registry) const override {
    registry.insert<mlir::linalg::LinalgDialect, mlir::arith::ArithDialect>();
  }
  void runOnOperation() override {
    (void)fuse_elementwise(getOperation(), FuseOptions{approximated_math});
  }
};

struct ApproximateMathPass
    : mlir::PassWrapper<ApproximateMathPass, mlir::OperationPass<mlir::ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ApproximateMathPass)
  llvm::StringRef getArgument() const override { return "kiln-approximate-math"; }
  llvm::StringRef getDescription() const override {
    return "Replace f32 transcendental math by polynomials (kiln-compile without --exact-math)";
  }
  void getDependentDialects(mlir::DialectRegistry& registry) const override {
    registry.insert<mlir::LLVM::LLVMDialect, mlir::arith::ArithDialect>();
  }
  void runOnOperation() override {
    if (mlir::failed(approximate_math(getOperation()))) signalPassFailure();
  }
};

struct PlanMemoryPass : mlir::PassWrapper<PlanMemoryPass, mlir::OperationPass<mlir::ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PlanMemoryPass)
  llvm::StringRef getArgument() const override { return "kiln-plan-memory"; }
  llvm::StringRef getDescription() const override {
    return "Place every temporary buffer in one arena argument by liveness";
  }
  void getDependentDialects(mlir::DialectRegistry& registry) const override {
    registry.insert<mlir::memref::MemRefDialect, mlir::arith::ArithDialect>();
  }
  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    mlir::Builder b(module.getContext());
    for (auto& [name, plan] : plan_memory(module)) {
      auto fn = module.lookupSymbol<mlir::func::FuncOp>(name);
      fn->setAttr("memory_plan.arena_bytes", b.getI64IntegerAttr(plan.arena_bytes));
      fn->setAttr("memory_plan.sum_temporaries_bytes",
                  b.getI64IntegerAttr(plan.sum_temporaries_bytes));
      fn->setAttr("memory_plan.peak_live_bytes", b.getI64IntegerAttr(plan.peak_live_bytes));
      fn->setAttr("memory_plan.heap_temporaries",
                  b.getI64IntegerAttr(static_cast<int64_t>(plan.heap.size())));
    }
  }
};

}  // namespace

void register_transform_passes() {
  mlir::PassRegistration<ApproximateMathPass>();
  mlir::PassRegistration<FuseElementwisePass>();
  mlir::PassRegistration<PlanMemoryPass>();
}

}  // namespace kiln::compiler
