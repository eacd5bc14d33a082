// Data movement (kernels/layout.cpp): reshape becomes tensor.collapse_shape /
// expand_shape, transpose linalg.transpose, broadcast_to a linalg.generic
// that reads size-1 axes at index 0, concat insert_slices into
// tensor.empty, slice tensor.extract_slice and pad tensor.pad with zeros.
#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

namespace kiln::compiler::detail {

using namespace mlir;
namespace k = mlir::kiln;

namespace {

SmallVector<OpFoldResult> indexAttrs(OpBuilder& b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

// Row-major elements keep their order: one collapse or expand when the shapes
// allow it, else through the flat 1-d tensor.
struct ReshapeLowering : OpConversionPattern<k::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto from = cast<RankedTensorType>(input.getType());
    auto to = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(op, reshape(rewriter, loc, input, from, to));
    return success();
  }

  static Value reshape(OpBuilder& b, Location loc, Value input, RankedTensorType from,
                       RankedTensorType to) {
    if (from == to) return input;
    // A 0-d tensor and any shape of one element: an empty reassociation.
    if (to.getRank() == 0)
      return b.create<tensor::CollapseShapeOp>(loc, to, input, ArrayRef<ReassociationIndices>{});
    if (from.getRank() == 0)
      return b.create<tensor::ExpandShapeOp>(loc, to, input, ArrayRef<ReassociationIndices>{});
    if (from.getRank() > to.getRank()) {
      if (auto r = getReassociationIndicesForCollapse(from.getShape(), to.getShape()))
        return b.create<tensor::CollapseShapeOp>(loc, to, input, *r);
    } else if (from.getRank() < to.getRank()) {
      if (auto r = getReassociationIndicesForCollapse(to.getShape(), from.getShape()))
        return b.create<tensor::ExpandShapeOp>(loc, to, input, *r);
    }
    auto flat = RankedTensorType::get({from.getNumElements()}, from.getElementType());
    return reshape(b, loc, reshape(b, loc, input, from, flat), flat, to);
  }
};

struct TransposeLowering : OpConversionPattern<k::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value init = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    auto transpose =
        rewriter.create<linalg::TransposeOp>(loc, adaptor.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose->getResult(0));
    return success();
  }
};

// NumPy's rule, right-aligned: input axis j reads output axis j + (R - r), or
// index 0 where the input has size 1 and the output does not.
struct BroadcastToLowering : OpConversionPattern<k::BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::BroadcastToOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto from = cast<RankedTensorType>(input.getType());
    auto to = cast<RankedTensorType>(op.getType());
    if (from == to) {
      rewriter.replaceOp(op, input);
      return success();
    }
    int64_t lead = to.getRank() - from.getRank();
    SmallVector<AffineExpr> reads;
    for (int64_t j = 0; j < from.getRank(); ++j) {
      int64_t i = j + lead;
      bool repeated = from.getDimSize(j) == 1 && to.getDimSize(i) != 1;
      reads.push_back(repeated ? rewriter.getAffineConstantExpr(0)
                               : rewriter.getAffineDimExpr(static_cast<unsigned>(i)));
    }
    auto rank = static_cast<unsigned>(to.getRank());
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, reads, rewriter.getContext()),
                                   rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value init = rewriter.create<tensor::EmptyOp>(loc, to.getShape(), to.getElementType());
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{to}, ValueRange{input}, ValueRange{init}, maps, iterators,
        [](OpBuilder& b, Location l, ValueRange args) { b.create<linalg::YieldOp>(l, args[0]); });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<k::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    ValueRange inputs = adaptor.getInputs();
    if (inputs.size() == 1) {
      rewriter.replaceOp(op, inputs[0]);
      return success();
    }
    Value result = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value input : inputs) {
      auto inputType = cast<RankedTensorType>(input.getType());
      result = rewriter.create<tensor::InsertSliceOp>(
          loc, input, result, indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, inputType.getShape()), indexAttrs(rewriter, strides));
      offsets[axis] += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<k::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> strides(type.getRank(), 1);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, adaptor.getInput(), indexAttrs(rewriter, op.getStart()),
        indexAttrs(rewriter, type.getShape()), indexAttrs(rewriter, strides));
    return success();
  }
};

struct PadLowering : OpConversionPattern<k::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value zero =
        rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(type.getElementType()));
    rewriter.replaceOpWithNewOp<tensor::PadOp>(op, type, adaptor.getInput(),
                                               indexAttrs(rewriter, op.getLow()),
                                               indexAttrs(rewriter, op.getHigh()), zero);
    return success();
  }
};

}  // namespace

void populateLayoutPatterns(RewritePatternSet& patterns, const TypeConverter* converter) {
  addPattern<ReshapeLowering>(patterns, converter);
  addPattern<TransposeLowering>(patterns, converter);
  addPattern<BroadcastToLowering>(patterns, converter);
  addPattern<ConcatLowering>(patterns, converter);
  addPattern<SliceLowering>(patterns, converter);
  addPattern<PadLowering>(patterns, converter);
}

}  // namespace kiln::compiler::detail
