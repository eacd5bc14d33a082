// Shape rules, verifiers and custom syntax of the kiln ops. Each shape rule is
// one function used both to infer result types (builders, parsing) and to
// verify them, so that the two can never disagree; its messages name the values.
// Folding lives in KilnFolding.cpp, canonicalization in KilnCanonicalize.cpp.
#include "dialects/kiln/IR/KilnOps.h"

#include <string>

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::kiln {
namespace {

// Reports a broken rule as "'kiln.x' op ..." at `loc`, or silently fails when
// there is no location (inference asked for no diagnostics).
struct Reporter {
  std::optional<Location> loc;
  StringRef opName;
  template <class... Args>
  LogicalResult operator()(Args&&... args) const {
    return emitOptionalError(loc, "'", opName, "' op ", std::forward<Args>(args)...);
  }
};

template <class OpT>
Reporter reporter(std::optional<Location> loc) {
  return Reporter{loc, OpT::getOperationName()};
}
template <class OpT>
Reporter reporter(OpT op) {
  return reporter<OpT>(op.getLoc());
}

// "[2, 3]", for messages.
std::string str(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

// The element count of a static shape, or nothing when it overflows int64.
std::optional<int64_t> elementCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (llvm::MulOverflow(n, d, n)) return std::nullopt;
  return n;
}

FailureOr<RankedTensorType> rankedTensor(const Reporter& fail, Type type, StringRef what) {
  auto t = dyn_cast_or_null<RankedTensorType>(type);
  if (!t) return fail("expects a ranked tensor ", what, ", got ", type);
  return t;
}

// Checks that the result type is the one the shape rule gives.
LogicalResult checkResultType(Operation* op, FailureOr<RankedTensorType> expected, StringRef rule) {
  if (failed(expected)) return failure();
  Type actual = op->getResult(0).getType();
  if (actual != *expected)
    return op->emitOpError() << "result type " << actual << " should be " << *expected << " ("
                             << rule << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// Shape rules
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType> reducedType(const Reporter& fail, Type inputType,
                                        ArrayRef<int64_t> axes) {
  auto input = rankedTensor(fail, inputType, "input");
  if (failed(input)) return failure();
  int64_t rank = input->getRank();
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      return fail("axis ", axes[i], " is out of range [0, ", rank, ") for input ", *input);
    if (i > 0 && axes[i] <= axes[i - 1])
      return fail("axes ", str(axes), " must be sorted and unique");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d)) shape.push_back(input->getDimSize(d));
  return RankedTensorType::get(shape, input->getElementType());
}

FailureOr<RankedTensorType> argmaxType(const Reporter& fail, Type inputType, int64_t axis) {
  auto input = rankedTensor(fail, inputType, "input");
  if (failed(input)) return failure();
  int64_t rank = input->getRank();
  if (axis < 0 || axis >= rank)
    return fail("axis ", axis, " is out of range [0, ", rank, ") for input ", *input);
  if (input->getDimSize(axis) == 0)
    return fail("cannot take argmax over an empty axis: axis ", axis, " of ", *input,
                " has size 0");
  SmallVector<int64_t> shape(input->getShape());
  shape.erase(shape.begin() + axis);
  return RankedTensorType::get(shape, IntegerType::get(input->getContext(), 64));
}

// The type of both results but for the element type (the input's for the values).
FailureOr<RankedTensorType> topKType(const Reporter& fail, Type inputType, int64_t k) {
  auto input = rankedTensor(fail, inputType, "input");
  if (failed(input)) return failure();
  if (input->getRank() < 1) return fail("needs an input of rank >= 1, got ", *input);
  int64_t n = input->getShape().back();
  if (k < 1 || k > n)
    return fail("k = ", k, " is not in [1, ", n, "] (the size of the last axis of ", *input, ")");
  SmallVector<int64_t> shape(input->getShape());
  shape.back() = k;
  return RankedTensorType::get(shape, input->getElementType());
}

FailureOr<RankedTensorType> matmulType(const Reporter& fail, Type lhsType, Type rhsType) {
  auto lhs = rankedTensor(fail, lhsType, "lhs");
  auto rhs = rankedTensor(fail, rhsType, "rhs");
  if (failed(lhs) || failed(rhs)) return failure();
  int64_t r = lhs->getRank();
  if (r < 2 || rhs->getRank() < 2)
    return fail("operands must have rank >= 2, got ", *lhs, " and ", *rhs);
  if (rhs->getRank() != r)
    return fail(
        "operands must have the same rank (batch dimensions are broadcast by the "
        "tracer), got rank ",
        r, " (", *lhs, ") and rank ", rhs->getRank(), " (", *rhs, ")");
  if (lhs->getElementType() != rhs->getElementType())
    return fail("element types differ: ", lhs->getElementType(), " vs ", rhs->getElementType());
  ArrayRef<int64_t> a = lhs->getShape(), b = rhs->getShape();
  if (a.drop_back(2) != b.drop_back(2))
    return fail("batch dimensions differ: ", str(a.drop_back(2)), " vs ", str(b.drop_back(2)));
  if (a[r - 1] != b[r - 2])
    return fail("contracting dimensions differ: lhs ", *lhs, " has K = ", a[r - 1], " but rhs ",
                *rhs, " has K = ", b[r - 2]);
  SmallVector<int64_t> shape(a.drop_back(1));
  shape.push_back(b[r - 1]);
  return RankedTensorType::get(shape, lhs->getElementType());
}

FailureOr<RankedTensorType> transposedType(const Reporter& fail, Type inputType,
                                           ArrayRef<int64_t> perm) {
  auto input = rankedTensor(fail, inputType, "input");
  if (failed(input)) return failure();
  int64_t rank = input->getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return fail("permutation ", str(perm), " has ", perm.size(), " entries but the input ", *input,
                " has rank ", rank);
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return fail("permutation ", str(perm), " is not a permutation of [0, ", rank, ")");
    seen[p] = true;
    shape.push_back(input->getDimSize(p));
  }
  return RankedTensorType::get(shape, input->getElementType());
}

FailureOr<RankedTensorType> concatType(const Reporter& fail, TypeRange inputTypes, int64_t axis) {
  if (inputTypes.empty()) return fail("needs at least one input");
  auto first = rankedTensor(fail, inputTypes[0], "input");
  if (failed(first)) return failure();
  int64_t rank = first->getRank();
  if (axis < 0 || axis >= rank)
    return fail("axis ", axis, " is out of range [0, ", rank, ") for input #0 ", *first);
  SmallVector<int64_t> shape(first->getShape());
  shape[axis] = 0;
  for (auto [i, type] : llvm::enumerate(inputTypes)) {
    auto input = rankedTensor(fail, type, "input");
    if (failed(input)) return failure();
    if (input->getElementType() != first->getElementType())
      return fail("input #", i, " has element type ", input->getElementType(), " but input #0 has ",
                  first->getElementType());
    if (input->getRank() != rank)
      return fail("input #", i, " ", *input, " has rank ", input->getRank(), " but input #0 ",
                  *first, " has rank ", rank);
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && input->getDimSize(d) != first->getDimSize(d))
        return fail("input #", i, " ", *input, " differs from input #0 ", *first, " in dimension ",
                    d, " (only axis ", axis, " may differ)");
    if (llvm::AddOverflow(shape[axis], input->getDimSize(axis), shape[axis]))
      return fail("concatenated dimension overflows int64");
  }
  return RankedTensorType::get(shape, first->getElementType());
}

FailureOr<RankedTensorType> paddedType(const Reporter& fail, Type inputType, ArrayRef<int64_t> low,
                                       ArrayRef<int64_t> high) {
  auto input = rankedTensor(fail, inputType, "input");
  if (failed(input)) return failure();
  int64_t rank = input->getRank();
  if (static_cast<int64_t>(low.size()) != rank || static_cast<int64_t>(high.size()) != rank)
    return fail("low ", str(low), " and high ", str(high), " must each have ", rank,
                " entries for input ", *input);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] < 0 || high[d] < 0)
      return fail("padding must be non-negative, got low ", str(low), " high ", str(high));
    int64_t size;
    if (llvm::AddOverflow(input->getDimSize(d), low[d], size) ||
        llvm::AddOverflow(size, high[d], size))
      return fail("padded dimension ", d, " overflows int64");
    shape.push_back(size);
  }
  return RankedTensorType::get(shape, input->getElementType());
}

FailureOr<RankedTensorType> gatherType(const Reporter& fail, Type paramsType, Type indicesType) {
  auto params = rankedTensor(fail, paramsType, "params");
  auto indices = rankedTensor(fail, indicesType, "indices");
  if (failed(params) || failed(indices)) return failure();
  if (params->getRank() < 1) return fail("params must have rank >= 1, got ", *params);
  SmallVector<int64_t> shape(indices->getShape());
  llvm::append_range(shape, params->getShape().drop_front());
  return RankedTensorType::get(shape, params->getElementType());
}

LogicalResult sameType(const Reporter& fail, Type lhs, Type rhs, StringRef lhsName,
                       StringRef rhsName) {
  if (lhs != rhs)
    return fail(lhsName, " and ", rhsName,
                " must have one type (kiln never broadcasts "
                "implicitly; use kiln.broadcast_to or kiln.cast), got ",
                lhs, " and ", rhs);
  return success();
}

// The custom<SameType> directive: one type printed for several operands.
ParseResult parseSameType(OpAsmParser& parser, Type& first, Type& second) {
  if (parser.parseType(first)) return failure();
  second = first;
  return success();
}
void printSameType(OpAsmPrinter& printer, Operation*, Type first, Type) { printer << first; }

// The custom<ComparePredicate> directive: `lt` rather than the attribute's
// generic `#kiln<compare_predicate lt>`.
ParseResult parseComparePredicate(OpAsmParser& parser, ComparePredicateAttr& attr) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword)) return failure();
  std::optional<ComparePredicate> predicate = symbolizeComparePredicate(keyword);
  if (!predicate)
    return parser.emitError(loc) << "unknown comparison predicate '" << keyword
                                 << "' (expected eq, ne, lt, le, gt or ge)";
  attr = ComparePredicateAttr::get(parser.getContext(), *predicate);
  return success();
}
void printComparePredicate(OpAsmPrinter& printer, Operation*, ComparePredicateAttr attr) {
  printer << stringifyComparePredicate(attr.getValue());
}

}  // namespace

LogicalResult verifySameOperandTypes(Operation* op) {
  return sameType(Reporter{op->getLoc(), op->getName().getStringRef()}, op->getOperand(0).getType(),
                  op->getOperand(1).getType(), "lhs", "rhs");
}

bool indicesInRange(Attribute indices, int64_t rows) {
  auto values = dyn_cast_or_null<DenseIntElementsAttr>(indices);
  return values && llvm::all_of(values.getValues<APInt>(), [&](const APInt& v) {
           int64_t i = v.getSExtValue();
           return i >= 0 && i < rows;
         });
}

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type>& inferred) {
  ElementsAttr value = adaptor.getValueAttr();
  if (!value) return reporter<ConstantOp>(loc)("needs an elements attribute 'value'");
  inferred.push_back(value.getType());
  return success();
}

void ConstantOp::getAsmResultNames(function_ref<void(Value, StringRef)> setName) {
  setName(getResult(), "cst");
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

Speculation::Speculatability DivOp::getSpeculatability() {
  if (isa<FloatType>(getType().getElementType())) return Speculation::Speculatable;
  // An integer division is safe to hoist only when no divisor can be zero.
  DenseIntElementsAttr divisor;
  if (matchPattern(getRhs(), m_Constant(&divisor)) &&
      llvm::none_of(divisor.getValues<APInt>(), [](const APInt& v) { return v.isZero(); }))
    return Speculation::Speculatable;
  return Speculation::NotSpeculatable;
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext* context, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type>& inferred) {
  auto lhs = rankedTensor(reporter<CompareOp>(loc), adaptor.getLhs().getType(), "lhs");
  if (failed(lhs)) return failure();
  inferred.push_back(lhs->clone(IntegerType::get(context, 1)));
  return success();
}

LogicalResult CompareOp::verify() { return verifySameOperandTypes(getOperation()); }

LogicalResult SelectOp::inferReturnTypes(MLIRContext*, std::optional<Location>, Adaptor adaptor,
                                         SmallVectorImpl<Type>& inferred) {
  inferred.push_back(adaptor.getTrueValue().getType());
  return success();
}

LogicalResult SelectOp::verify() {
  Reporter fail = reporter(*this);
  if (failed(sameType(fail, getTrueValue().getType(), getFalseValue().getType(), "true_value",
                      "false_value")))
    return failure();
  if (getCondition().getType().getShape() != getTrueValue().getType().getShape())
    return fail("condition ", getCondition().getType(), " must have the shape of the values ",
                getTrueValue().getType());
  return success();
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "cannot change the shape: " << getInput().getType() << " to "
                         << getType() << " (use kiln.reshape)";
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and matmul
//===----------------------------------------------------------------------===//

#define KILN_REDUCE_OP(Op)                                                                       \
  LogicalResult Op::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor, \
                                     SmallVectorImpl<Type>& inferred) {                          \
    if (!adaptor.getAxesAttr()) return reporter<Op>(loc)("needs an 'axes' attribute");           \
    auto type = reducedType(reporter<Op>(loc), adaptor.getInput().getType(), adaptor.getAxes()); \
    if (failed(type)) return failure();                                                          \
    inferred.push_back(*type);                                                                   \
    return success();                                                                            \
  }                                                                                              \
  LogicalResult Op::verify() {                                                                   \
    return checkResultType(*this, reducedType(reporter(*this), getInput().getType(), getAxes()), \
                           "the input with axes " + str(getAxes()) + " dropped");                \
  }
KILN_REDUCE_OP(ReduceSumOp)
KILN_REDUCE_OP(ReduceMaxOp)
KILN_REDUCE_OP(ReduceMinOp)
#undef KILN_REDUCE_OP

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& inferred) {
  if (!adaptor.getAxisAttr()) return reporter<ArgmaxOp>(loc)("needs an 'axis' attribute");
  auto type = argmaxType(reporter<ArgmaxOp>(loc), adaptor.getInput().getType(), adaptor.getAxis());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult ArgmaxOp::verify() {
  return checkResultType(
      *this, argmaxType(reporter(*this), getInput().getType(), getAxis()),
      "i64 indices, the input with axis " + std::to_string(getAxis()) + " dropped");
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type>& inferred) {
  if (!adaptor.getKAttr()) return reporter<TopKOp>(loc)("needs a 'k' attribute");
  auto type = topKType(reporter<TopKOp>(loc), adaptor.getInput().getType(), adaptor.getK());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  inferred.push_back(type->clone(IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult TopKOp::verify() {
  auto type = topKType(reporter(*this), getInput().getType(), getK());
  if (failed(type)) return failure();
  Type values = type->clone(type->getElementType()),
       indices = type->clone(IntegerType::get(getContext(), 64));
  if (getValues().getType() != values)
    return emitOpError() << "values type " << getValues().getType() << " should be " << values
                         << " (the input's element type, the last axis of size k)";
  if (getIndices().getType() != indices)
    return emitOpError() << "indices type " << getIndices().getType() << " should be " << indices
                         << " (i64, the last axis of size k)";
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& inferred) {
  auto type =
      matmulType(reporter<MatmulOp>(loc), adaptor.getLhs().getType(), adaptor.getRhs().getType());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult MatmulOp::verify() {
  return checkResultType(*this, matmulType(reporter(*this), getLhs().getType(), getRhs().getType()),
                         "[B..., M, K] x [B..., K, N] -> [B..., M, N]");
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "cannot change the element type: " << in << " to " << out
                         << " (use kiln.cast)";
  std::optional<int64_t> n = elementCount(in.getShape()), m = elementCount(out.getShape());
  if (!n || !m)
    return emitOpError() << "element count of " << in << " or " << out << " overflows int64";
  if (*n != *m)
    return emitOpError() << "cannot reshape " << in << " (" << *n << " elements) to " << out << " ("
                         << *m << " elements)";
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type>& inferred) {
  if (!adaptor.getPermutationAttr())
    return reporter<TransposeOp>(loc)("needs a 'permutation' attribute");
  auto type = transposedType(reporter<TransposeOp>(loc), adaptor.getInput().getType(),
                             adaptor.getPermutation());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult TransposeOp::verify() {
  return checkResultType(*this,
                         transposedType(reporter(*this), getInput().getType(), getPermutation()),
                         "result.shape[i] = input.shape[permutation[i]]");
}

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "cannot change the element type: " << in << " to " << out;
  int64_t offset = out.getRank() - in.getRank();
  if (offset < 0)
    return emitOpError() << "cannot broadcast " << in << " to " << out << ": rank " << in.getRank()
                         << " > rank " << out.getRank();
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t from = in.getDimSize(d), to = out.getDimSize(d + offset);
    if (from != 1 && from != to)
      return emitOpError() << "cannot broadcast " << in << " to " << out << ": dimension " << d
                           << " of the input has size " << from << " but must be 1 or " << to
                           << " (dimension " << d + offset << " of the result)";
  }
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& inferred) {
  if (!adaptor.getAxisAttr()) return reporter<ConcatOp>(loc)("needs an 'axis' attribute");
  auto type =
      concatType(reporter<ConcatOp>(loc), adaptor.getInputs().getTypes(), adaptor.getAxis());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult ConcatOp::verify() {
  return checkResultType(*this, concatType(reporter(*this), getInputs().getTypes(), getAxis()),
                         "the inputs joined along axis " + std::to_string(getAxis()));
}

LogicalResult SliceOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  ArrayRef<int64_t> start = getStart();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "cannot change the element type: " << in << " to " << out;
  if (out.getRank() != in.getRank())
    return emitOpError() << "result " << out << " must have the input's rank " << in.getRank();
  if (static_cast<int64_t>(start.size()) != in.getRank())
    return emitOpError() << "start " << str(start) << " has " << start.size()
                         << " entries but the input " << in << " has rank " << in.getRank();
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t end;
    if (start[d] < 0 || llvm::AddOverflow(start[d], out.getDimSize(d), end) ||
        end > in.getDimSize(d))
      return emitOpError() << "slice of " << out << " at start " << str(start)
                           << " is out of bounds of " << in << " in dimension " << d;
  }
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type>& inferred) {
  if (!adaptor.getLowAttr() || !adaptor.getHighAttr())
    return reporter<PadOp>(loc)("needs 'low' and 'high' attributes");
  auto type = paddedType(reporter<PadOp>(loc), adaptor.getInput().getType(), adaptor.getLow(),
                         adaptor.getHigh());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult PadOp::verify() {
  return checkResultType(*this,
                         paddedType(reporter(*this), getInput().getType(), getLow(), getHigh()),
                         "the input's shape plus low and high");
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& inferred) {
  auto type = gatherType(reporter<GatherOp>(loc), adaptor.getParams().getType(),
                         adaptor.getIndices().getType());
  if (failed(type)) return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult GatherOp::verify() {
  return checkResultType(*this,
                         gatherType(reporter(*this), getParams().getType(), getIndices().getType()),
                         "indices.shape ++ params.shape[1:]");
}

Speculation::Speculatability GatherOp::getSpeculatability() {
  Attribute indices;
  if (matchPattern(getIndices(), m_Constant(&indices)) &&
      indicesInRange(indices, getParams().getType().getDimSize(0)))
    return Speculation::Speculatable;
  return Speculation::NotSpeculatable;
}

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext*, std::optional<Location>, Adaptor adaptor,
                                             SmallVectorImpl<Type>& inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ScatterAddOp::verify() {
  RankedTensorType input = getInput().getType(), updates = getUpdates().getType();
  if (input.getRank() < 1) return emitOpError() << "input must have rank >= 1, got " << input;
  auto expected = gatherType(reporter(*this), input, getIndices().getType());
  if (failed(expected)) return failure();
  if (updates != *expected)
    return emitOpError() << "updates " << updates << " should be " << *expected
                         << " (indices.shape ++ input.shape[1:])";
  return success();
}

Speculation::Speculatability ScatterAddOp::getSpeculatability() {
  Attribute indices;
  if (matchPattern(getIndices(), m_Constant(&indices)) &&
      indicesInRange(indices, getInput().getType().getDimSize(0)))
    return Speculation::Speculatable;
  return Speculation::NotSpeculatable;
}

LogicalResult IotaOp::verify() {
  int64_t rank = getType().getRank();
  if (getDimension() < 0 || getDimension() >= rank)
    return emitOpError() << "dimension " << getDimension() << " is out of range [0, " << rank
                         << ") for " << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

LogicalResult RandomUniformOp::verify() {
  double lo = getMinval().convertToDouble(), hi = getMaxval().convertToDouble();
  if (!(lo < hi)) return emitOpError() << "needs minval < maxval, got [" << lo << ", " << hi << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

LogicalResult LoopOp::inferReturnTypes(MLIRContext*, std::optional<Location>, Adaptor adaptor,
                                       SmallVectorImpl<Type>& inferred) {
  llvm::append_range(inferred, adaptor.getInitArgs().getTypes());
  return success();
}

// Checked here rather than in a region verifier so that these messages come
// before the generic control-flow-edge checks of RegionBranchOpInterface.
LogicalResult LoopOp::verify() {
  if (getLowerBound() > getUpperBound())
    return emitOpError() << "lower bound " << getLowerBound() << " is greater than upper bound "
                         << getUpperBound();
  Block& body = getBody().front();
  size_t carried = getInitArgs().size();
  if (body.getNumArguments() != carried + 1)
    return emitOpError() << "body has " << body.getNumArguments() << " block arguments but needs "
                         << carried + 1 << " (the induction variable and one per iter_arg)";
  auto i64Scalar = RankedTensorType::get({}, IntegerType::get(getContext(), 64));
  if (getInductionVar().getType() != i64Scalar)
    return emitOpError() << "induction variable has type " << getInductionVar().getType()
                         << ", expected " << i64Scalar;
  for (size_t i = 0; i < carried; ++i) {
    Type init = getInitArgs()[i].getType();
    if (getRegionIterArgs()[i].getType() != init)
      return emitOpError() << "iter_arg #" << i << " has type " << getRegionIterArgs()[i].getType()
                           << " but its initial value has type " << init;
    if (getResult(i).getType() != init)
      return emitOpError() << "result #" << i << " has type " << getResult(i).getType()
                           << " but iter_arg #" << i << " has type " << init;
  }
  if (body.empty()) return success();  // the region verifier reports the missing terminator
  auto yield = dyn_cast<YieldOp>(body.back());
  if (!yield) return success();
  if (yield.getValues().size() != carried)
    return yield.emitOpError() << "yields " << yield.getValues().size()
                               << " values but the loop carries " << carried;
  for (size_t i = 0; i < carried; ++i)
    if (yield.getValues()[i].getType() != getInitArgs()[i].getType())
      return yield.emitOpError() << "value #" << i << " has type " << yield.getValues()[i].getType()
                                 << " but iter_arg #" << i << " has type "
                                 << getInitArgs()[i].getType();
  return success();
}

void LoopOp::getSuccessorRegions(RegionBranchPoint point,
                                 SmallVectorImpl<RegionSuccessor>& regions) {
  // Entering: the body when it runs at least once, else straight to the results.
  // From the body: another iteration or the results.
  if (!point.isParent() || getTripCount() > 0)
    regions.push_back(RegionSuccessor(&getBody(), getRegionIterArgs()));
  if (!point.isParent() || getTripCount() == 0) regions.push_back(RegionSuccessor(getResults()));
}

OperandRange LoopOp::getEntrySuccessorOperands(RegionBranchPoint) { return getInitArgs(); }

// kiln.loop (%i) = 0 to 10 [iter_args(%a = %x, ...) -> (types)] { body } [attr-dict]
ParseResult LoopOp::parse(OpAsmParser& parser, OperationState& result) {
  MLIRContext* context = parser.getContext();
  SmallVector<OpAsmParser::Argument> regionArgs(1);
  int64_t lower = 0, upper = 0;
  if (parser.parseLParen() || parser.parseArgument(regionArgs[0]) || parser.parseRParen() ||
      parser.parseEqual() || parser.parseInteger(lower) || parser.parseKeyword("to") ||
      parser.parseInteger(upper))
    return failure();
  regionArgs[0].type = RankedTensorType::get({}, IntegerType::get(context, 64));

  SmallVector<OpAsmParser::UnresolvedOperand> inits;
  SmallVector<Type> types;
  SMLoc initsLoc = parser.getCurrentLocation();
  if (succeeded(parser.parseOptionalKeyword("iter_args"))) {
    if (parser.parseAssignmentList(regionArgs, inits) || parser.parseArrowTypeList(types))
      return failure();
    if (types.size() != inits.size())
      return parser.emitError(initsLoc)
             << "iter_args has " << inits.size() << " values but " << types.size() << " types";
    for (auto [arg, type] : llvm::zip(llvm::drop_begin(regionArgs), types)) arg.type = type;
    if (parser.resolveOperands(inits, types, initsLoc, result.operands)) return failure();
  }
  result.addTypes(types);
  result.addAttribute(getLowerBoundAttrName(result.name),
                      IntegerAttr::get(IntegerType::get(context, 64), lower));
  result.addAttribute(getUpperBoundAttrName(result.name),
                      IntegerAttr::get(IntegerType::get(context, 64), upper));
  if (parser.parseRegion(*result.addRegion(), regionArgs) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  return success();
}

void LoopOp::print(OpAsmPrinter& p) {
  p << " (" << getInductionVar() << ") = " << getLowerBound() << " to " << getUpperBound();
  if (!getInitArgs().empty()) {
    p << " iter_args(";
    llvm::interleaveComma(llvm::zip(getRegionIterArgs(), getInitArgs()), p,
                          [&](auto pair) { p << std::get<0>(pair) << " = " << std::get<1>(pair); });
    p << ") -> (";
    llvm::interleaveComma(getResultTypes(), p);
    p << ")";
  }
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false, /*printBlockTerminators=*/true);
  p.printOptionalAttrDict((*this)->getAttrs(),
                          /*elidedAttrs=*/{getLowerBoundAttrName(), getUpperBoundAttrName()});
}

}  // namespace mlir::kiln

#define GET_OP_CLASSES
#include "dialects/kiln/IR/KilnOps.cpp.inc"
