// Row gathers and scatter-adds (kernels/layout.cpp). Both first scan their
// indices with the run-time check (RuntimeChecks.cpp) and then clamp every
// index into [0, rows), so that an out-of-range index is reported and never
// touches memory outside the tensor. Both are sequential scf.for nests over the
// indices that move one row at a time with extract_slice / insert_slice (the
// scatter adds the row with a linalg.generic first; duplicates accumulate in
// order): the row index is computed once per row, and each row is a contiguous,
// vectorizable loop after bufferization. (A gather as one linalg.generic over
// its result recomputed the clamped index for every element: LLVM could not
// hoist its load above the result's stores, and the row copy stayed scalar.)
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

// A box of `rowShape` rows of a tensor, at `leading` (one index per leading dimension, each
// of size 1, dropped from the box's type): the offsets, sizes and strides of the slice.
struct RowBox {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  RowBox(OpBuilder& b, ValueRange leading, ArrayRef<int64_t> rowShape) {
    for (Value v : leading) {
      offsets.push_back(v);
      sizes.push_back(b.getIndexAttr(1));
    }
    for (int64_t size : rowShape) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(size));
    }
    strides.assign(sizes.size(), b.getIndexAttr(1));
  }
};

// A loop nest over the indices in row-major order that carries `init` and calls
// `body(b, l, row, ivs, acc)` with the index at `ivs` clamped into [0, rows): the row index
// is computed once per row, outside the row's own loop, which stays contiguous.
Value forEachIndex(
    OpBuilder& b, Location loc, Value indices, int64_t rows, Value init,
    llvm::function_ref<Value(OpBuilder&, Location, Value row, ValueRange ivs, Value acc)> body) {
  auto indicesType = cast<RankedTensorType>(indices.getType());
  SmallVector<Value> lbs, ubs, steps;
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  for (int64_t size : indicesType.getShape()) {
    lbs.push_back(zero);
    ubs.push_back(b.create<arith::ConstantIndexOp>(loc, size));
    steps.push_back(one);
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder& nb, Location l, ValueRange ivs, ValueRange acc) -> scf::ValueVector {
        Value row = clampedRow(nb, l, nb.create<tensor::ExtractOp>(l, indices, ivs), rows);
        return {body(nb, l, row, ivs, acc[0])};
      });
  return nest.results[0];
}

// result[ivs..., :] = params[clamp(indices[ivs...]), :], one row at a time: the row is an
// extract_slice of params inserted into the result, which bufferizes to a contiguous copy.
// The data-parallel form (GPU kernels): one linalg.generic over the result that reads
// params[clamp(indices[i...]), j...] with tensor.extract per element.
Value gatherElementwise(ConversionPatternRewriter& rewriter, Location loc, Value params,
                        Value indices, RankedTensorType type, int64_t rows) {
  auto indicesType = cast<RankedTensorType>(indices.getType());
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
        SmallVector<Value> at = {clampedRow(b, l, args[0], rows)};
        for (unsigned d = indexRank; d < rank; ++d) at.push_back(b.create<linalg::IndexOp>(l, d));
        b.create<linalg::YieldOp>(l, ValueRange{b.create<tensor::ExtractOp>(l, params, at)});
      });
  return generic.getResult(0);
}

struct GatherLowering : OpConversionPattern<k::GatherOp> {
  GatherLowering(const TypeConverter& converter, MLIRContext* ctx, bool rows)
      : OpConversionPattern(converter, ctx), rows_(rows) {}
  GatherLowering(MLIRContext* ctx, bool rows) : OpConversionPattern(ctx), rows_(rows) {}
  bool rows_;
  LogicalResult matchAndRewrite(k::GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value params = adaptor.getParams(), indices = adaptor.getIndices();
    auto paramsType = cast<RankedTensorType>(params.getType());
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rows = paramsType.getDimSize(0);
    checkIndices(rewriter, op, indices, rows);
    if (rows == 0) {  // nothing to read: every index was reported
      rewriter.replaceOp(op, filledTensor(rewriter, loc, type,
                                          scalarConstant(rewriter, loc, type.getElementType(), 0)));
      return success();
    }
    if (!rows_) {
      rewriter.replaceOp(op, gatherElementwise(rewriter, loc, params, indices, type, rows));
      return success();
    }
    ArrayRef<int64_t> rowShape = paramsType.getShape().drop_front();
    auto rowType = RankedTensorType::get(rowShape, type.getElementType());
    Value init = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    Value result = forEachIndex(
        rewriter, loc, indices, rows, init,
        [&](OpBuilder& b, Location l, Value row, ValueRange ivs, Value acc) -> Value {
          RowBox from(b, ValueRange{row}, rowShape), to(b, ivs, rowShape);
          Value values = b.create<tensor::ExtractSliceOp>(l, rowType, params, from.offsets,
                                                          from.sizes, from.strides);
          return b.create<tensor::InsertSliceOp>(l, values, acc, to.offsets, to.sizes, to.strides);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// acc[clamp(indices[ivs...]), :] += updates[ivs..., :] in row-major order of the indices
// (duplicates accumulate in order), one row at a time with extract_slice / an elementwise
// add / insert_slice.
struct ScatterAddLowering : OpConversionPattern<k::ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::ScatterAddOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    Value updates = adaptor.getUpdates();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rows = type.getDimSize(0);
    checkIndices(rewriter, op, indices, rows);
    if (rows == 0) {  // nothing to add to: every index was reported
      rewriter.replaceOp(op, input);
      return success();
    }
    ArrayRef<int64_t> rowShape = type.getShape().drop_front();
    auto rowType = RankedTensorType::get(rowShape, type.getElementType());
    Value result = forEachIndex(
        rewriter, loc, indices, rows, input,
        [&](OpBuilder& b, Location l, Value row, ValueRange ivs, Value acc) -> Value {
          RowBox at(b, ValueRange{row}, rowShape), from(b, ivs, rowShape);
          Value current =
              b.create<tensor::ExtractSliceOp>(l, rowType, acc, at.offsets, at.sizes, at.strides);
          Value update = b.create<tensor::ExtractSliceOp>(l, rowType, updates, from.offsets,
                                                          from.sizes, from.strides);
          Value sum = buildElementwise(b, l, rowType, ValueRange{current, update},
                                       [](OpBuilder& eb, Location el, ValueRange a) -> Value {
                                         if (isa<FloatType>(a[0].getType()))
                                           return eb.create<arith::AddFOp>(el, a[0], a[1]);
                                         return eb.create<arith::AddIOp>(el, a[0], a[1]);  // wraps
                                       });
          return b.create<tensor::InsertSliceOp>(l, sum, acc, at.offsets, at.sizes, at.strides);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

}  // namespace

void populateIndexingPatterns(RewritePatternSet& patterns, const TypeConverter* converter,
                              bool gather_rows) {
  if (converter)
    patterns.add<GatherLowering>(*converter, patterns.getContext(), gather_rows);
  else
    patterns.add<GatherLowering>(patterns.getContext(), gather_rows);
  addPattern<ScatterAddLowering>(patterns, converter);
}

}  // namespace kiln::compiler::detail
