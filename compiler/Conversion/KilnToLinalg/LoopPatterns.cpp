// kiln.loop becomes scf.for over `index` with the carried values as
// iter_args; the body is moved over unchanged (its kiln ops are converted in
// turn), with the induction variable rebuilt as the tensor<i64> that kiln
// bodies expect, and kiln.yield becomes scf.yield.
#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace kiln::compiler::detail {

using namespace mlir;
namespace k = mlir::kiln;

namespace {

struct LoopLowering : OpConversionPattern<k::LoopOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::LoopOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value lb = rewriter.create<arith::ConstantIndexOp>(loc, op.getLowerBound());
    Value ub = rewriter.create<arith::ConstantIndexOp>(loc, op.getUpperBound());
    Value step = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    auto loop = rewriter.create<scf::ForOp>(loc, lb, ub, step, adaptor.getInitArgs());
    Block* body = loop.getBody();
    // scf.for's builder adds a terminator when there are no iter_args.
    if (!body->empty()) rewriter.eraseOp(body->getTerminator());

    rewriter.setInsertionPointToStart(body);
    Value i =
        rewriter.create<arith::IndexCastOp>(loc, rewriter.getI64Type(), loop.getInductionVar());
    Value iv = rewriter.create<tensor::FromElementsOp>(
        loc, RankedTensorType::get({}, rewriter.getI64Type()), ValueRange{i});
    SmallVector<Value> arguments = {iv};
    llvm::append_range(arguments, loop.getRegionIterArgs());
    Block& kilnBody = op.getBody().front();
    auto yield = cast<k::YieldOp>(kilnBody.getTerminator());
    rewriter.mergeBlocks(&kilnBody, body, arguments);

    rewriter.setInsertionPoint(yield);
    rewriter.replaceOpWithNewOp<scf::YieldOp>(yield, yield.getValues());
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

}  // namespace

void populateLoopPatterns(RewritePatternSet& patterns, const TypeConverter* converter) {
  addPattern<LoopLowering>(patterns, converter);
}

}  // namespace kiln::compiler::detail
