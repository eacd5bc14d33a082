// Algebraic simplification of kiln ops (see SimplifyAlgebra.h). One pattern per
// identity; each says why it is exact in floating point, or exactly how it is not.
//
// Notation: "exact" means bit-identical results for every input that is not a NaN; NaN
// inputs still give a NaN, whose payload and sign may differ (see SimplifyAlgebra.h).
// Integer arithmetic wraps around, so the integer forms are exact for every input.
#include "compiler/Transforms/SimplifyAlgebra.h"

#include <optional>

#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln::compiler {

using namespace mlir;
namespace k = mlir::kiln;

namespace {

//===----------------------------------------------------------------------===//
// Matching constants
//===----------------------------------------------------------------------===//

// The value of a constant tensor, or null.
DenseElementsAttr constantOf(Value v) {
  DenseElementsAttr dense;
  if (v && matchPattern(v, m_Constant(&dense))) return dense;
  return {};
}

bool isFloat(Value v) { return isa<FloatType>(getElementTypeOrSelf(v.getType())); }

// Whether `v` is a constant whose every element is `value`: bit for bit for floats (so
// that 0.0 and -0.0 differ), by value for integers.
bool isSplatOf(Value v, double value) {
  DenseElementsAttr dense = constantOf(v);
  if (!dense || !dense.isSplat()) return false;
  if (auto fp = dyn_cast<DenseFPElementsAttr>(dense)) {
    APFloat splat = fp.getSplatValue<APFloat>();
    APFloat want(value);
    bool lost = false;
    want.convert(splat.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return splat.bitwiseIsEqual(want);
  }
  if (auto ints = dyn_cast<DenseIntElementsAttr>(dense)) {
    if (ints.getElementType().isInteger(1)) return false;
    return ints.getSplatValue<APInt>().getSExtValue() == static_cast<int64_t>(value);
  }
  return false;
}

// Whether `v` is a constant of zeros: +0.0 or -0.0 for floats.
bool isAllZeros(Value v) { return isSplatOf(v, 0.0) || (isFloat(v) && isSplatOf(v, -0.0)); }

// Whether no element of `v` can be -0.0. In round-to-nearest, a sum is -0.0 only when both
// addends are -0.0 (x + -x is +0.0), and exp, square, abs, relu, sigmoid and softplus never
// return -0.0 (the kernels return +0 for relu(-0.0), e^-inf and sigmoid(-inf)).
bool cannotBeNegativeZero(Value v, int depth = 0) {
  if (!isFloat(v)) return true;
  if (DenseElementsAttr dense = constantOf(v)) {
    for (const APFloat& x : dense.getValues<APFloat>())
      if (x.isNegZero()) return false;
    return true;
  }
  Operation* def = v.getDefiningOp();
  if (!def) return false;
  if (isa<k::ExpOp, k::SquareOp, k::AbsOp, k::ReluOp, k::SigmoidOp, k::SoftplusOp>(def))
    return true;
  if (isa<k::CastOp>(def)) return !isFloat(def->getOperand(0));  // an integer 0 is +0.0
  if (isa<k::BroadcastToOp, k::ReshapeOp, k::TransposeOp>(def))
    return depth < 4 && cannotBeNegativeZero(def->getOperand(0), depth + 1);
  if (auto add = dyn_cast<k::AddOp>(def))
    return depth < 4 && (cannotBeNegativeZero(add.getLhs(), depth + 1) ||
                         cannotBeNegativeZero(add.getRhs(), depth + 1));
  return false;
}

// The constant that a detached `OpTy(operands)` folds to, or null; nothing is inserted.
template <class OpTy>
Attribute foldDetached(PatternRewriter& rewriter, Location loc, Type type, ValueRange operands) {
  OpBuilder detached(rewriter.getContext());
  OpTy op = detached.create<OpTy>(loc, TypeRange{type}, operands);
  SmallVector<Attribute> constants;
  for (Value v : operands) constants.push_back(constantOf(v));
  SmallVector<OpFoldResult> results;
  Attribute folded;
  if (succeeded(op->fold(constants, results)) && results.size() == 1)
    folded = dyn_cast_if_present<Attribute>(results[0]);
  op->erase();
  return folded;
}

// Replaces `op` by select(condition, a, b) of the two folded constants.
void replaceWithSelectOfConstants(PatternRewriter& rewriter, Operation* op, Value condition,
                                  Attribute a, Attribute b) {
  Value ca = rewriter.create<k::ConstantOp>(op->getLoc(), cast<ElementsAttr>(a));
  Value cb = rewriter.create<k::ConstantOp>(op->getLoc(), cast<ElementsAttr>(b));
  rewriter.replaceOpWithNewOp<k::SelectOp>(op, condition, ca, cb);
}

// Copies the discardable attributes (the run-time check site `kiln.site`) of `from`.
void copySiteOf(Operation* from, Operation* to) {
  for (NamedAttribute attr : from->getDiscardableAttrs())
    to->setAttr(attr.getName(), attr.getValue());
}

//===----------------------------------------------------------------------===//
// Multiplication, division, addition by constants
//===----------------------------------------------------------------------===//

// x * 1 -> x. Floats: x * 1.0 is x exactly, except that a signalling NaN comes out quiet.
// The dialect's folder refuses the rewrite for that reason; this optional pass allows it
// (XLA does the same), so a signalling NaN may now pass through unquieted.
// x * -1 -> -x. Floats: (-1.0) * x rounds exactly like -x for every non-NaN x (zeros and
// infinities included: -1 * +0 = -0); for a NaN, mul keeps the sign bit and neg flips it.
// Integers: -1 * x and -x both wrap (INT_MIN stays INT_MIN).
// x * 0 -> 0 for integers only: for floats, inf * 0 and NaN * 0 are NaN and -x * 0 is -0.0.
struct MulByConstant : OpRewritePattern<k::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::MulOp op, PatternRewriter& rewriter) const override {
    for (auto [x, c] : {std::pair(op.getLhs(), op.getRhs()), std::pair(op.getRhs(), op.getLhs())}) {
      if (isSplatOf(c, 1.0)) {
        rewriter.replaceOp(op, x);
        return success();
      }
      if (isSplatOf(c, -1.0)) {
        rewriter.replaceOpWithNewOp<k::NegOp>(op, x);
        return success();
      }
      if (!isFloat(x) && isSplatOf(c, 0.0)) {
        rewriter.replaceOp(op, c);
        return success();
      }
    }
    return failure();
  }
};

// x / 1 -> x and x / -1 -> -x. Floats: division by +-1.0 is exact (the quotient is
// representable), so the results are x and -x, NaN payloads aside as for x * 1. Integers:
// x / -1 wraps to INT_MIN for INT_MIN (kiln.div), as -x does; the divisor is a non-zero
// constant, so no run-time check is lost.
struct DivByConstant : OpRewritePattern<k::DivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::DivOp op, PatternRewriter& rewriter) const override {
    if (isSplatOf(op.getRhs(), 1.0)) {
      rewriter.replaceOp(op, op.getLhs());
      return success();
    }
    if (isSplatOf(op.getRhs(), -1.0)) {
      rewriter.replaceOpWithNewOp<k::NegOp>(op, op.getLhs());
      return success();
    }
    return failure();
  }
};

// x + -0.0 -> x: exact for every x (-0.0 + -0.0 = -0.0, +0.0 + -0.0 = +0.0).
// x + 0.0 -> x only where x cannot be -0.0 (cannotBeNegativeZero): -0.0 + 0.0 is +0.0, so
// the rewrite is not exact in general and must not fire on an arbitrary x.
// Integers: x + 0 is already folded by the dialect.
struct AddZero : OpRewritePattern<k::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::AddOp op, PatternRewriter& rewriter) const override {
    if (!isFloat(op.getResult())) return failure();
    for (auto [x, c] : {std::pair(op.getLhs(), op.getRhs()), std::pair(op.getRhs(), op.getLhs())}) {
      if (isSplatOf(c, -0.0) || (isSplatOf(c, 0.0) && cannotBeNegativeZero(x))) {
        rewriter.replaceOp(op, x);
        return success();
      }
    }
    return failure();
  }
};

// x - 0.0 -> x: x - (+0.0) is x + (-0.0), exact as above. x - (-0.0) is x + 0.0, so it
// is rewritten only where x cannot be -0.0. Integers: x - 0 -> x.
// -0.0 - x -> -x: exact (-0.0 - +0.0 = -0.0 and -0.0 - -0.0 = +0.0 are -x). But 0.0 - x is
// +0.0 for x = +0.0, not -x: that form is rewritten for integers only (0 - x wraps as -x).
struct SubZero : OpRewritePattern<k::SubOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::SubOp op, PatternRewriter& rewriter) const override {
    Value x = op.getLhs(), y = op.getRhs();
    bool floating = isFloat(x);
    if (isSplatOf(y, 0.0) || (floating && isSplatOf(y, -0.0) && cannotBeNegativeZero(x))) {
      rewriter.replaceOp(op, x);
      return success();
    }
    if (floating ? isSplatOf(x, -0.0) : isSplatOf(x, 0.0)) {
      rewriter.replaceOpWithNewOp<k::NegOp>(op, y);
      return success();
    }
    return failure();
  }
};

//===----------------------------------------------------------------------===//
// Negations
//===----------------------------------------------------------------------===//

// a + (-b) -> a - b and (-a) + b -> b - a; a - (-b) -> a + b. IEEE 754 defines a - b as
// a + (-b), bit for bit, and addition is commutative, so all three are exact. (The gradient
// rules and Variable::scatter_sub leave such negations behind.)
struct AbsorbNegationInAdd : OpRewritePattern<k::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::AddOp op, PatternRewriter& rewriter) const override {
    for (auto [a, b] : {std::pair(op.getLhs(), op.getRhs()), std::pair(op.getRhs(), op.getLhs())}) {
      if (auto neg = b.getDefiningOp<k::NegOp>()) {
        rewriter.replaceOpWithNewOp<k::SubOp>(op, a, neg.getInput());
        return success();
      }
    }
    return failure();
  }
};

struct AbsorbNegationInSub : OpRewritePattern<k::SubOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::SubOp op, PatternRewriter& rewriter) const override {
    auto neg = op.getRhs().getDefiningOp<k::NegOp>();
    if (!neg) return failure();
    rewriter.replaceOpWithNewOp<k::AddOp>(op, op.getLhs(), neg.getInput());
    return success();
  }
};

// Moves a negation out of a product towards an op that absorbs it:
// (-x) * y -> -(x * y), and for floats (-x) / y -> -(x / y), x / (-y) -> -(x / y).
// Exact: the sign of a product or quotient is the xor of the signs and round-to-nearest is
// symmetric, so negating an operand negates the rounded result. Integers: wrap-around
// multiplication commutes with negation too; integer division does not (-INT_MIN / 2 is
// INT_MIN / 2, but -(INT_MIN / 2) is its opposite), so it is left alone.
// Fires only when the product's one user is add, sub, neg, mul or float div: the negation
// then disappears there (AbsorbNegation*, neg(neg x) -> x) or moves on. (A negation with
// other users stays for them, so a chain that ends in no absorbing op can cost one op.)
struct HoistNegation : RewritePattern {
  explicit HoistNegation(MLIRContext* ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation* op, PatternRewriter& rewriter) const override {
    const bool isDiv = isa<k::DivOp>(op);
    if (!isa<k::MulOp>(op) && !(isDiv && isFloat(op->getResult(0)))) return failure();
    Value result = op->getResult(0);
    if (!result.hasOneUse()) return failure();
    Operation* user = *result.getUsers().begin();
    if (!isa<k::AddOp, k::SubOp, k::NegOp, k::MulOp>(user) &&
        !(isa<k::DivOp>(user) && isFloat(result)))
      return failure();
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    auto lneg = lhs.getDefiningOp<k::NegOp>(), rneg = rhs.getDefiningOp<k::NegOp>();
    if (!lneg && !rneg) return failure();
    Value x = lneg ? lneg.getInput() : lhs, y = rneg ? rneg.getInput() : rhs;
    Value inner = isDiv ? rewriter.create<k::DivOp>(op->getLoc(), x, y).getResult()
                        : rewriter.create<k::MulOp>(op->getLoc(), x, y).getResult();
    if (lneg && rneg)  // (-x) * (-y) = x * y
      rewriter.replaceOp(op, inner);
    else
      rewriter.replaceOpWithNewOp<k::NegOp>(op, inner);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Selects
//===----------------------------------------------------------------------===//

// op(select(c, A, B), K) -> select(c, op(A, K), op(B, K)) for constants A, B, K and an
// elementwise binary op (either operand may be the select), and -select(c, A, B) ->
// select(c, -A, -B): the same operation on the same chosen element, so exact (the folders
// compute op(A, K) with the eager kernels). The gradient of kiln::where leaves
// select(c, 1, 0) * 2 behind (Huber's loss). Fires only when both new branches fold.
template <class OpTy>
struct BinaryOfSelectOfConstants : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter& rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      auto select = op->getOperand(side).template getDefiningOp<k::SelectOp>();
      Value other = op->getOperand(1 - side);
      if (!select || !constantOf(other) || !constantOf(select.getTrueValue()) ||
          !constantOf(select.getFalseValue()))
        continue;
      auto branch = [&](Value v) {
        SmallVector<Value, 2> operands = {v, other};
        if (side == 1) std::swap(operands[0], operands[1]);
        return foldDetached<OpTy>(rewriter, op.getLoc(), op.getType(), operands);
      };
      Attribute a = branch(select.getTrueValue()), b = branch(select.getFalseValue());
      if (!isa_and_present<ElementsAttr>(a) || !isa_and_present<ElementsAttr>(b)) continue;
      replaceWithSelectOfConstants(rewriter, op, select.getCondition(), a, b);
      return success();
    }
    return failure();
  }
};

struct NegOfSelectOfConstants : OpRewritePattern<k::NegOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::NegOp op, PatternRewriter& rewriter) const override {
    auto select = op.getInput().getDefiningOp<k::SelectOp>();
    if (!select || !constantOf(select.getTrueValue()) || !constantOf(select.getFalseValue()))
      return failure();
    Attribute a = foldDetached<k::NegOp>(rewriter, op.getLoc(), op.getType(),
                                         ValueRange{select.getTrueValue()});
    Attribute b = foldDetached<k::NegOp>(rewriter, op.getLoc(), op.getType(),
                                         ValueRange{select.getFalseValue()});
    if (!isa_and_present<ElementsAttr>(a) || !isa_and_present<ElementsAttr>(b)) return failure();
    replaceWithSelectOfConstants(rewriter, op, select.getCondition(), a, b);
    return success();
  }
};

// select(c, true, false) -> c and select(c, false, true) -> !c (i1 values): exact.
// select(!c, a, b) -> select(c, b, a): exact.
// select(c, select(c, x, y), z) -> select(c, x, z) and select(c, x, select(c, y, z)) ->
// select(c, x, z): the inner select sees the same condition element, so it is exact.
struct SimplifySelect : OpRewritePattern<k::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::SelectOp op, PatternRewriter& rewriter) const override {
    Value c = op.getCondition(), t = op.getTrueValue(), f = op.getFalseValue();
    auto boolSplat = [](Value v) -> std::optional<bool> {
      auto dense = dyn_cast_or_null<DenseIntElementsAttr>(constantOf(v));
      if (!dense || !dense.isSplat() || !dense.getElementType().isInteger(1)) return std::nullopt;
      return dense.getSplatValue<bool>();
    };
    std::optional<bool> bt = boolSplat(t), bf = boolSplat(f);
    if (bt && bf && *bt && !*bf) {
      rewriter.replaceOp(op, c);
      return success();
    }
    if (bt && bf && !*bt && *bf) {
      rewriter.replaceOpWithNewOp<k::NotOp>(op, c);
      return success();
    }
    if (auto inverted = c.getDefiningOp<k::NotOp>()) {
      rewriter.replaceOpWithNewOp<k::SelectOp>(op, inverted.getInput(), f, t);
      return success();
    }
    if (auto inner = t.getDefiningOp<k::SelectOp>(); inner && inner.getCondition() == c) {
      rewriter.replaceOpWithNewOp<k::SelectOp>(op, c, inner.getTrueValue(), f);
      return success();
    }
    if (auto inner = f.getDefiningOp<k::SelectOp>(); inner && inner.getCondition() == c) {
      rewriter.replaceOpWithNewOp<k::SelectOp>(op, c, t, inner.getFalseValue());
      return success();
    }
    return failure();
  }
};

//===----------------------------------------------------------------------===//
// Broadcasts
//===----------------------------------------------------------------------===//

// broadcast_to(broadcast_to(x)) -> broadcast_to(x): pure data movement; every dimension
// of x is 1 or equal to the middle shape's, which is 1 or equal to the final one's, so
// x broadcasts to the final shape directly, with the same elements.
struct ComposeBroadcasts : OpRewritePattern<k::BroadcastToOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::BroadcastToOp op, PatternRewriter& rewriter) const override {
    auto inner = op.getInput().getDefiningOp<k::BroadcastToOp>();
    if (!inner) return failure();
    rewriter.replaceOpWithNewOp<k::BroadcastToOp>(op, op.getType(), inner.getInput());
    return success();
  }
};

// The input of a broadcast_to of a scalar (a one-element tensor), or of a splat constant as
// a rank-0 constant; null otherwise.
Value scalarBehind(Value v, PatternRewriter& rewriter, Type rankZero, bool create) {
  if (auto b = v.getDefiningOp<k::BroadcastToOp>()) {
    Value in = b.getInput();
    if (in.getType() == rankZero) return in;
    return {};
  }
  DenseElementsAttr dense = constantOf(v);
  if (!dense || !dense.isSplat()) return {};
  if (!create) return v;  // any non-null value: "there is one"
  auto scalar = dense.resizeSplat(cast<ShapedType>(rankZero));
  return rewriter.create<k::ConstantOp>(v.getLoc(), scalar);
}

// op(broadcast_to(a), broadcast_to(b)) -> broadcast_to(op(a, b)) for rank-0 a and b (a
// splat constant counts as a broadcast scalar), and unary(broadcast_to(a)) ->
// broadcast_to(unary(a)): the same scalar operation on the same values, computed once
// instead of once per element, so exact. Fires when at least one operand is a real
// broadcast_to (two splat constants are the folders' job).
struct ElementwiseOfBroadcasts : RewritePattern {
  explicit ElementwiseOfBroadcasts(MLIRContext* ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation* op, PatternRewriter& rewriter) const override {
    bool unary = isa<k::NegOp, k::AbsOp, k::SignOp, k::SquareOp, k::ReluOp, k::ExpOp, k::LogOp,
                     k::Log1pOp, k::Expm1Op, k::SqrtOp, k::RsqrtOp, k::TanhOp, k::SigmoidOp,
                     k::SoftplusOp, k::FloorOp, k::NotOp, k::CastOp>(op);
    bool binary = isa<k::AddOp, k::SubOp, k::MulOp, k::DivOp, k::PowOp, k::MaxOp, k::MinOp,
                      k::AndOp, k::OrOp, k::CompareOp>(op);
    if (!unary && !binary) return failure();
    // An empty result computes nothing: its scalar form would (an integer division by a
    // zero scalar would report a run-time error that the op never raises).
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || type.getRank() == 0 || type.getNumElements() == 0) return failure();
    auto operandType = cast<RankedTensorType>(op->getOperand(0).getType());
    Type rankZero = RankedTensorType::get({}, operandType.getElementType());
    bool someBroadcast = false;
    for (Value v : op->getOperands()) {
      if (!scalarBehind(v, rewriter, rankZero, /*create=*/false)) return failure();
      someBroadcast |= v.getDefiningOp<k::BroadcastToOp>() != nullptr;
    }
    if (!someBroadcast) return failure();
    SmallVector<Value> scalars;
    for (Value v : op->getOperands())
      scalars.push_back(scalarBehind(v, rewriter, rankZero, /*create=*/true));
    OperationState state(op->getLoc(), op->getName(), scalars,
                         TypeRange{RankedTensorType::get({}, type.getElementType())},
                         op->getAttrs());
    Operation* scalarOp = rewriter.create(state);
    rewriter.replaceOpWithNewOp<k::BroadcastToOp>(op, type, scalarOp->getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Sparse updates
//===----------------------------------------------------------------------===//

// A scatter_add into a constant of zeros with one use: the dense form of a gather's gradient.
k::ScatterAddOp denseGradient(Value v) {
  auto scatter = v.getDefiningOp<k::ScatterAddOp>();
  if (!scatter || !scatter->hasOneUse() || !isAllZeros(scatter.getInput())) return {};
  return scatter;
}

// v - scatter_add(0, i, u) -> scatter_add(v, i, -u) and v + scatter_add(0, i, u) ->
// scatter_add(v, i, u): only the rows in i are touched, and no dense [V, ...] gradient is
// computed. Exact for integers. For floats NOT exact in two ways, accepted here (as
// TensorFlow's sparse optimizers and XLA's scatter rewrites accept them): an index that
// occurs several times has its updates added into v one by one instead of summed first
// (v - (u1 + u2) vs (v - u1) - u2 round differently), and a -0.0 element of v updated by a
// -0.0 becomes +0.0. With distinct indices and no zeros the results are bit-identical.
struct SparseUpdate : RewritePattern {
  explicit SparseUpdate(MLIRContext* ctx) : RewritePattern(MatchAnyOpTypeTag(), 2, ctx) {}
  LogicalResult matchAndRewrite(Operation* op, PatternRewriter& rewriter) const override {
    if (!isa<k::AddOp, k::SubOp>(op)) return failure();
    const bool subtract = isa<k::SubOp>(op);
    for (int side = subtract ? 1 : 0; side < 2; ++side) {
      k::ScatterAddOp scatter = denseGradient(op->getOperand(side));
      if (!scatter) continue;
      Value v = op->getOperand(1 - side), updates = scatter.getUpdates();
      if (subtract) updates = rewriter.create<k::NegOp>(op->getLoc(), updates);
      auto sparse =
          rewriter.create<k::ScatterAddOp>(scatter.getLoc(), v, scatter.getIndices(), updates);
      copySiteOf(scatter, sparse);
      rewriter.replaceOp(op, sparse.getResult());
      return success();
    }
    return failure();
  }
};

// scatter_add(0, i, u) * s -> scatter_add(0, i, u * s) for a constant scalar s (a splat),
// so that a gradient scaled by a constant learning rate stays sparse. Exact for integers.
// For floats as SparseUpdate: exact for distinct indices ((u1 + u2) * s and u1 * s + u2 * s
// round differently) up to the sign of zero rows; s must be finite, since the rows that no
// index touches stay 0 instead of becoming 0 * s (NaN for an infinite s).
struct ScaleDenseGradient : OpRewritePattern<k::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(k::MulOp op, PatternRewriter& rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      k::ScatterAddOp scatter = denseGradient(op->getOperand(side));
      DenseElementsAttr scale = constantOf(op->getOperand(1 - side));
      if (!scatter || !scale || !scale.isSplat()) continue;
      if (auto fp = dyn_cast<DenseFPElementsAttr>(scale);
          fp && !fp.getSplatValue<APFloat>().isFinite())
        continue;
      auto updatesType = cast<RankedTensorType>(scatter.getUpdates().getType());
      Value factor = rewriter.create<k::ConstantOp>(op.getLoc(), scale.resizeSplat(updatesType));
      Value scaled = rewriter.create<k::MulOp>(op.getLoc(), scatter.getUpdates(), factor);
      auto sparse = rewriter.create<k::ScatterAddOp>(scatter.getLoc(), scatter.getInput(),
                                                     scatter.getIndices(), scaled);
      copySiteOf(scatter, sparse);
      rewriter.replaceOp(op, sparse.getResult());
      return success();
    }
    return failure();
  }
};

struct SimplifyAlgebraPass : PassWrapper<SimplifyAlgebraPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SimplifyAlgebraPass)

  StringRef getArgument() const final { return "kiln-simplify-algebra"; }
  StringRef getDescription() const final {
    return "Algebraic simplification of kiln ops (x * 1, x / 1, x + -0.0, selects of "
           "constants, negations, broadcast scalars, sparse updates)";
  }
  void runOnOperation() override {
    if (failed(simplify_algebra(getOperation()))) signalPassFailure();
  }
};

}  // namespace

void populate_simplify_algebra_patterns(RewritePatternSet& patterns) {
  MLIRContext* ctx = patterns.getContext();
  patterns.add<MulByConstant, DivByConstant, AddZero, SubZero, AbsorbNegationInAdd,
               AbsorbNegationInSub, HoistNegation, NegOfSelectOfConstants, SimplifySelect,
               ComposeBroadcasts, ElementwiseOfBroadcasts, SparseUpdate, ScaleDenseGradient>(ctx);
  patterns.add<BinaryOfSelectOfConstants<k::AddOp>, BinaryOfSelectOfConstants<k::SubOp>,
               BinaryOfSelectOfConstants<k::MulOp>, BinaryOfSelectOfConstants<k::DivOp>,
               BinaryOfSelectOfConstants<k::MaxOp>, BinaryOfSelectOfConstants<k::MinOp>>(ctx);
}

LogicalResult simplify_algebra(ModuleOp module) {
  RewritePatternSet patterns(module.getContext());
  populate_simplify_algebra_patterns(patterns);
  FrozenRewritePatternSet frozen(std::move(patterns));
  // A rewrite that has not converged after the driver's iteration limit is still correct
  // (every step was), so it is kept, not reported.
  for (auto fn : module.getOps<func::FuncOp>()) (void)applyPatternsAndFoldGreedily(fn, frozen);
  return success();
}

std::unique_ptr<Pass> createSimplifyAlgebraPass() {
  return std::make_unique<SimplifyAlgebraPass>();
}

void registerSimplifyAlgebraPass() { PassRegistration<SimplifyAlgebraPass>(); }

}  // namespace kiln::compiler
