// Kernel descriptions (see DescribeKernels.h). Estimates: FLOPs are the iteration count
// times the arithmetic ops of the body; bytes are every memref operand read or written
// once (a gather's table counts only the rows it reads: they are its result's size).
#include "compiler/Transforms/DescribeKernels.h"

#include "compiler/Transforms/OpOrigins.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace kiln::compiler {
namespace {

double bytes_of(mlir::Type t) {
  auto m = mlir::dyn_cast<mlir::MemRefType>(t);
  if (!m || !m.hasStaticShape()) return 0;
  return static_cast<double>(m.getNumElements()) *
         static_cast<double>(std::max<int64_t>(1, (m.getElementTypeBitWidth() + 7) / 8));
}

bool is_arithmetic(mlir::Operation& op) {
  if (mlir::isa<mlir::arith::ConstantOp, mlir::arith::IndexCastOp, mlir::linalg::IndexOp,
                mlir::linalg::YieldOp>(op))
    return false;
  return mlir::isa<mlir::arith::ArithDialect, mlir::math::MathDialect>(op.getDialect());
}

bool inside_loop(mlir::Operation* op) {
  for (mlir::Operation* p = op->getParentOp(); p; p = p->getParentOp())
    if (mlir::isa<mlir::scf::ForOp, mlir::scf::WhileOp, mlir::scf::ParallelOp>(p)) return true;
  return false;
}

int64_t trip_count(mlir::scf::ForOp loop) {
  auto lb = mlir::getConstantIntValue(loop.getLowerBound());
  auto ub = mlir::getConstantIntValue(loop.getUpperBound());
  auto step = mlir::getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0 || *ub <= *lb) return 0;
  return (*ub - *lb + *step - 1) / *step;
}

KernelReport describe_linalg(mlir::linalg::LinalgOp op) {
  KernelReport k;
  k.ops = origins_of(op->getLoc());
  k.in_loop = inside_loop(op);
  k.iterations = 1;
  for (int64_t n : op.getStaticLoopRanges()) k.iterations *= std::max<int64_t>(n, 0);
  int arithmetic = 0;
  bool loads = false, multiply_add = false;
  for (mlir::Operation& inner : op->getRegion(0).front()) {
    if (is_arithmetic(inner)) ++arithmetic;
    if (mlir::isa<mlir::memref::LoadOp, mlir::tensor::ExtractOp>(inner)) loads = true;
    if (mlir::isa<mlir::arith::MulFOp, mlir::arith::MulIOp>(inner)) multiply_add = true;
  }
  k.flops = static_cast<double>(k.iterations) * arithmetic;
  const bool reduces = op.getNumReductionLoops() > 0;
  if (mlir::isa<mlir::linalg::FillOp>(op))
    k.kind = "fill";
  else if (mlir::isa<mlir::linalg::CopyOp>(op))
    k.kind = "copy";
  else if (reduces && multiply_add && op.getNumDpsInputs() >= 2 && op.getNumLoops() >= 3)
    k.kind = "matmul";
  else if (reduces)
    k.kind = "reduction";
  else if (loads)
    k.kind = "gather";
  else
    k.kind = "elementwise";
  for (mlir::OpOperand& operand : op->getOpOperands()) {
    double b = bytes_of(operand.get().getType());
    if (op.isDpsInit(&operand) && op.payloadUsesValueFromOperand(&operand)) b *= 2;
    k.bytes += b;
  }
  if (loads) k.bytes += bytes_of(op.getDpsInits()[0].getType());  // the rows read
  return k;
}

}  // namespace

std::vector<KernelReport> describe_kernels(mlir::func::FuncOp fn) {
  std::vector<KernelReport> kernels;
  fn.walk<mlir::WalkOrder::PreOrder>([&](mlir::Operation* op) {
    if (auto linalg = mlir::dyn_cast<mlir::linalg::LinalgOp>(op)) {
      kernels.push_back(describe_linalg(linalg));
      return mlir::WalkResult::skip();
    }
    if (auto loop = mlir::dyn_cast<mlir::scf::ForOp>(op)) {
      bool has_linalg = false;
      loop->walk([&](mlir::linalg::LinalgOp) { has_linalg = true; });
      if (has_linalg) return mlir::WalkResult::advance();
      KernelReport k;
      k.kind = "loop";
      k.in_loop = inside_loop(op);
      k.iterations = 1;
      int memory_ops = 0, arithmetic = 0;
      k.iterations = trip_count(loop);
      loop->walk([&](mlir::Operation* inner) {
        if (auto nested = mlir::dyn_cast<mlir::scf::ForOp>(inner); nested && nested != loop)
          k.iterations *= std::max<int64_t>(1, trip_count(nested));
        if (mlir::isa<mlir::memref::LoadOp, mlir::memref::StoreOp>(inner)) ++memory_ops;
        if (is_arithmetic(*inner)) ++arithmetic;
      });
      k.flops = static_cast<double>(k.iterations) * arithmetic;
      k.bytes = static_cast<double>(k.iterations) * memory_ops * 4;
      k.ops = origins_of(op->getLoc());
      kernels.push_back(std::move(k));
      return mlir::WalkResult::skip();
    }
    return mlir::WalkResult::advance();
  });
  for (size_t i = 0; i < kernels.size(); ++i) kernels[i].index = static_cast<int>(i);
  return kernels;
}

}  // namespace kiln::compiler
