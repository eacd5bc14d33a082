// Reductions, argmax, top_k and matmul (kernels/reduce.cpp, kernels/matmul.cpp). The
// reductions are linalg.generic ops whose iteration space is the input's, in
// its dimension order: every output element accumulates its inputs in
// row-major order, as the reference kernel does. Matmul is a linalg.generic in the
// kernel's (batch, i, k, j) loop order (batch dims collapsed into one): each output
// accumulates over k = 0..K-1 and the innermost loop is contiguous. top_k has no
// linalg form: it is an scf.forall over the rows, each a serial scan keeping the k best.
#include <limits>

#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace kiln::compiler::detail {

using namespace mlir;
namespace k = mlir::kiln;

namespace {

enum class Combine { sum, max, min };

// The kernel's init_value: 0, or -inf/+inf (the integer's lowest/highest).
Value initialValue(OpBuilder& b, Location loc, Type type, Combine combine) {
  if (combine == Combine::sum) return scalarConstant(b, loc, type, 0);
  bool isMax = combine == Combine::max;
  if (isa<FloatType>(type))
    return scalarConstant(
        b, loc, type,
        isMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
  unsigned width = type.getIntOrFloatBitWidth();
  llvm::APInt value =
      isMax ? llvm::APInt::getSignedMinValue(width) : llvm::APInt::getSignedMaxValue(width);
  return intConstant(b, loc, type, value.getSExtValue());
}

// The kernel's combine(acc, v): a NaN v wins, else `v > acc ? v : acc`.
Value combineScalar(OpBuilder& b, Location loc, Combine combine, Value acc, Value v) {
  bool isFloat = isa<FloatType>(v.getType());
  if (combine == Combine::sum) {
    if (isFloat) return b.create<arith::AddFOp>(loc, acc, v);
    return b.create<arith::AddIOp>(loc, acc, v);
  }
  bool isMax = combine == Combine::max;
  if (!isFloat) {
    auto pred = isMax ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt;
    return b.create<arith::SelectOp>(loc, b.create<arith::CmpIOp>(loc, pred, v, acc), v, acc);
  }
  auto pred = isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT;
  Value pick = b.create<arith::SelectOp>(loc, b.create<arith::CmpFOp>(loc, pred, v, acc), v, acc);
  Value nan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, v, v);
  return b.create<arith::SelectOp>(loc, nan, v, pick);
}

// Maps and iterators of a reduction over `reduced` axes of a rank-`rank` input:
// the input's map is the identity, the output's keeps the other dimensions.
void reductionSpace(OpBuilder& b, int64_t rank, llvm::function_ref<bool(int64_t)> reduced,
                    SmallVectorImpl<AffineMap>& maps,
                    SmallVectorImpl<utils::IteratorType>& iterators) {
  SmallVector<AffineExpr> kept;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced(d)) {
      iterators.push_back(utils::IteratorType::reduction);
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      kept.push_back(b.getAffineDimExpr(static_cast<unsigned>(d)));
    }
  }
  maps.push_back(b.getMultiDimIdentityMap(static_cast<unsigned>(rank)));
  maps.push_back(AffineMap::get(static_cast<unsigned>(rank), 0, kept, b.getContext()));
}

template <class Op, Combine kCombine>
struct ReduceLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> axes = op.getAxes();
    if (axes.empty()) {  // the identity
      rewriter.replaceOp(op, input);
      return success();
    }
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    Value init = filledTensor(rewriter, loc, type,
                              initialValue(rewriter, loc, type.getElementType(), kCombine));
    SmallVector<AffineMap> maps;
    SmallVector<utils::IteratorType> iterators;
    reductionSpace(
        rewriter, inputType.getRank(), [&](int64_t d) { return llvm::is_contained(axes, d); }, maps,
        iterators);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{input}, ValueRange{init}, maps, iterators,
        [&](OpBuilder& b, Location l, ValueRange args) {
          b.create<linalg::YieldOp>(l, combineScalar(b, l, kCombine, args[1], args[0]));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

// The first index of the maximum along one axis; a NaN counts as the largest
// and the first NaN wins (kernels::argmax). Starting from (-inf, 0) instead of
// (x[0], 0) gives the same answer for every x[0].
struct ArgmaxLowering : OpConversionPattern<k::ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::ArgmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type element = inputType.getElementType();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    auto valueType = RankedTensorType::get(type.getShape(), element);
    Value values =
        filledTensor(rewriter, loc, valueType, initialValue(rewriter, loc, element, Combine::max));
    Value indices =
        filledTensor(rewriter, loc, type, intConstant(rewriter, loc, rewriter.getI64Type(), 0));
    SmallVector<AffineMap> maps;
    SmallVector<utils::IteratorType> iterators;
    reductionSpace(
        rewriter, inputType.getRank(), [&](int64_t d) { return d == axis; }, maps, iterators);
    maps.push_back(maps.back());
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{valueType, type}, ValueRange{input}, ValueRange{values, indices}, maps,
        iterators, [&](OpBuilder& b, Location l, ValueRange args) {
          Value v = args[0], best = args[1], bestIndex = args[2];
          Value take;
          if (isa<FloatType>(element)) {
            // !isnan(best) && (v > best || isnan(v))
            Value ordered = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::ORD, best, best);
            Value greater = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::UGT, v, best);
            take = b.create<arith::AndIOp>(l, ordered, greater);
          } else {
            take = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sgt, v, best);
          }
          Value k = b.create<arith::IndexCastOp>(
              l, b.getI64Type(), b.create<linalg::IndexOp>(l, static_cast<uint64_t>(axis)));
          b.create<linalg::YieldOp>(l,
                                    ValueRange{b.create<arith::SelectOp>(l, take, v, best),
                                               b.create<arith::SelectOp>(l, take, k, bestIndex)});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

// Whether `v`, seen after `e` in its row, ranks before it (kernels::top_k): it is larger,
// or a NaN where e is not. Equal values and NaNs after NaNs keep their index order.
Value ranksBefore(OpBuilder& b, Location l, Value v, Value e) {
  if (!isa<FloatType>(v.getType()))
    return b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sgt, v, e);
  // !isnan(e) && (v > e || isnan(v))
  Value ordered = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::ORD, e, e);
  Value greater = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::UGT, v, e);
  return b.create<arith::AndIOp>(l, ordered, greater);
}

// The input viewed as [rows, n] and the results as [rows, k]: each row is scanned in
// index order, keeping the best `count <= k` sorted in its result rows. An element that does not
// beat the last kept one (the common case once k are kept) costs one comparison; one that does is
// inserted after the kept elements it does not beat, shifting the rest down by one. Any exact
// selection under this total order equals the reference kernel's, bit for bit (values are copied,
// never computed).
struct TopKLowering : OpConversionPattern<k::TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::TopKOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Type element = inputType.getElementType();
    int64_t rank = inputType.getRank(), n = inputType.getShape().back(), k = op.getK();
    int64_t rows = 1;
    for (int64_t d : inputType.getShape().drop_back()) rows *= d;

    // [..., n] <-> [rows, n]: one reassociation for both directions.
    SmallVector<ReassociationIndices> rowsView;
    if (rank == 1) {
      rowsView = {{0, 1}};
    } else {
      rowsView.resize(2);
      for (int64_t d = 0; d < rank - 1; ++d) rowsView[0].push_back(d);
      rowsView[1].push_back(rank - 1);
    }
    Value matrix = input;
    if (rank == 1)
      matrix = rewriter.create<tensor::ExpandShapeOp>(loc, RankedTensorType::get({1, n}, element),
                                                      input, rowsView);
    else if (rank > 2)
      matrix = rewriter.create<tensor::CollapseShapeOp>(loc, input, rowsView);

    auto idx = [&](OpBuilder& b, int64_t v) -> Value {
      return b.create<arith::ConstantIndexOp>(loc, v);
    };
    Type i64 = rewriter.getI64Type();
    Value zero = idx(rewriter, 0), one = idx(rewriter, 1), kIndex = idx(rewriter, k);
    Value values = rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{rows, k}, element);
    Value indices = rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{rows, k}, i64);

    // Rows are independent: an scf.forall whose iterations each scan one input row into
    // their own [k] slices of the results (in place after bufferization; scf.parallel
    // after that, so threads or GPU threads take rows).
    auto rowType = [&](Type t) { return RankedTensorType::get({k}, t); };
    auto forall =
        rewriter.create<scf::ForallOp>(loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(rows)},
                                       ValueRange{values, indices}, std::nullopt);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(forall.getBody());
      Value r = forall.getInductionVars()[0];
      SmallVector<OpFoldResult> offsets = {r, rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(k)};
      SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
      ValueRange shared = forall.getRegionIterArgs();
      Value rowValues = rewriter.create<tensor::ExtractSliceOp>(loc, rowType(element), shared[0],
                                                                offsets, sizes, strides);
      Value rowIndices = rewriter.create<tensor::ExtractSliceOp>(loc, rowType(i64), shared[1],
                                                                 offsets, sizes, strides);
      auto scan = rewriter.create<scf::ForOp>(
          loc, zero, idx(rewriter, n), one, ValueRange{rowValues, rowIndices, zero},
          [&](OpBuilder& sb, Location sl, Value j, ValueRange acc) {
            Value vals = acc[0], inds = acc[1], count = acc[2];
            Value v = sb.create<tensor::ExtractOp>(sl, matrix, ValueRange{r, j});
            // A full row takes v only when it beats the last kept element.
            Value full = sb.create<arith::CmpIOp>(sl, arith::CmpIPredicate::eq, count, kIndex);
            auto enter = sb.create<scf::IfOp>(
                sl, full,
                [&](OpBuilder& fb, Location fl) {
                  Value last = fb.create<tensor::ExtractOp>(fl, vals, ValueRange{idx(fb, k - 1)});
                  fb.create<scf::YieldOp>(fl, ranksBefore(fb, fl, v, last));
                },
                [&](OpBuilder& fb, Location fl) {
                  fb.create<scf::YieldOp>(fl,
                                          ValueRange{fb.create<arith::ConstantIntOp>(fl, 1, 1)});
                });
            auto insert = sb.create<scf::IfOp>(
                sl, enter.getResult(0),
                [&](OpBuilder& ib, Location il) {
                  // pos: how many kept elements v does not beat (a prefix: they are sorted).
                  auto position = ib.create<scf::ForOp>(
                      il, zero, count, one, ValueRange{zero},
                      [&](OpBuilder& pb, Location pl, Value i, ValueRange p) {
                        Value e = pb.create<tensor::ExtractOp>(pl, vals, ValueRange{i});
                        Value next =
                            pb.create<arith::SelectOp>(pl, ranksBefore(pb, pl, v, e), p[0],
                                                       pb.create<arith::AddIOp>(pl, p[0], one));
                        pb.create<scf::YieldOp>(pl, next);
                      });
                  Value pos = position.getResult(0);
                  Value newCount = ib.create<arith::MinUIOp>(
                      il, ib.create<arith::AddIOp>(il, count, one), kIndex);
                  Value lastAt = ib.create<arith::SubIOp>(il, newCount, one);
                  // Shift [pos, newCount - 1) down by one, from the end.
                  auto shift = ib.create<scf::ForOp>(
                      il, zero, ib.create<arith::SubIOp>(il, lastAt, pos), one,
                      ValueRange{vals, inds},
                      [&](OpBuilder& tb, Location tl, Value t, ValueRange vi) {
                        Value to = tb.create<arith::SubIOp>(tl, lastAt, t);
                        Value from = tb.create<arith::SubIOp>(tl, to, one);
                        Value mv = tb.create<tensor::ExtractOp>(tl, vi[0], ValueRange{from});
                        Value mi = tb.create<tensor::ExtractOp>(tl, vi[1], ValueRange{from});
                        tb.create<scf::YieldOp>(
                            tl,
                            ValueRange{tb.create<tensor::InsertOp>(tl, mv, vi[0], ValueRange{to}),
                                       tb.create<tensor::InsertOp>(tl, mi, vi[1], ValueRange{to})});
                      });
                  Value jI64 = ib.create<arith::IndexCastOp>(il, i64, j);
                  Value newVals =
                      ib.create<tensor::InsertOp>(il, v, shift.getResult(0), ValueRange{pos});
                  Value newInds =
                      ib.create<tensor::InsertOp>(il, jI64, shift.getResult(1), ValueRange{pos});
                  ib.create<scf::YieldOp>(il, ValueRange{newVals, newInds, newCount});
                },
                [&](OpBuilder& eb, Location el) {
                  eb.create<scf::YieldOp>(el, ValueRange{vals, inds, count});
                });
            sb.create<scf::YieldOp>(sl, insert.getResults());
          });
      rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
      rewriter.create<tensor::ParallelInsertSliceOp>(loc, scan.getResult(0), shared[0], offsets,
                                                     sizes, strides);
      rewriter.create<tensor::ParallelInsertSliceOp>(loc, scan.getResult(1), shared[1], offsets,
                                                     sizes, strides);
    }

    auto back = [&](Value v, RankedTensorType type) -> Value {
      if (rank == 1) return rewriter.create<tensor::CollapseShapeOp>(loc, type, v, rowsView);
      if (rank > 2) return rewriter.create<tensor::ExpandShapeOp>(loc, type, v, rowsView);
      return v;
    };
    rewriter.replaceOp(op, ValueRange{back(forall.getResult(0), valuesType),
                                      back(forall.getResult(1), indicesType)});
    return success();
  }
};

// C[b, i, j] += A[b, i, k] * B[b, k, j] as a linalg.generic over (b, i, k, j), in that
// loop order: each C element still accumulates k = 0..K-1 in order from 0 (plain mul and
// add, never contracted into an FMA), so results are bit-identical to the reference
// kernel's i-k-j loops, and the innermost loop runs along rows of B and C, contiguous and
// vectorizable (linalg.matmul's i-j-k order ends in a scalar reduction over k, which
// LLVM cannot vectorize without reassociating). `type` has rank 2 (no b) or 3.
Value buildMatmul(OpBuilder& b, Location loc, Value lhs, Value rhs, RankedTensorType type) {
  auto rank = static_cast<unsigned>(type.getRank());
  Type element = type.getElementType();
  MLIRContext* ctx = b.getContext();
  // Dimensions: [batch,] i, k, j.
  unsigned batch = rank - 2, di = batch, dk = batch + 1, dj = batch + 2, dims = rank + 1;
  auto map = [&](std::initializer_list<unsigned> ds) {
    SmallVector<AffineExpr> exprs;
    if (batch) exprs.push_back(b.getAffineDimExpr(0));
    for (unsigned d : ds) exprs.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(dims, 0, exprs, ctx);
  };
  SmallVector<AffineMap> maps = {map({di, dk}), map({dk, dj}), map({di, dj})};
  SmallVector<utils::IteratorType> iterators(dims, utils::IteratorType::parallel);
  iterators[dk] = utils::IteratorType::reduction;
  Value init = filledTensor(b, loc, type, scalarConstant(b, loc, element, 0));
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init}, maps, iterators,
      [&](OpBuilder& nb, Location l, ValueRange args) {
        Value sum;
        if (isa<FloatType>(element))
          sum = nb.create<arith::AddFOp>(l, args[2], nb.create<arith::MulFOp>(l, args[0], args[1]));
        else  // wraps, as the kernel's unsigned arithmetic does
          sum = nb.create<arith::AddIOp>(l, args[2], nb.create<arith::MulIOp>(l, args[0], args[1]));
        nb.create<linalg::YieldOp>(l, sum);
      });
  return generic.getResult(0);
}

struct MatmulLowering : OpConversionPattern<k::MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::MatmulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    if (rank <= 3) {
      rewriter.replaceOp(op, buildMatmul(rewriter, loc, lhs, rhs, type));
      return success();
    }
    // [B..., M, K] -> [B, M, K] with the batch dimensions collapsed into one.
    SmallVector<ReassociationIndices> collapse(3);
    for (int64_t d = 0; d < rank - 2; ++d) collapse[0].push_back(d);
    collapse[1].push_back(rank - 2);
    collapse[2].push_back(rank - 1);
    auto collapsed = [&](Value v) -> Value {
      return rewriter.create<tensor::CollapseShapeOp>(loc, v, collapse);
    };
    int64_t batch = 1;
    for (int64_t d = 0; d < rank - 2; ++d) batch *= type.getDimSize(d);
    auto batchType = RankedTensorType::get(
        {batch, type.getDimSize(rank - 2), type.getDimSize(rank - 1)}, type.getElementType());
    Value product = buildMatmul(rewriter, loc, collapsed(lhs), collapsed(rhs), batchType);
    rewriter.replaceOp(op, rewriter.create<tensor::ExpandShapeOp>(loc, type, product, collapse));
    return success();
  }
};

}  // namespace

void populateReductionPatterns(RewritePatternSet& patterns, const TypeConverter* converter) {
  addPattern<ReduceLowering<k::ReduceSumOp, Combine::sum>>(patterns, converter);
  addPattern<ReduceLowering<k::ReduceMaxOp, Combine::max>>(patterns, converter);
  addPattern<ReduceLowering<k::ReduceMinOp, Combine::min>>(patterns, converter);
  addPattern<ArgmaxLowering>(patterns, converter);
  addPattern<TopKLowering>(patterns, converter);
  addPattern<MatmulLowering>(patterns, converter);
}

}  // namespace kiln::compiler::detail
