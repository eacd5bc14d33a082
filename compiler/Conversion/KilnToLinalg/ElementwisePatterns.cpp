// Elementwise kiln ops (unary and binary math, compare, select, cast) become
// one linalg.generic each whose body is the reference kernel's scalar formula
// (frontend/kiln/kernels/elementwise.cpp) in arith and math; kiln.constant
// becomes arith.constant and kiln.iota a linalg.generic over linalg.index.
#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace kiln::compiler::detail {

using namespace mlir;
namespace k = mlir::kiln;

Value scalarConstant(OpBuilder& b, Location loc, Type type, double value) {
  if (auto f = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(f, value));
  return intConstant(b, loc, type, static_cast<int64_t>(value));
}

Value intConstant(OpBuilder& b, Location loc, Type type, int64_t value) {
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, value));
}

Value filledTensor(OpBuilder& b, Location loc, RankedTensorType type, Value value) {
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b.create<linalg::FillOp>(loc, ValueRange{value}, ValueRange{empty}).getResult(0);
}

Value buildElementwise(OpBuilder& b, Location loc, RankedTensorType resultType, ValueRange inputs,
                       ScalarBody body) {
  Value init = b.create<tensor::EmptyOp>(loc, resultType.getShape(), resultType.getElementType());
  AffineMap identity = b.getMultiDimIdentityMap(resultType.getRank());
  SmallVector<AffineMap> maps(inputs.size() + 1, identity);
  SmallVector<utils::IteratorType> iterators(resultType.getRank(), utils::IteratorType::parallel);
  auto generic =
      b.create<linalg::GenericOp>(loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
                                  iterators, [&](OpBuilder& nb, Location l, ValueRange args) {
                                    nb.create<linalg::YieldOp>(l, body(nb, l, args.drop_back()));
                                  });
  return generic.getResult(0);
}

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value zeroOf(OpBuilder& b, Location loc, Type type) { return scalarConstant(b, loc, type, 0); }

// x > 0 and x < 0, ordered for floats (false for NaN), signed for integers.
Value greaterThanZero(OpBuilder& b, Location loc, Value x) {
  Value zero = zeroOf(b, loc, x.getType());
  if (isFloat(x)) return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
  return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, x, zero);
}
Value lessThanZero(OpBuilder& b, Location loc, Value x) {
  Value zero = zeroOf(b, loc, x.getType());
  if (isFloat(x)) return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, zero);
  return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, zero);
}

Value add(OpBuilder& b, Location loc, Value x, Value y) {
  if (isFloat(x)) return b.create<arith::AddFOp>(loc, x, y);
  return b.create<arith::AddIOp>(loc, x, y);  // wraps
}
Value sub(OpBuilder& b, Location loc, Value x, Value y) {
  if (isFloat(x)) return b.create<arith::SubFOp>(loc, x, y);
  return b.create<arith::SubIOp>(loc, x, y);
}
Value mul(OpBuilder& b, Location loc, Value x, Value y) {
  if (isFloat(x)) return b.create<arith::MulFOp>(loc, x, y);
  return b.create<arith::MulIOp>(loc, x, y);
}
Value neg(OpBuilder& b, Location loc, Value x) {
  if (isFloat(x)) return b.create<arith::NegFOp>(loc, x);
  return b.create<arith::SubIOp>(loc, zeroOf(b, loc, x.getType()), x);  // -INT_MIN = INT_MIN
}

// max/min as the kernel: `a > b ? a : b`, but NaN (a + b) when either is NaN.
Value extremum(OpBuilder& b, Location loc, Value x, Value y, bool isMax) {
  if (!isFloat(x)) {
    auto pred = isMax ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt;
    return b.create<arith::SelectOp>(loc, b.create<arith::CmpIOp>(loc, pred, x, y), x, y);
  }
  auto pred = isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT;
  Value pick = b.create<arith::SelectOp>(loc, b.create<arith::CmpFOp>(loc, pred, x, y), x, y);
  Value nan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, y);
  return b.create<arith::SelectOp>(loc, nan, b.create<arith::AddFOp>(loc, x, y), pick);
}

// Integer x^y by squaring with wrap-around; a negative exponent gives 0 unless
// |x| = 1 (kernels::apply_arith). The bit loop runs over all bits of y, which
// leaves the product unchanged once y's set bits are used up.
Value integerPow(OpBuilder& b, Location loc, Value x, Value y) {
  Type type = x.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value one = intConstant(b, loc, type, 1), minusOne = intConstant(b, loc, type, -1);
  Value zero = intConstant(b, loc, type, 0);
  Value lb = b.create<arith::ConstantIndexOp>(loc, 0);
  Value ub = b.create<arith::ConstantIndexOp>(loc, width);
  Value step = b.create<arith::ConstantIndexOp>(loc, 1);
  auto loop =
      b.create<scf::ForOp>(loc, lb, ub, step, ValueRange{one, x},
                           [&](OpBuilder& nb, Location l, Value bit, ValueRange acc) {
                             Value shift = nb.create<arith::IndexCastOp>(l, type, bit);
                             Value bitSet = nb.create<arith::TruncIOp>(
                                 l, nb.getI1Type(), nb.create<arith::ShRUIOp>(l, y, shift));
                             Value product = nb.create<arith::SelectOp>(
                                 l, bitSet, nb.create<arith::MulIOp>(l, acc[0], acc[1]), acc[0]);
                             Value square = nb.create<arith::MulIOp>(l, acc[1], acc[1]);
                             nb.create<scf::YieldOp>(l, ValueRange{product, square});
                           });
  Value odd = b.create<arith::TruncIOp>(loc, b.getI1Type(), y);
  Value isOne = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x, one);
  Value isMinusOne = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x, minusOne);
  Value negative = b.create<arith::SelectOp>(
      loc, isOne, one,
      b.create<arith::SelectOp>(loc, isMinusOne, b.create<arith::SelectOp>(loc, odd, minusOne, one),
                                zero));
  return b.create<arith::SelectOp>(loc, lessThanZero(b, loc, y), negative, loop.getResult(0));
}

// Integer x / y truncating, INT_MIN / -1 wrapping, and y = 0 giving 0 (the
// run-time check reports it): the divisor is never 0 or -1 when dividing.
Value integerDiv(OpBuilder& b, Location loc, Value x, Value y) {
  Type type = x.getType();
  Value zero = intConstant(b, loc, type, 0), one = intConstant(b, loc, type, 1);
  Value isZero = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, zero);
  Value isMinusOne =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, intConstant(b, loc, type, -1));
  Value unsafe = b.create<arith::OrIOp>(loc, isZero, isMinusOne);
  Value divisor = b.create<arith::SelectOp>(loc, unsafe, one, y);
  Value quotient = b.create<arith::DivSIOp>(loc, x, divisor);
  quotient = b.create<arith::SelectOp>(loc, isMinusOne, neg(b, loc, x), quotient);
  return b.create<arith::SelectOp>(loc, isZero, zero, quotient);
}

//===----------------------------------------------------------------------===//
// The scalar formula of each op, from kernels/elementwise.cpp.
//===----------------------------------------------------------------------===//

Value scalar(k::NegOp, OpBuilder& b, Location loc, ValueRange a) { return neg(b, loc, a[0]); }
Value scalar(k::AbsOp, OpBuilder& b, Location loc, ValueRange a) {
  if (isFloat(a[0])) return b.create<math::AbsFOp>(loc, a[0]);
  return b.create<arith::SelectOp>(loc, lessThanZero(b, loc, a[0]), neg(b, loc, a[0]), a[0]);
}
Value scalar(k::SignOp, OpBuilder& b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  Value inner = b.create<arith::SelectOp>(loc, lessThanZero(b, loc, a[0]),
                                          scalarConstant(b, loc, t, -1), zeroOf(b, loc, t));
  return b.create<arith::SelectOp>(loc, greaterThanZero(b, loc, a[0]), scalarConstant(b, loc, t, 1),
                                   inner);
}
Value scalar(k::SquareOp, OpBuilder& b, Location loc, ValueRange a) {
  return mul(b, loc, a[0], a[0]);
}
Value scalar(k::ReluOp, OpBuilder& b, Location loc, ValueRange a) {  // NaN and -0 give +0
  return b.create<arith::SelectOp>(loc, greaterThanZero(b, loc, a[0]), a[0],
                                   zeroOf(b, loc, a[0].getType()));
}
Value scalar(k::ExpOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::ExpOp>(loc, a[0]);
}
Value scalar(k::LogOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::LogOp>(loc, a[0]);
}
Value scalar(k::Log1pOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::Log1pOp>(loc, a[0]);
}
Value scalar(k::Expm1Op, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::ExpM1Op>(loc, a[0]);
}
Value scalar(k::SqrtOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::SqrtOp>(loc, a[0]);
}
Value scalar(k::RsqrtOp, OpBuilder& b, Location loc, ValueRange a) {  // 1 / sqrt(x), rounded twice
  return b.create<arith::DivFOp>(loc, scalarConstant(b, loc, a[0].getType(), 1),
                                 b.create<math::SqrtOp>(loc, a[0]));
}
Value scalar(k::TanhOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::TanhOp>(loc, a[0]);
}
Value scalar(k::SigmoidOp, OpBuilder& b, Location loc, ValueRange a) {
  // x >= 0 ? 1 / (1 + e^-x) : e^x / (1 + e^x); NaN takes the second form.
  Value x = a[0];
  Value one = scalarConstant(b, loc, x.getType(), 1);
  Value positive = b.create<arith::DivFOp>(
      loc, one,
      b.create<arith::AddFOp>(loc, one,
                              b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, x))));
  Value e = b.create<math::ExpOp>(loc, x);
  Value negative = b.create<arith::DivFOp>(loc, e, b.create<arith::AddFOp>(loc, one, e));
  Value nonNegative =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, zeroOf(b, loc, x.getType()));
  return b.create<arith::SelectOp>(loc, nonNegative, positive, negative);
}
Value scalar(k::SoftplusOp, OpBuilder& b, Location loc, ValueRange a) {
  // (x > 0 ? x : 0) + log1p(e^-|x|)
  Value x = a[0];
  Value tail = b.create<math::Log1pOp>(
      loc,
      b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, b.create<math::AbsFOp>(loc, x))));
  Value relu =
      b.create<arith::SelectOp>(loc, greaterThanZero(b, loc, x), x, zeroOf(b, loc, x.getType()));
  return b.create<arith::AddFOp>(loc, relu, tail);
}
Value scalar(k::FloorOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<math::FloorOp>(loc, a[0]);
}
Value scalar(k::NotOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<arith::XOrIOp>(loc, a[0], intConstant(b, loc, b.getI1Type(), 1));
}
Value scalar(k::AddOp, OpBuilder& b, Location loc, ValueRange a) { return add(b, loc, a[0], a[1]); }
Value scalar(k::SubOp, OpBuilder& b, Location loc, ValueRange a) { return sub(b, loc, a[0], a[1]); }
Value scalar(k::MulOp, OpBuilder& b, Location loc, ValueRange a) { return mul(b, loc, a[0], a[1]); }
Value scalar(k::DivOp, OpBuilder& b, Location loc, ValueRange a) {
  if (isFloat(a[0])) return b.create<arith::DivFOp>(loc, a[0], a[1]);
  return integerDiv(b, loc, a[0], a[1]);
}
Value scalar(k::PowOp, OpBuilder& b, Location loc, ValueRange a) {
  if (isFloat(a[0])) return b.create<math::PowFOp>(loc, a[0], a[1]);
  return integerPow(b, loc, a[0], a[1]);
}
Value scalar(k::MaxOp, OpBuilder& b, Location loc, ValueRange a) {
  return extremum(b, loc, a[0], a[1], /*isMax=*/true);
}
Value scalar(k::MinOp, OpBuilder& b, Location loc, ValueRange a) {
  return extremum(b, loc, a[0], a[1], /*isMax=*/false);
}
Value scalar(k::AndOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<arith::AndIOp>(loc, a[0], a[1]);
}
Value scalar(k::OrOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<arith::OrIOp>(loc, a[0], a[1]);
}
Value scalar(k::SelectOp, OpBuilder& b, Location loc, ValueRange a) {
  return b.create<arith::SelectOp>(loc, a[0], a[1], a[2]);
}

Value scalar(k::CompareOp op, OpBuilder& b, Location loc, ValueRange a) {
  // Ordered float comparisons except `ne` (true on NaN, as C++); signed
  // integers; bools compare as unsigned (false < true).
  using P = k::ComparePredicate;
  P p = op.getPredicate();
  if (isFloat(a[0])) {
    arith::CmpFPredicate f = arith::CmpFPredicate::OEQ;
    switch (p) {
      case P::eq:
        f = arith::CmpFPredicate::OEQ;
        break;
      case P::ne:
        f = arith::CmpFPredicate::UNE;
        break;
      case P::lt:
        f = arith::CmpFPredicate::OLT;
        break;
      case P::le:
        f = arith::CmpFPredicate::OLE;
        break;
      case P::gt:
        f = arith::CmpFPredicate::OGT;
        break;
      case P::ge:
        f = arith::CmpFPredicate::OGE;
        break;
    }
    return b.create<arith::CmpFOp>(loc, f, a[0], a[1]);
  }
  bool isBool = a[0].getType().isInteger(1);
  arith::CmpIPredicate i = arith::CmpIPredicate::eq;
  switch (p) {
    case P::eq:
      i = arith::CmpIPredicate::eq;
      break;
    case P::ne:
      i = arith::CmpIPredicate::ne;
      break;
    case P::lt:
      i = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
      break;
    case P::le:
      i = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
      break;
    case P::gt:
      i = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
      break;
    case P::ge:
      i = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
      break;
  }
  return b.create<arith::CmpIOp>(loc, i, a[0], a[1]);
}

// kernels::convert: to bool is x != 0 (NaN is true); float to integer
// truncates, saturates and maps NaN to 0; integers sign-extend or keep their
// low bits; bools are 0 or 1; to float rounds to nearest.
Value scalar(k::CastOp op, OpBuilder& b, Location loc, ValueRange a) {
  Value x = a[0];
  Type from = x.getType();
  Type to = op.getType().getElementType();
  if (from == to) return x;
  if (to.isInteger(1)) {
    if (isFloat(x))
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x, zeroOf(b, loc, from));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, zeroOf(b, loc, from));
  }
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (auto fromFloat = dyn_cast<FloatType>(from)) {
      if (fromFloat.getWidth() < toFloat.getWidth()) return b.create<arith::ExtFOp>(loc, to, x);
      return b.create<arith::TruncFOp>(loc, to, x);
    }
    if (from.isInteger(1)) return b.create<arith::UIToFPOp>(loc, to, x);
    return b.create<arith::SIToFPOp>(loc, to, x);
  }
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (isFloat(x)) {
    // Compare in the source type against the integer's range rounded to it,
    // and convert only a value that is in range (fptosi is poison outside).
    llvm::APInt minInt = llvm::APInt::getSignedMinValue(toWidth);
    llvm::APInt maxInt = llvm::APInt::getSignedMaxValue(toWidth);
    auto minF = static_cast<double>(minInt.getSExtValue());
    auto maxF = static_cast<double>(maxInt.getSExtValue());
    Value lowF = scalarConstant(b, loc, from, minF), highF = scalarConstant(b, loc, from, maxF);
    Value low = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLE, x, lowF);
    Value high = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, highF);
    Value nan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
    Value outside = b.create<arith::OrIOp>(loc, b.create<arith::OrIOp>(loc, low, high), nan);
    Value safe = b.create<arith::SelectOp>(loc, outside, zeroOf(b, loc, from), x);
    Value converted = b.create<arith::FPToSIOp>(loc, to, safe);
    converted = b.create<arith::SelectOp>(loc, low, intConstant(b, loc, to, minInt.getSExtValue()),
                                          converted);
    return b.create<arith::SelectOp>(loc, high, intConstant(b, loc, to, maxInt.getSExtValue()),
                                     converted);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  if (fromWidth > toWidth) return b.create<arith::TruncIOp>(loc, to, x);
  if (from.isInteger(1)) return b.create<arith::ExtUIOp>(loc, to, x);
  return b.create<arith::ExtSIOp>(loc, to, x);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

// Checks that run before an op; only integer division has one.
template <class Op>
void emitChecks(Op, OpBuilder&, ValueRange) {}
void emitChecks(k::DivOp op, OpBuilder& b, ValueRange operands) {
  if (isa<FloatType>(op.getType().getElementType())) return;
  DenseIntElementsAttr divisor;  // a constant divisor without zeros needs no scan
  if (matchPattern(operands[1], m_Constant(&divisor)) &&
      llvm::none_of(divisor.getValues<APInt>(), [](const APInt& v) { return v.isZero(); }))
    return;
  emitCheckScan(b, op.getLoc(), operands[1], siteOf(op),
                [](OpBuilder& nb, Location l, Value y) -> Violation {
                  Value zero = intConstant(nb, l, y.getType(), 0);
                  Value failed = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, y, zero);
                  return {failed, toI64(nb, l, y), intConstant(nb, l, nb.getI64Type(), 0)};
                });
}

template <class Op>
struct ElementwiseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    ValueRange operands = adaptor.getOperands();
    emitChecks(op, rewriter, operands);
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, operands,
        [&](OpBuilder& b, Location loc, ValueRange args) { return scalar(op, b, loc, args); });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<k::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::ConstantOp op, OpAdaptor,
                                ConversionPatternRewriter& rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct IotaLowering : OpConversionPattern<k::IotaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::IotaOp op, OpAdaptor,
                                ConversionPatternRewriter& rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    auto dimension = static_cast<uint64_t>(op.getDimension());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, ValueRange{}, [&](OpBuilder& b, Location loc, ValueRange) {
          Value i = b.create<arith::IndexCastOp>(loc, b.getI64Type(),
                                                 b.create<linalg::IndexOp>(loc, dimension));
          if (isa<FloatType>(element)) return Value(b.create<arith::SIToFPOp>(loc, element, i));
          if (element.isInteger(64)) return i;
          return Value(b.create<arith::TruncIOp>(loc, element, i));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

}  // namespace

void populateElementwisePatterns(RewritePatternSet& patterns, const TypeConverter* converter) {
  addPattern<ConstantLowering>(patterns, converter);
  addPattern<IotaLowering>(patterns, converter);
  // Unary.
  addPattern<ElementwiseLowering<k::NegOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::AbsOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SignOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SquareOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::ReluOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::ExpOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::LogOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::Log1pOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::Expm1Op>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SqrtOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::RsqrtOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::TanhOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SigmoidOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SoftplusOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::FloorOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::NotOp>>(patterns, converter);
  // Binary.
  addPattern<ElementwiseLowering<k::AddOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SubOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::MulOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::DivOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::PowOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::MaxOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::MinOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::AndOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::OrOp>>(patterns, converter);
  // Compare, select, cast.
  addPattern<ElementwiseLowering<k::CompareOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::SelectOp>>(patterns, converter);
  addPattern<ElementwiseLowering<k::CastOp>>(patterns, converter);
}

}  // namespace kiln::compiler::detail
