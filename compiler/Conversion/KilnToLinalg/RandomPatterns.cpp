// Random ops (frontend/kiln/random.cpp): Philox4x32-10 in arith, computed per
// output element from (seed, offset, flat index) with the reference layout,
// so that compiled draws equal eager ones bit for bit. Each op becomes one
// linalg.generic over its result plus the new state [seed, offset + blocks].
// The truncated normal's quantile function is a private func in the module
// (it calls libm's erfc, which has no math-dialect op).
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::compiler::detail {

using namespace mlir;
namespace k = mlir::kiln;

namespace {

// The four 32-bit lanes of Philox4x32-10 for counter `counter` and key `seed`
// (both i64), as kiln::philox4x32 with c = {lo, hi, 0, 0}, k = {lo, hi}.
std::array<Value, 4> philox(OpBuilder& b, Location loc, Value counter, Value seed) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c32 = [&](uint32_t v) { return intConstant(b, loc, i32, static_cast<int32_t>(v)); };
  auto low = [&](Value v) -> Value { return b.create<arith::TruncIOp>(loc, i32, v); };
  auto high = [&](Value v) -> Value {
    return b.create<arith::TruncIOp>(
        loc, i32, b.create<arith::ShRUIOp>(loc, v, intConstant(b, loc, i64, 32)));
  };
  std::array<Value, 4> c = {low(counter), high(counter), c32(0), c32(0)};
  Value k0 = low(seed), k1 = high(seed);
  for (int round = 0; round < 10; ++round) {
    auto p0 = b.create<arith::MulUIExtendedOp>(loc, c32(0xD2511F53u), c[0]);
    auto p1 = b.create<arith::MulUIExtendedOp>(loc, c32(0xCD9E8D57u), c[2]);
    Value x0 = b.create<arith::XOrIOp>(loc, b.create<arith::XOrIOp>(loc, p1.getHigh(), c[1]), k0);
    Value x2 = b.create<arith::XOrIOp>(loc, b.create<arith::XOrIOp>(loc, p0.getHigh(), c[3]), k1);
    c = {x0, p1.getLow(), x2, p0.getLow()};
    k0 = b.create<arith::AddIOp>(loc, k0, c32(0x9E3779B9u));
    k1 = b.create<arith::AddIOp>(loc, k1, c32(0xBB67AE85u));
  }
  return c;
}

// lanes[which] for an i64 `which` in [0, lanes.size()).
Value pick(OpBuilder& b, Location loc, ArrayRef<Value> lanes, Value which) {
  Value result = lanes[0];
  for (size_t j = 1; j < lanes.size(); ++j) {
    Value is =
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, which,
                                intConstant(b, loc, which.getType(), static_cast<int64_t>(j)));
    result = b.create<arith::SelectOp>(loc, is, lanes[j], result);
  }
  return result;
}

// (hi << 32 | lo) as an i64 from two i32 lanes.
Value join(OpBuilder& b, Location loc, Value lo, Value hi) {
  Type i64 = b.getI64Type();
  Value h = b.create<arith::ShLIOp>(loc, b.create<arith::ExtUIOp>(loc, i64, hi),
                                    intConstant(b, loc, i64, 32));
  return b.create<arith::OrIOp>(loc, h, b.create<arith::ExtUIOp>(loc, i64, lo));
}

// open_unit: (x + 0.5) * 2^-32 in f64, in (0, 1).
Value openUnit(OpBuilder& b, Location loc, Value lane) {
  Type f64 = b.getF64Type();
  Value x = b.create<arith::UIToFPOp>(loc, f64, lane);
  x = b.create<arith::AddFOp>(loc, x, scalarConstant(b, loc, f64, 0.5));
  return b.create<arith::MulFOp>(loc, x, scalarConstant(b, loc, f64, 0x1p-32));
}

Value fma2(OpBuilder& b, Location loc, Value a, Value x, Value c) {  // a * x + c, two roundings
  return b.create<arith::AddFOp>(loc, b.create<arith::MulFOp>(loc, a, x), c);
}

// The element of a draw at its own index: `element(b, loc, lanes, laneIndex)`
// gets the Philox lanes of block offset + i / perBlock and i % perBlock.
using ElementFn = llvm::function_ref<Value(OpBuilder&, Location, std::array<Value, 4>, Value)>;

// Replaces the random op with its sample tensor and new state.
void lowerDraw(Operation* op, Value state, int64_t perBlock, ConversionPatternRewriter& rewriter,
               ElementFn element) {
  Location loc = op->getLoc();
  Type i64 = rewriter.getI64Type();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value c1 = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  Value seed = rewriter.create<tensor::ExtractOp>(loc, state, ValueRange{c0});
  Value offset = rewriter.create<tensor::ExtractOp>(loc, state, ValueRange{c1});
  Value sample = buildElementwise(
      rewriter, loc, type, ValueRange{}, [&](OpBuilder& b, Location l, ValueRange) {
        SmallVector<Value> ivs;
        for (int64_t d = 0; d < type.getRank(); ++d)
          ivs.push_back(b.create<linalg::IndexOp>(l, static_cast<uint64_t>(d)));
        Value i = flatPosition(b, l, ivs, type.getShape());
        Value per = intConstant(b, l, i64, perBlock);
        Value block = b.create<arith::AddIOp>(l, offset, b.create<arith::DivUIOp>(l, i, per));
        Value lane = b.create<arith::RemUIOp>(l, i, per);
        return element(b, l, philox(b, l, block, seed), lane);
      });
  int64_t blocks = (type.getNumElements() + perBlock - 1) / perBlock;
  Value next = rewriter.create<arith::AddIOp>(loc, offset, intConstant(rewriter, loc, i64, blocks));
  Value newState = rewriter.create<tensor::FromElementsOp>(loc, op->getResult(1).getType(),
                                                           ValueRange{seed, next});
  rewriter.replaceOp(op, ValueRange{sample, newState});
}

struct RandomUniformLowering : OpConversionPattern<k::RandomUniformOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::RandomUniformOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Type element = op.getValue().getType().getElementType();
    double lo = op.getMinval().convertToDouble(), hi = op.getMaxval().convertToDouble();
    if (element.isF32()) {
      // a + w * (top 24 bits * 2^-24), in f32.
      auto a = static_cast<float>(lo), w = static_cast<float>(hi - lo);
      lowerDraw(op, adaptor.getState(), 4, rewriter,
                [&](OpBuilder& b, Location l, std::array<Value, 4> r, Value lane) {
                  Type f32 = b.getF32Type();
                  Value bits = b.create<arith::ShRUIOp>(l, pick(b, l, r, lane),
                                                        intConstant(b, l, b.getI32Type(), 8));
                  Value unit = b.create<arith::MulFOp>(l, b.create<arith::UIToFPOp>(l, f32, bits),
                                                       scalarConstant(b, l, f32, 0x1p-24));
                  return fma2(b, l, scalarConstant(b, l, f32, w), unit,
                              scalarConstant(b, l, f32, a));
                });
      return success();
    }
    // Two lanes (2j, 2j + 1) per element, j = i % 2.
    auto bitsOf = [](OpBuilder& b, Location l, std::array<Value, 4> r, Value j) {
      return join(b, l, pick(b, l, {r[0], r[2]}, j), pick(b, l, {r[1], r[3]}, j));
    };
    if (element.isF64()) {
      lowerDraw(op, adaptor.getState(), 2, rewriter,
                [&](OpBuilder& b, Location l, std::array<Value, 4> r, Value j) {
                  Type f64 = b.getF64Type();
                  Value top = b.create<arith::ShRUIOp>(l, bitsOf(b, l, r, j),
                                                       intConstant(b, l, b.getI64Type(), 11));
                  Value unit = b.create<arith::MulFOp>(l, b.create<arith::UIToFPOp>(l, f64, top),
                                                       scalarConstant(b, l, f64, 0x1p-53));
                  return fma2(b, l, scalarConstant(b, l, f64, hi - lo), unit,
                              scalarConstant(b, l, f64, lo));
                });
      return success();
    }
    // Integers: lo + (bits * range) >> 64 (Lemire), range 0 meaning 2^64.
    auto loBits = static_cast<uint64_t>(static_cast<int64_t>(lo));
    uint64_t range = hi >= 9223372036854775808.0
                         ? static_cast<uint64_t>(INT64_MAX) - loBits + 1
                         : static_cast<uint64_t>(static_cast<int64_t>(hi)) - loBits;
    lowerDraw(op, adaptor.getState(), 2, rewriter,
              [&](OpBuilder& b, Location l, std::array<Value, 4> r, Value j) {
                Type i64 = b.getI64Type();
                Value bits = bitsOf(b, l, r, j);
                Value v = bits;
                if (range != 0)
                  v = b.create<arith::MulUIExtendedOp>(
                           l, bits, intConstant(b, l, i64, static_cast<int64_t>(range)))
                          .getHigh();
                Value x = b.create<arith::AddIOp>(
                    l, intConstant(b, l, i64, static_cast<int64_t>(loBits)), v);
                if (element.isInteger(64)) return x;
                return Value(b.create<arith::TruncIOp>(l, element, x));
              });
    return success();
  }
};

// Rounds an f64 result to the element type.
Value toElement(OpBuilder& b, Location loc, Value v, Type element) {
  if (element.isF64()) return v;
  return b.create<arith::TruncFOp>(loc, element, v);
}

// Box-Muller: lanes (2p, 2p + 1), p = (i % 4) / 2, give u1, u2; the element is
// mean + stddev * sqrt(-2 log u1) * (cos, sin)(2 pi u2), by (i % 4) % 2.
struct RandomNormalLowering : OpConversionPattern<k::RandomNormalOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::RandomNormalOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    Type element = op.getValue().getType().getElementType();
    double mean = op.getMean().convertToDouble(), stddev = op.getStddev().convertToDouble();
    lowerDraw(
        op, adaptor.getState(), 4, rewriter,
        [&](OpBuilder& b, Location l, std::array<Value, 4> r, Value lane) {
          Type f64 = b.getF64Type(), i64 = b.getI64Type();
          Value pair = b.create<arith::ShRUIOp>(l, lane, intConstant(b, l, i64, 1));
          Value sine = b.create<arith::TruncIOp>(l, b.getI1Type(), lane);
          Value u1 = openUnit(b, l, pick(b, l, {r[0], r[2]}, pair));
          Value u2 = openUnit(b, l, pick(b, l, {r[1], r[3]}, pair));
          Value rad =
              b.create<math::SqrtOp>(l, b.create<arith::MulFOp>(l, scalarConstant(b, l, f64, -2.0),
                                                                b.create<math::LogOp>(l, u1)));
          Value th =
              b.create<arith::MulFOp>(l, scalarConstant(b, l, f64, 2.0 * std::numbers::pi), u2);
          Value z = b.create<arith::SelectOp>(
              l, sine, b.create<arith::MulFOp>(l, rad, b.create<math::SinOp>(l, th)),
              b.create<arith::MulFOp>(l, rad, b.create<math::CosOp>(l, th)));
          Value v =
              fma2(b, l, scalarConstant(b, l, f64, stddev), z, scalarConstant(b, l, f64, mean));
          return toElement(b, l, v, element);
        });
    return success();
  }
};

}  // namespace

// Builds kiln::normal_quantile (Acklam's approximation and one Halley step
// against erfc) as `func.func private @__kiln_normal_quantile(f64) -> f64`,
// once per module. All three branches are computed and one is selected.
void getOrCreateNormalQuantile(ModuleOp module) {
  if (module.lookupSymbol(kNormalQuantileName)) return;
  MLIRContext* ctx = module.getContext();
  OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  Type f64 = Float64Type::get(ctx);
  auto unary = FunctionType::get(ctx, {f64}, {f64});
  if (!module.lookupSymbol("erfc")) {
    auto erfc = top.create<func::FuncOp>(loc, "erfc", unary);
    erfc.setPrivate();
  }
  auto fn = top.create<func::FuncOp>(loc, kNormalQuantileName, unary);
  fn.setPrivate();
  OpBuilder b = OpBuilder::atBlockBegin(fn.addEntryBlock());
  Value p = fn.getArgument(0);
  auto c = [&](double v) { return scalarConstant(b, loc, f64, v); };
  auto addf = [&](Value x, Value y) -> Value { return b.create<arith::AddFOp>(loc, x, y); };
  auto subf = [&](Value x, Value y) -> Value { return b.create<arith::SubFOp>(loc, x, y); };
  auto mulf = [&](Value x, Value y) -> Value { return b.create<arith::MulFOp>(loc, x, y); };
  auto divf = [&](Value x, Value y) -> Value { return b.create<arith::DivFOp>(loc, x, y); };
  auto cmp = [&](arith::CmpFPredicate pr, Value x, Value y) -> Value {
    return b.create<arith::CmpFOp>(loc, pr, x, y);
  };
  auto select = [&](Value cond, Value x, Value y) -> Value {
    return b.create<arith::SelectOp>(loc, cond, x, y);
  };
  auto erfc = [&](Value x) -> Value {
    return b.create<func::CallOp>(loc, "erfc", TypeRange{f64}, ValueRange{x}).getResult(0);
  };
  // (((((k0 * x + k1) * x + k2) ...) with the coefficients in order.
  auto horner = [&](ArrayRef<double> coefficients, Value x, bool trailingOne) {
    Value acc = c(coefficients[0]);
    for (double k : coefficients.drop_front()) acc = addf(mulf(acc, x), c(k));
    if (trailingOne) acc = addf(mulf(acc, x), c(1));
    return acc;
  };
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double bb[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                              6.680131188771972e+01, -1.328068155288572e+01};
  static const double cc[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                              -2.400758277161838e+00, -2.549732539343734e+00,
                              4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  // Lower tail: q = sqrt(-2 log p).
  Value qLow = b.create<math::SqrtOp>(loc, mulf(c(-2), b.create<math::LogOp>(loc, p)));
  Value xLow = divf(horner(cc, qLow, false), horner(d, qLow, true));
  // Upper tail: q = sqrt(-2 log1p(-p)), x = -num / den.
  Value qHigh = b.create<math::SqrtOp>(
      loc, mulf(c(-2), b.create<math::Log1pOp>(loc, b.create<arith::NegFOp>(loc, p))));
  Value xHigh =
      divf(b.create<arith::NegFOp>(loc, horner(cc, qHigh, false)), horner(d, qHigh, true));
  // Centre: q = p - 0.5, r = q * q.
  Value q = subf(p, c(0.5));
  Value r = mulf(q, q);
  Value xMid = divf(mulf(horner(a, r, false), q), horner(bb, r, true));
  Value x = select(cmp(arith::CmpFPredicate::OLT, p, c(0.02425)), xLow,
                   select(cmp(arith::CmpFPredicate::OGT, p, c(1 - 0.02425)), xHigh, xMid));
  // Halley step.
  Value sqrt2 = c(std::numbers::sqrt2);
  Value upper = subf(subf(c(1), p), mulf(c(0.5), erfc(divf(x, sqrt2))));
  Value lower = subf(mulf(c(0.5), erfc(divf(b.create<arith::NegFOp>(loc, x), sqrt2))), p);
  Value e = select(cmp(arith::CmpFPredicate::OGT, p, c(0.5)), upper, lower);
  Value u = mulf(mulf(e, c(std::sqrt(2 * std::numbers::pi))),
                 b.create<math::ExpOp>(loc, divf(mulf(x, x), c(2))));
  Value refined = subf(x, divf(u, addf(c(1), divf(mulf(x, u), c(2)))));
  // p <= 0 and p >= 1 give -inf and +inf.
  refined = select(cmp(arith::CmpFPredicate::OLE, p, c(0)), c(-HUGE_VAL), refined);
  refined = select(cmp(arith::CmpFPredicate::OGE, p, c(1)), c(HUGE_VAL), refined);
  b.create<func::ReturnOp>(loc, refined);
}

namespace {

// Inverse-CDF truncated normal: lane i % 4, u = open_unit(lane),
// z = Phi^-1(Phi(-2) + u * (Phi(2) - Phi(-2))).
struct TruncatedNormalLowering : OpConversionPattern<k::TruncatedNormalOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(k::TruncatedNormalOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter& rewriter) const override {
    // The pass creates the quantile function before converting (patterns must
    // not add ops outside the op they rewrite).
    auto module = op->getParentOfType<ModuleOp>();
    if (!module || !module.lookupSymbol(kNormalQuantileName))
      return rewriter.notifyMatchFailure(op, "the module has no @__kiln_normal_quantile");
    Type element = op.getValue().getType().getElementType();
    double mean = op.getMean().convertToDouble(), stddev = op.getStddev().convertToDouble();
    const double lo = 0.5 * std::erfc(2.0 / std::numbers::sqrt2);
    const double width = 1.0 - 2.0 * lo;
    lowerDraw(op, adaptor.getState(), 4, rewriter,
              [&](OpBuilder& b, Location l, std::array<Value, 4> r, Value lane) {
                Type f64 = b.getF64Type();
                Value p = fma2(b, l, openUnit(b, l, pick(b, l, r, lane)),
                               scalarConstant(b, l, f64, width), scalarConstant(b, l, f64, lo));
                Value z =
                    b.create<func::CallOp>(l, kNormalQuantileName, TypeRange{f64}, ValueRange{p})
                        .getResult(0);
                Value v = fma2(b, l, scalarConstant(b, l, f64, stddev), z,
                               scalarConstant(b, l, f64, mean));
                return toElement(b, l, v, element);
              });
    return success();
  }
};

}  // namespace

void populateRandomPatterns(RewritePatternSet& patterns, const TypeConverter* converter) {
  addPattern<RandomUniformLowering>(patterns, converter);
  addPattern<RandomNormalLowering>(patterns, converter);
  addPattern<TruncatedNormalLowering>(patterns, converter);
}

}  // namespace kiln::compiler::detail
