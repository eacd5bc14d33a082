// Row gathers and scatter-adds (kernels/layout.cpp). Both first scan their
// indices with the run-time check (RuntimeChecks.cpp) and then clamp every
// index into [0, rows), so that an out-of-range index is reported and never
// touches memory outside the tensor. gather is a linalg.generic over its
// result that reads params with tensor.extract; scatter_add is a sequential
// scf.for nest over the indices (duplicates accumulate in order) that adds one
// row at a time with extract_slice / linalg.generic / insert_slice.
#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace kiln::compiler::detail {

using namespace mlir;
namespace k = mlir::kiln;

namespace {

void checkIndices(OpBuilder& b, Operation* op, Value indices, int64_t rows) {
  Attribute constant;  // constant indices known to be in range need no scan
  if (matchPattern(indices, m_Constant(&constant)) && k::indicesInRange(constant, rows)) return;
  emitCheckScan(b, op->getLoc(), indices, siteOf(op), [&](OpBuilder& nb, Location l, Value index) {
    return indexOutOfRange(nb, l, index, rows);
  });
}

struct GatherLowering : OpConversionPattern<k::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value params = adaptor.getParams(), indices = adaptor.getIndices();
    auto paramsType = cast<RankedTensorType>(params.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rows = paramsType.getDimSize(0);
    checkIndices(rewriter, op, indices, rows);

    auto rank = static_cast<unsigned>(type.getRank());
    auto indexRank = static_cast<unsigned>(indicesType.getRank());
    SmallVector<AffineExpr> leading;
    for (unsigned d = 0; d < indexRank; ++d) leading.push_back(rewriter.getAffineDimExpr(d));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, leading, rewriter.getContext()),
                                   rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value init = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{indices}, ValueRange{init}, maps, iterators,
        [&](OpBuilder& b, Location l, ValueRange args) {
          if (rows == 0) {  // nothing to read: every index was reported
            b.create<linalg::YieldOp>(l, ValueRange{b.create<arith::ConstantOp>(
                                             l, b.getZeroAttr(type.getElementType()))});
            return;
          }
          SmallVector<Value> at = {clampedRow(b, l, args[0], rows)};
          for (unsigned d = indexRank; d < rank; ++d) at.push_back(b.create<linalg::IndexOp>(l, d));
          b.create<linalg::YieldOp>(l, ValueRange{b.create<tensor::ExtractOp>(l, params, at)});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ScatterAddLowering : OpConversionPattern<k::ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::ScatterAddOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    Value updates = adaptor.getUpdates();
    auto type = cast<RankedTensorType>(input.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t rows = type.getDimSize(0);
    checkIndices(rewriter, op, indices, rows);
    if (rows == 0) {  // nothing to add to: every index was reported
      rewriter.replaceOp(op, input);
      return success();
    }

    ArrayRef<int64_t> rowShape = type.getShape().drop_front();
    auto rowType = RankedTensorType::get(rowShape, type.getElementType());
    auto indexAttr = [&](int64_t v) -> OpFoldResult { return rewriter.getIndexAttr(v); };
    SmallVector<Value> lbs, ubs, steps;
    Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    for (int64_t size : indicesType.getShape()) {
      lbs.push_back(zero);
      ubs.push_back(rewriter.create<arith::ConstantIndexOp>(loc, size));
      steps.push_back(one);
    }
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{input},
        [&](OpBuilder& b, Location l, ValueRange ivs, ValueRange acc) -> scf::ValueVector {
          Value row = clampedRow(b, l, b.create<tensor::ExtractOp>(l, indices, ivs), rows);
          // acc[row, ...] and updates[ivs..., ...], both as tensors of rowShape.
          SmallVector<OpFoldResult> rowOffsets = {row}, rowSizes = {indexAttr(1)};
          SmallVector<OpFoldResult> updateOffsets(ivs.begin(), ivs.end());
          SmallVector<OpFoldResult> updateSizes(ivs.size(), indexAttr(1));
          for (int64_t size : rowShape) {
            rowOffsets.push_back(indexAttr(0));
            rowSizes.push_back(indexAttr(size));
            updateOffsets.push_back(indexAttr(0));
            updateSizes.push_back(indexAttr(size));
          }
          SmallVector<OpFoldResult> rowStrides(rowSizes.size(), indexAttr(1));
          SmallVector<OpFoldResult> updateStrides(updateSizes.size(), indexAttr(1));
          Value current = b.create<tensor::ExtractSliceOp>(l, rowType, acc[0], rowOffsets, rowSizes,
                                                           rowStrides);
          Value update = b.create<tensor::ExtractSliceOp>(l, rowType, updates, updateOffsets,
                                                          updateSizes, updateStrides);
          Value sum = buildElementwise(b, l, rowType, ValueRange{current, update},
                                       [](OpBuilder& eb, Location el, ValueRange a) -> Value {
                                         if (isa<FloatType>(a[0].getType()))
                                           return eb.create<arith::AddFOp>(el, a[0], a[1]);
                                         return eb.create<arith::AddIOp>(el, a[0], a[1]);  // wraps
                                       });
          return {
              b.create<tensor::InsertSliceOp>(l, sum, acc[0], rowOffsets, rowSizes, rowStrides)};
        });
    rewriter.replaceOp(op, nest.results);
    return success();
  }
};

}  // namespace

void populateIndexingPatterns(RewritePatternSet& patterns, const TypeConverter* converter) {
  addPattern<GatherLowering>(patterns, converter);
  addPattern<ScatterAddLowering>(patterns, converter);
}

}  // namespace kiln::compiler::detail
