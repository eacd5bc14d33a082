// Folding of kiln ops. Constant operands are converted to front-end tensors and
// run through the front end's reference kernels (frontend/kiln/kernels/), so an
// op's semantics live in one place and eager results, folded constants and
// compiled code agree bit for bit. The folders also remove trivial identities
// (reshape to the same type, x + 0 on integers, select on a constant condition...).
//
// A fold never changes behaviour: integer division by zero and out-of-range
// gather/scatter indices are left for the run-time error at the op's location,
// and results larger than kMaxFoldedElements are not materialized.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <vector>

#include "dialects/kiln/IR/KilnOps.h"
#include "kiln/kernels/elementwise.h"
#include "kiln/kernels/layout.h"
#include "kiln/kernels/matmul.h"
#include "kiln/kernels/reduce.h"
#include "kiln/random.h"
#include "kiln/tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::kiln {
namespace {

namespace fe = ::kiln;  // the eager front end
namespace kernels = ::kiln::kernels;
using kernels::Binary;
using kernels::Unary;

// Folding materializes constants in the module: past this many elements the op
// is left alone (a splat result is cheap at any size). It also bounds the memory
// a hostile input can make the folder allocate.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 20;

std::optional<fe::DType> dtypeOf(Type elementType) {
  if (elementType.isF32()) return fe::f32;
  if (elementType.isF64()) return fe::f64;
  if (elementType.isSignlessInteger(32)) return fe::i32;
  if (elementType.isSignlessInteger(64)) return fe::i64;
  if (elementType.isSignlessInteger(1)) return fe::boolean;
  return std::nullopt;
}

// Whether a tensor of this type may be materialized by a fold.
bool foldable(ShapedType type) {
  if (!type.hasStaticShape() || type.getRank() > fe::kMaxRank) return false;
  int64_t n = 1;
  for (int64_t d : type.getShape())
    if (llvm::MulOverflow(n, d, n)) return false;
  return n <= kMaxFoldedElements;
}

fe::Shape shapeOf(ArrayRef<int64_t> dims) {
  return fe::Shape(std::span<const int64_t>(dims.data(), dims.size()));
}

// The elements of a dense constant as a front-end tensor; `scalar` takes only
// the first element (for splats), as a rank-0 tensor.
std::optional<fe::Tensor> toTensor(Attribute attr, bool scalar = false) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense) return std::nullopt;
  ShapedType type = dense.getType();
  std::optional<fe::DType> dtype = dtypeOf(type.getElementType());
  if (!dtype || (!scalar && !foldable(type)) || (scalar && !dense.isSplat())) return std::nullopt;
  fe::Tensor t = fe::Tensor::empty(scalar ? fe::Shape{} : shapeOf(type.getShape()), *dtype);
  fe::visit_dtype(*dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(t.raw());
    if (scalar) {
      *out = dense.getSplatValue<T>();
      return;
    }
    int64_t i = 0;
    for (T v : dense.getValues<T>()) out[i++] = v;
  });
  return t;
}

// A dense attribute of `type` holding t's elements (one element makes a splat).
DenseElementsAttr toAttr(const fe::Tensor& t, ShapedType type) {
  auto n = static_cast<size_t>(t.numel());
  return fe::visit_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    return DenseElementsAttr::get(type, ArrayRef<T>(static_cast<const T*>(t.raw()), n));
  });
}

// Runs a fold that calls front-end code. The kernels expect validated inputs
// and never throw, but allocation and the front end's own checks may: any
// exception means "do not fold".
template <class F>
OpFoldResult guarded(F&& fold) {
  try {
    return fold();
  } catch (const std::exception&) {
    return {};
  }
}

// Folds an elementwise op whose operands are all constants by running `kernel`
// on them. When every operand is a splat, the kernel runs on one element and
// the result is a splat of any size.
template <class Kernel>
OpFoldResult foldElementwise(ArrayRef<Attribute> operands, ShapedType resultType, Kernel&& kernel) {
  auto splat = [](Attribute a) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(a);
    return dense && dense.isSplat();
  };
  bool allSplat = llvm::all_of(operands, splat);
  if (!allSplat && !foldable(resultType)) return {};
  return guarded([&]() -> OpFoldResult {
    std::vector<fe::Tensor> inputs;
    for (Attribute a : operands) {
      std::optional<fe::Tensor> t = toTensor(a, allSplat);
      if (!t) return {};
      inputs.push_back(*t);
    }
    fe::Shape shape = allSplat ? fe::Shape{} : shapeOf(resultType.getShape());
    return toAttr(kernel(inputs, shape), resultType);
  });
}

OpFoldResult foldUnary(Attribute input, ShapedType type, Unary op) {
  return foldElementwise({input}, type, [&](const std::vector<fe::Tensor>& xs, const fe::Shape&) {
    return kernels::unary(op, xs[0]);
  });
}

OpFoldResult foldBinary(Attribute lhs, Attribute rhs, ShapedType type, Binary op) {
  return foldElementwise({lhs, rhs}, type,
                         [&](const std::vector<fe::Tensor>& xs, const fe::Shape& shape) {
                           return kernels::binary(op, xs[0], xs[1], shape);
                         });
}

// Folds an op with a single result computed by `compute` from front-end
// tensors of its constant operands (all must be constant).
template <class Compute>
OpFoldResult foldWithKernel(ArrayRef<Attribute> operands, ShapedType resultType,
                            Compute&& compute) {
  if (!foldable(resultType)) return {};
  return guarded([&]() -> OpFoldResult {
    std::vector<fe::Tensor> inputs;
    for (Attribute a : operands) {
      std::optional<fe::Tensor> t = toTensor(a);
      if (!t) return {};
      inputs.push_back(*t);
    }
    return toAttr(compute(inputs), resultType);
  });
}

// A data-movement op of a splat is the same splat in the result's shape.
OpFoldResult foldSplatMove(Attribute input, ShapedType resultType) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(input);
  if (dense && dense.isSplat()) return dense.resizeSplat(resultType);
  return {};
}

bool isSplatOf(Attribute attr, int64_t value) {
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  return dense && dense.isSplat() && dense.getSplatValue<APInt>().getSExtValue() == value;
}

std::vector<int64_t> vec(ArrayRef<int64_t> a) { return {a.begin(), a.end()}; }

// The front end's integer matmul and scatter-add kernels accumulate with plain
// signed arithmetic, where an overflow is undefined behaviour; they are run only
// when `bound`, the largest magnitude any partial sum can reach, fits in the
// element type with a factor-of-two margin (bounds are computed in double).
bool sumsFit(double bound, Type elementType) {
  return bound < std::ldexp(1.0, static_cast<int>(elementType.getIntOrFloatBitWidth()) - 2);
}

// The largest |element| of a small integer constant, or nothing.
std::optional<double> maxMagnitude(Attribute attr) {
  auto values = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!values || !foldable(values.getType())) return std::nullopt;
  double m = 0;
  for (const APInt& v : values.getValues<APInt>())
    m = std::max(m, std::fabs(static_cast<double>(v.getSExtValue())));
  return m;
}

}  // namespace

//===----------------------------------------------------------------------===//
// Constants and elementwise ops
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>()) return inner.getInput();
  return foldUnary(adaptor.getInput(), getType(), Unary::neg);
}

#define KILN_FOLD_UNARY(Op, kernel)                                 \
  OpFoldResult Op::fold(FoldAdaptor adaptor) {                      \
    return foldUnary(adaptor.getInput(), getType(), Unary::kernel); \
  }
KILN_FOLD_UNARY(AbsOp, abs)
KILN_FOLD_UNARY(SignOp, sign)
KILN_FOLD_UNARY(SquareOp, square)
KILN_FOLD_UNARY(ReluOp, relu)
KILN_FOLD_UNARY(ExpOp, exp)
KILN_FOLD_UNARY(LogOp, log)
KILN_FOLD_UNARY(Log1pOp, log1p)
KILN_FOLD_UNARY(Expm1Op, expm1)
KILN_FOLD_UNARY(SqrtOp, sqrt)
KILN_FOLD_UNARY(RsqrtOp, rsqrt)
KILN_FOLD_UNARY(TanhOp, tanh)
KILN_FOLD_UNARY(SigmoidOp, sigmoid)
KILN_FOLD_UNARY(SoftplusOp, softplus)
KILN_FOLD_UNARY(FloorOp, floor)
KILN_FOLD_UNARY(NotOp, logical_not)
#undef KILN_FOLD_UNARY

// x + 0 and x * 1 fold to x for integers only: for floats, -0.0 + 0.0 is +0.0
// (not x), and x * 1.0 quiets a signalling NaN, so the rewrite would not be
// bit-exact with the eager kernel. Add and mul are commutative, so the
// canonicalizer has already moved a constant operand to the right.
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getType().getElementType()) && isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), Binary::add);
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getType().getElementType()) && isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), Binary::mul);
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isa<IntegerType>(getType().getElementType())) {
    // A zero divisor is a run-time error in compiled code: never fold it away.
    auto divisor = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getRhs());
    if (!divisor ||
        llvm::any_of(divisor.getValues<APInt>(), [](const APInt& v) { return v.isZero(); }))
      return {};
  }
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), Binary::div);
}

#define KILN_FOLD_BINARY(Op, kernel)                                                  \
  OpFoldResult Op::fold(FoldAdaptor adaptor) {                                        \
    return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(), Binary::kernel); \
  }
KILN_FOLD_BINARY(SubOp, sub)
KILN_FOLD_BINARY(PowOp, pow)
KILN_FOLD_BINARY(MaxOp, maximum)
KILN_FOLD_BINARY(MinOp, minimum)
KILN_FOLD_BINARY(AndOp, logical_and)
KILN_FOLD_BINARY(OrOp, logical_or)
#undef KILN_FOLD_BINARY

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  static constexpr Binary kernelOf[] = {Binary::equal,   Binary::not_equal,
                                        Binary::less,    Binary::less_equal,
                                        Binary::greater, Binary::greater_equal};
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                    kernelOf[static_cast<int>(getPredicate())]);
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getTrueValue() == getFalseValue()) return getTrueValue();
  auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
  if (cond && cond.isSplat()) return cond.getSplatValue<bool>() ? getTrueValue() : getFalseValue();
  return foldElementwise({adaptor.getCondition(), adaptor.getTrueValue(), adaptor.getFalseValue()},
                         getType(), [](const std::vector<fe::Tensor>& xs, const fe::Shape& shape) {
                           return kernels::select(xs[0], xs[1], xs[2], shape);
                         });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();
  std::optional<fe::DType> to = dtypeOf(getType().getElementType());
  if (!to) return {};
  return foldElementwise({adaptor.getInput()}, getType(),
                         [&](const std::vector<fe::Tensor>& xs, const fe::Shape&) {
                           return kernels::cast(xs[0], *to);
                         });
}

//===----------------------------------------------------------------------===//
// Reductions and matmul
//===----------------------------------------------------------------------===//

namespace {
OpFoldResult foldReduce(Operation* op, Attribute input, ArrayRef<int64_t> axes,
                        kernels::Reduce kind) {
  auto inputType = cast<RankedTensorType>(op->getOperand(0).getType());
  if (axes.empty()) return op->getOperand(0);
  std::vector<bool> reduced(inputType.getRank(), false);
  for (int64_t a : axes) reduced[a] = true;
  // The kernel keeps reduced axes as size 1; the elements are those of the result.
  return foldWithKernel(
      {input}, cast<ShapedType>(op->getResult(0).getType()),
      [&](const std::vector<fe::Tensor>& xs) { return kernels::reduce(kind, xs[0], reduced); });
}
}  // namespace

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), kernels::Reduce::sum);
}
OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), kernels::Reduce::max);
}
OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldReduce(*this, adaptor.getInput(), getAxes(), kernels::Reduce::min);
}

OpFoldResult ArgmaxOp::fold(FoldAdaptor adaptor) {
  auto axis = static_cast<int>(getAxis());
  return foldWithKernel({adaptor.getInput()}, getType(), [&](const std::vector<fe::Tensor>& xs) {
    return kernels::argmax(xs[0], axis);
  });
}

// Both results at once: the kernel selects values and indices together.
LogicalResult TopKOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult>& results) {
  RankedTensorType valuesType = getValues().getType(), indicesType = getIndices().getType();
  if (!foldable(valuesType)) return failure();
  int64_t k = getK();
  OpFoldResult values, indices;
  guarded([&]() -> OpFoldResult {
    std::optional<fe::Tensor> x = toTensor(adaptor.getInput());
    if (!x) return {};
    kernels::TopK r = kernels::top_k(*x, k);
    values = toAttr(r.values, valuesType);
    indices = toAttr(r.indices, indicesType);
    return values;
  });
  if (!values || !indices) return failure();
  results.push_back(values);
  results.push_back(indices);
  return success();
}

OpFoldResult MatmulOp::fold(FoldAdaptor adaptor) {
  Type elementType = getType().getElementType();
  if (isa<IntegerType>(elementType)) {
    std::optional<double> a = maxMagnitude(adaptor.getLhs()), b = maxMagnitude(adaptor.getRhs());
    auto k = static_cast<double>(getLhs().getType().getShape().back());
    if (!a || !b || !sumsFit(*a * *b * k, elementType)) return {};
  }
  fe::Shape shape = shapeOf(getType().getShape());
  return foldWithKernel(
      {adaptor.getLhs(), adaptor.getRhs()}, getType(),
      [&](const std::vector<fe::Tensor>& xs) { return kernels::matmul(xs[0], xs[1], shape); });
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();
  // Row-major elements are unchanged: only the type of the constant changes.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPermutation(), llvm::seq<int64_t>(0, getType().getRank()))) return getInput();
  if (OpFoldResult splat = foldSplatMove(adaptor.getInput(), getType())) return splat;
  std::vector<int> perm(getPermutation().begin(), getPermutation().end());
  return foldWithKernel({adaptor.getInput()}, getType(), [&](const std::vector<fe::Tensor>& xs) {
    return kernels::transpose(xs[0], perm);
  });
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();
  if (OpFoldResult splat = foldSplatMove(adaptor.getInput(), getType())) return splat;
  fe::Shape shape = shapeOf(getType().getShape());
  return foldWithKernel({adaptor.getInput()}, getType(), [&](const std::vector<fe::Tensor>& xs) {
    return kernels::broadcast(xs[0], shape);
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1) return getInputs()[0];
  fe::Shape shape = shapeOf(getType().getShape());
  auto axis = static_cast<int>(getAxis());
  return foldWithKernel(adaptor.getInputs(), getType(), [&](const std::vector<fe::Tensor>& xs) {
    return kernels::concat(xs, axis, shape);
  });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();  // start is all zeros
  if (OpFoldResult splat = foldSplatMove(adaptor.getInput(), getType())) return splat;
  fe::Shape shape = shapeOf(getType().getShape());
  return foldWithKernel({adaptor.getInput()}, getType(), [&](const std::vector<fe::Tensor>& xs) {
    return kernels::slice(xs[0], vec(getStart()), shape);
  });
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType()) return getInput();  // no padding
  ArrayRef<int64_t> low = getLow(), high = getHigh();
  // Zero padding is a concatenation with zero blocks, one axis at a time.
  return foldWithKernel({adaptor.getInput()}, getType(), [&](const std::vector<fe::Tensor>& xs) {
    fe::Tensor t = xs[0];
    for (int d = 0; d < t.rank(); ++d) {
      if (low[d] == 0 && high[d] == 0) continue;
      auto zeros = [&](int64_t size) {
        fe::Shape s = t.shape();
        s[d] = size;
        fe::Tensor z = fe::Tensor::empty(s, t.dtype());
        if (z.nbytes()) std::memset(z.raw(), 0, z.nbytes());
        return z;
      };
      fe::Shape out = t.shape();
      out[d] += low[d] + high[d];
      t = kernels::concat({zeros(low[d]), t, zeros(high[d])}, d, out);
    }
    return t;
  });
}

//===----------------------------------------------------------------------===//
// Indexing, iota, random numbers
//===----------------------------------------------------------------------===//

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  // Out-of-range indices stay for the run-time error at this op's location.
  if (!indicesInRange(adaptor.getIndices(), getParams().getType().getDimSize(0))) return {};
  return foldWithKernel(
      {adaptor.getParams(), adaptor.getIndices()}, getType(),
      [](const std::vector<fe::Tensor>& xs) { return kernels::gather(xs[0], xs[1]); });
}

OpFoldResult ScatterAddOp::fold(FoldAdaptor adaptor) {
  if (!indicesInRange(adaptor.getIndices(), getInput().getType().getDimSize(0))) return {};
  Type elementType = getType().getElementType();
  if (isa<IntegerType>(elementType)) {
    std::optional<double> x = maxMagnitude(adaptor.getInput()),
                          u = maxMagnitude(adaptor.getUpdates());
    auto n = static_cast<double>(getIndices().getType().getNumElements());
    if (!x || !u || !sumsFit(*x + n * *u, elementType)) return {};
  }
  return foldWithKernel(
      {adaptor.getInput(), adaptor.getIndices(), adaptor.getUpdates()}, getType(),
      [](const std::vector<fe::Tensor>& xs) { return kernels::scatter_add(xs[0], xs[1], xs[2]); });
}

OpFoldResult IotaOp::fold(FoldAdaptor) {
  RankedTensorType type = getType();
  std::optional<fe::DType> dtype = dtypeOf(type.getElementType());
  if (!dtype || !foldable(type)) return {};
  return guarded([&]() -> OpFoldResult {
    // 0, 1, ..., n-1 along the dimension, broadcast over the others.
    auto d = static_cast<int>(getDimension());
    int64_t n = type.getDimSize(d);
    fe::Tensor line = fe::Tensor::empty(fe::Shape{n}, *dtype);
    fe::visit_dtype(*dtype, [&](auto tag) {
      using T = decltype(tag);
      for (int64_t i = 0; i < n; ++i) static_cast<T*>(line.raw())[i] = static_cast<T>(i);
    });
    std::vector<int64_t> dims(type.getRank(), 1);
    dims[d] = n;
    fe::Tensor column = fe::Tensor::alias(line, fe::Shape(dims));
    return toAttr(kernels::broadcast(column, shapeOf(type.getShape())), type);
  });
}

namespace {
// Folds a random op with a constant generator state by drawing with the front
// end's generator: `draw(gen)` returns the sample and advances gen's offset.
template <class Draw>
LogicalResult foldRandom(Operation* op, Attribute state, SmallVectorImpl<OpFoldResult>& results,
                         Draw&& draw) {
  auto valueType = cast<RankedTensorType>(op->getResult(0).getType());
  auto stateAttr = dyn_cast_or_null<DenseIntElementsAttr>(state);
  std::optional<fe::DType> dtype = dtypeOf(valueType.getElementType());
  if (!stateAttr || !dtype || !foldable(valueType)) return failure();
  auto words = llvm::to_vector(stateAttr.getValues<int64_t>());
  OpFoldResult value = guarded([&]() -> OpFoldResult {
    fe::Generator gen(static_cast<uint64_t>(words[0]), static_cast<uint64_t>(words[1]));
    fe::Tensor sample = draw(shapeOf(valueType.getShape()), gen, *dtype);
    words[1] = static_cast<int64_t>(gen.offset());
    return toAttr(sample, valueType);
  });
  if (!value) return failure();
  results.push_back(value);
  results.push_back(
      DenseElementsAttr::get(cast<ShapedType>(stateAttr.getType()), ArrayRef<int64_t>(words)));
  return success();
}
}  // namespace

LogicalResult RandomUniformOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult>& results) {
  double lo = getMinval().convertToDouble(), hi = getMaxval().convertToDouble();
  // Integer draws convert the bounds to int64 and subtract them: keep both well
  // inside int64 so that the front end's arithmetic is defined.
  if (isa<IntegerType>(getValue().getType().getElementType()) &&
      !(std::fabs(lo) <= 0x1p53 && std::fabs(hi) <= 0x1p53))
    return failure();
  return foldRandom(*this, adaptor.getState(), results,
                    [&](const fe::Shape& shape, fe::Generator& gen, fe::DType dtype) {
                      return fe::random_uniform(shape, gen, lo, hi, dtype);
                    });
}

LogicalResult RandomNormalOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult>& results) {
  double mean = getMean().convertToDouble(), stddev = getStddev().convertToDouble();
  return foldRandom(*this, adaptor.getState(), results,
                    [&](const fe::Shape& shape, fe::Generator& gen, fe::DType dtype) {
                      return fe::random_normal(shape, gen, mean, stddev, dtype);
                    });
}

LogicalResult TruncatedNormalOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult>& results) {
  double mean = getMean().convertToDouble(), stddev = getStddev().convertToDouble();
  return foldRandom(*this, adaptor.getState(), results,
                    [&](const fe::Shape& shape, fe::Generator& gen, fe::DType dtype) {
                      return fe::truncated_normal(shape, gen, mean, stddev, dtype);
                    });
}

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

// A loop that runs zero times yields its initial values. (One without results
// is left to dead-code elimination: folding it "in place" would never stop.)
LogicalResult LoopOp::fold(FoldAdaptor, SmallVectorImpl<OpFoldResult>& results) {
  if (getTripCount() != 0 || getNumResults() == 0) return failure();
  llvm::append_range(results, getInitArgs());
  return success();
}

}  // namespace mlir::kiln
