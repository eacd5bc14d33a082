// The ops of the `kiln` dialect. Each op states its semantics once, here; the
// folders (KilnFolding.cpp) run the front end's reference kernels with exactly
// these semantics, and the verifiers (KilnOps.cpp) enforce the shape rules.
#ifndef KILN_DIALECT_KILN_OPS_TD
#define KILN_DIALECT_KILN_OPS_TD

include "dialects/kiln/IR/KilnBase.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant", [
    ConstantLike, Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "a tensor constant";
  let description = [{
    A tensor whose elements are given by the `value` attribute (usually a
    `dense<...>` literal). The result type is the attribute's type.

    Example:

    ```mlir
    %c = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %b = kiln.constant dense<true> : tensor<3xi1>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops: operand and result have one type.
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, Type type, string formula, string details,
                   string exampleType, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor], traits)> {
  let summary = "elementwise " # formula;
  let description = [{
    Elementwise }] # formula # [{. }] # details # [{ The result has the
    operand's type.

    Example:

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x : }] # exampleType # "\n    ```\n  ";
  let arguments = (ins type:$input);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      inferred.push_back(adaptor.getInput().getType());
      return ::mlir::success();
    }
  }];
}

class Kiln_NumericUnaryOp<string mnemonic, string formula, string details = "">
    : Kiln_UnaryOp<mnemonic, Kiln_NumericTensor, formula, details, "tensor<4x3xi32>">;
class Kiln_FloatUnaryOp<string mnemonic, string formula, string details = "">
    : Kiln_UnaryOp<mnemonic, Kiln_FloatTensor, formula, details, "tensor<4x3xf32>">;

def Kiln_NegOp : Kiln_NumericUnaryOp<"neg", "`-x`",
    "Integers wrap around: `-INT_MIN` is `INT_MIN`.">;
def Kiln_AbsOp : Kiln_NumericUnaryOp<"abs", "`|x|`",
    "Integers wrap around: `|INT_MIN|` is `INT_MIN`.">;
def Kiln_SignOp : Kiln_NumericUnaryOp<"sign", "`sign(x)`",
    "-1, 0 or 1; 0 for -0.0 and for NaN.">;
def Kiln_SquareOp : Kiln_NumericUnaryOp<"square", "`x * x`",
    "Integers wrap around.">;
def Kiln_ReluOp : Kiln_NumericUnaryOp<"relu", "`max(x, 0)`", "NaN gives 0.">;

def Kiln_ExpOp : Kiln_FloatUnaryOp<"exp", "`e^x`">;
def Kiln_LogOp : Kiln_FloatUnaryOp<"log", "`log(x)`", "The natural logarithm.">;
def Kiln_Log1pOp : Kiln_FloatUnaryOp<"log1p", "`log(1 + x)`", "Accurate near 0.">;
def Kiln_Expm1Op : Kiln_FloatUnaryOp<"expm1", "`e^x - 1`", "Accurate near 0.">;
def Kiln_SqrtOp : Kiln_FloatUnaryOp<"sqrt", "`sqrt(x)`">;
def Kiln_RsqrtOp : Kiln_FloatUnaryOp<"rsqrt", "`1 / sqrt(x)`">;
def Kiln_TanhOp : Kiln_FloatUnaryOp<"tanh", "`tanh(x)`">;
def Kiln_SigmoidOp : Kiln_FloatUnaryOp<"sigmoid", "`1 / (1 + e^-x)`",
    "Evaluated as `e^x / (1 + e^x)` for negative x, so that neither tail "
    "overflows.">;
def Kiln_SoftplusOp : Kiln_FloatUnaryOp<"softplus", "`log(1 + e^x)`",
    "Evaluated as `max(x, 0) + log1p(e^-|x|)`.">;
def Kiln_FloorOp : Kiln_FloatUnaryOp<"floor", "`floor(x)`">;

def Kiln_NotOp : Kiln_UnaryOp<"not", Kiln_BoolTensor, "logical `!x`", "",
                              "tensor<4xi1>">;

//===----------------------------------------------------------------------===//
// Elementwise binary ops: both operands and the result have one type.
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, Type type, string formula, string details,
                    string exampleType, list<Trait> traits = [Pure]>
    : Kiln_Op<mnemonic, !listconcat([InferTypeOpAdaptor], traits)> {
  let summary = "elementwise " # formula;
  let description = [{
    Elementwise }] # formula # [{. }] # details # [{ Both operands and the
    result have one type: the dialect never broadcasts implicitly (the tracer
    inserts `kiln.broadcast_to`).

    Example:

    ```mlir
    %z = kiln.}] # mnemonic # [{ %x, %y : }] # exampleType # "\n    ```\n  ";
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` custom<SameType>(type($lhs), type($rhs))
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      inferred.push_back(adaptor.getLhs().getType());
      return ::mlir::success();
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::kiln::verifySameOperandTypes(getOperation());
    }
  }];
}

class Kiln_NumericBinaryOp<string mnemonic, string formula, string details,
                           list<Trait> traits = [Pure]>
    : Kiln_BinaryOp<mnemonic, Kiln_NumericTensor, formula, details,
                    "tensor<4x3xf32>", traits>;

def Kiln_AddOp : Kiln_NumericBinaryOp<"add", "`x + y`", "Integers wrap around.",
                                      [Pure, Commutative]>;
def Kiln_SubOp : Kiln_NumericBinaryOp<"sub", "`x - y`", "Integers wrap around.">;
def Kiln_MulOp : Kiln_NumericBinaryOp<"mul", "`x * y`", "Integers wrap around.",
                                      [Pure, Commutative]>;
def Kiln_DivOp : Kiln_NumericBinaryOp<"div", "`x / y`",
    "Integer division truncates toward zero, and `INT_MIN / -1` wraps to "
    "`INT_MIN`. Integer division by zero is a run-time error in compiled code, "
    "reported at this op's location; it is never folded and the op is not "
    "speculated unless the divisor is a constant without zeros.",
    [NoMemoryEffect, DeclareOpInterfaceMethods<ConditionallySpeculatable>]>;
def Kiln_PowOp : Kiln_NumericBinaryOp<"pow", "`x^y`",
    "For integers: repeated squaring with wrap-around; a negative exponent "
    "gives 0 unless `|x| = 1`.">;
def Kiln_MaxOp : Kiln_NumericBinaryOp<"max", "`max(x, y)`",
    "NaN if either is NaN.", [Pure, Commutative]>;
def Kiln_MinOp : Kiln_NumericBinaryOp<"min", "`min(x, y)`",
    "NaN if either is NaN.", [Pure, Commutative]>;

def Kiln_AndOp : Kiln_BinaryOp<"and", Kiln_BoolTensor, "logical `x && y`", "",
                               "tensor<4xi1>", [Pure, Commutative]>;
def Kiln_OrOp : Kiln_BinaryOp<"or", Kiln_BoolTensor, "logical `x || y`", "",
                              "tensor<4xi1>", [Pure, Commutative]>;

//===----------------------------------------------------------------------===//
// Comparison, selection, cast
//===----------------------------------------------------------------------===//

def Kiln_CompareOp : Kiln_Op<"compare", [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise comparison";
  let description = [{
    Compares two tensors of one type element by element with `predicate`
    (`eq`, `ne`, `lt`, `le`, `gt`, `ge`) and returns an `i1` tensor of the same
    shape. Floating-point comparisons are ordered (any comparison with NaN is
    false) except `ne`, which is true when either element is NaN, as in C++.

    Example:

    ```mlir
    %m = kiln.compare lt, %x, %y : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_ComparePredicateAttr:$predicate, Kiln_Tensor:$lhs,
                       Kiln_Tensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let assemblyFormat = [{
    custom<ComparePredicate>($predicate) `,` $lhs `,` $rhs attr-dict `:`
    custom<SameType>(type($lhs), type($rhs))
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_SelectOp : Kiln_Op<"select", [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise choice between two tensors";
  let description = [{
    `result[i] = condition[i] ? true_value[i] : false_value[i]`. The two values
    have one type; the condition is an `i1` tensor of their shape.

    Example:

    ```mlir
    %r = kiln.select %c, %x, %y : tensor<4xi1>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_Tensor:$true_value,
                       Kiln_Tensor:$false_value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:` type($condition)
    `,` custom<SameType>(type($true_value), type($false_value))
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts every element to the result's element type; the shape is kept.
    Float to integer truncates toward zero and saturates at the integer's range
    (NaN gives 0); a narrower integer keeps the low bits (wraps around);
    anything to `i1` is `x != 0`; `i1` to a number is 0 or 1; to a float rounds
    to nearest.

    Example:

    ```mlir
    %i = kiln.cast %x : tensor<4xf32> to tensor<4xi32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = what # " over the given axes";
  let description = [{
    Reduces `input` with }] # what # [{ over `axes` (sorted, unique, each in
    `[0, rank)`) and drops those axes from the shape; empty `axes` is the
    identity. Sums accumulate in the element type, in row-major order (integers
    wrap around); the maximum and minimum propagate NaN. The reduction of an
    empty axis is 0 for sums and -inf/+inf (or the integer's lowest/highest
    value) for max/min.

    Example:

    ```mlir
    %s = kiln.}] # mnemonic # [{ %x {axes = array<i64: 1>} : tensor<4x3xf32> -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "the sum">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "the maximum">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "the minimum">;

def Kiln_ArgmaxOp : Kiln_Op<"argmax", [Pure, InferTypeOpAdaptor]> {
  let summary = "index of the maximum along one axis";
  let description = [{
    The `i64` index of the largest element along `axis` (the first one on ties;
    a NaN counts as the largest), with `axis` dropped from the shape. The axis
    must not be empty.

    Example:

    ```mlir
    %i = kiln.argmax %x {axis = 1 : i64} : tensor<4x3xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_I64Attr:$axis);
  let results = (outs Kiln_I64Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_TopKOp : Kiln_Op<"top_k", [Pure, InferTypeOpAdaptor]> {
  let summary = "the k largest elements along the last axis, and their indices";
  let description = [{
    The `k` largest elements of each row along the last axis of `input` (rank
    >= 1), as `tf.math.top_k`: `values` has the input's element type and
    `indices` are `i64`, both with the last axis replaced by `k`, sorted by
    value descending. Equal values keep the lower index first; a NaN ranks
    above every number (as in `kiln.argmax`), and several NaNs keep their index
    order. `1 <= k <= ` the size of the last axis.

    Example:

    ```mlir
    %v, %i = kiln.top_k %x {k = 5 : i64} : tensor<8x100xf32> -> tensor<8x5xf32>, tensor<8x5xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_I64Attr:$k);
  let results = (outs Kiln_NumericTensor:$values, Kiln_I64Tensor:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($values) `,` type($indices)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "batched matrix product";
  let description = [{
    `[B..., M, K] x [B..., K, N] -> [B..., M, N]`: both operands have rank >= 2,
    the same element type and identical batch dimensions `B...` (the tracer
    broadcasts them first). Each output element accumulates over `k = 0..K-1`
    in order, in the element type.

    Example:

    ```mlir
    %c = kiln.matmul %a, %b : tensor<8x2x3xf32>, tensor<8x3x5xf32> -> tensor<8x2x5xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure]> {
  let summary = "same elements, new shape";
  let description = [{
    The elements of `input` in row-major order, viewed with the result's shape.
    The element type and the element count are kept.

    Example:

    ```mlir
    %y = kiln.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permutes the axes";
  let description = [{
    `result.shape[i] = input.shape[permutation[i]]`, and the element at index
    `j` of the result is the input's element at `j` permuted back.
    `permutation` is a permutation of `[0, rank)`.

    Example:

    ```mlir
    %t = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_BroadcastToOp : Kiln_Op<"broadcast_to", [Pure]> {
  let summary = "NumPy broadcast to the result's shape";
  let description = [{
    Repeats `input` along new leading axes and along its size-1 axes to reach
    the result's shape, by NumPy's rule: aligning shapes on the right, every
    input dimension is 1 or equal to the result's. The element type is kept.

    Example:

    ```mlir
    %b = kiln.broadcast_to %x : tensor<3x1xf32> to tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "joins tensors along one axis";
  let description = [{
    Concatenates one or more tensors of one element type and rank >= 1 along
    `axis`; all other dimensions must agree.

    Example:

    ```mlir
    %c = kiln.concat %a, %b {axis = 0 : i64} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<6x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, Kiln_I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_Op<"slice", [Pure]> {
  let summary = "a contiguous box of elements";
  let description = [{
    The box of `input` that starts at index `start` and has the result's shape:
    `result[i...] = input[start + i...]`. The box must lie inside `input`
    (`0 <= start[d]` and `start[d] + result.shape[d] <= input.shape[d]`).

    Example:

    ```mlir
    %s = kiln.slice %x {start = array<i64: 1, 0>} : tensor<4x3xf32> to tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$start);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "zero padding";
  let description = [{
    Surrounds `input` with `low[d]` zeros before and `high[d]` zeros after it
    along every axis `d` (all non-negative); `false` for `i1`.

    Example:

    ```mlir
    %p = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<3x5xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

def Kiln_GatherOp : Kiln_Op<"gather", [
    NoMemoryEffect, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<ConditionallySpeculatable>]> {
  let summary = "rows of a tensor at integer indices";
  let description = [{
    `result[i..., j...] = params[indices[i...], j...]`: the result's shape is
    `indices.shape ++ params.shape[1:]`. Every index must be in
    `[0, params.shape[0])`; in compiled code an index outside is a run-time
    error reported at this op's location, and such a gather is never folded.

    Example:

    ```mlir
    %rows = kiln.gather %embed, %ids : tensor<1000x64xf32>, tensor<32xi64> -> tensor<32x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$params, Kiln_IndexTensor:$indices);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $params `,` $indices attr-dict `:` type($params) `,` type($indices) `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ScatterAddOp : Kiln_Op<"scatter_add", [
    NoMemoryEffect, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<ConditionallySpeculatable>]> {
  let summary = "adds rows into a copy of a tensor at integer indices";
  let description = [{
    A copy of `input` with `input[indices[i...], j...] += updates[i..., j...]`
    applied for every index in row-major order (duplicates accumulate). The
    updates' shape is `indices.shape ++ input.shape[1:]`. As for `kiln.gather`,
    an index outside `[0, input.shape[0])` is a run-time error at this op's
    location and is never folded.

    Example:

    ```mlir
    %g = kiln.scatter_add %zeros, %ids, %rows : tensor<1000x64xf32>, tensor<32xi64>, tensor<32x64xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_IndexTensor:$indices,
                       Kiln_NumericTensor:$updates);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` type($input) `,`
    type($indices) `,` type($updates)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_IotaOp : Kiln_Op<"iota", [Pure]> {
  let summary = "the index along one axis";
  let description = [{
    A tensor whose every element is its own index along `dimension`,
    converted to the element type.

    Example:

    ```mlir
    %i = kiln.iota {dimension = 1 : i64} : tensor<2x3xi64>
    // [[0, 1, 2], [0, 1, 2]]
    ```
  }];
  let arguments = (ins Kiln_I64Attr:$dimension);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

class Kiln_RandomOp<string mnemonic, Type valueType, string what, string min,
                    string max, string layout>
    : Kiln_Op<mnemonic, [Pure]> {
  let summary = what # " samples from a Philox generator state";
  let description = [{
    Draws a tensor of }] # what # [{ samples from the counter-based generator
    Philox4x32-10 and returns it with the advanced state. The state is a
    `tensor<2xi64>` `[seed, offset]` where `offset` counts Philox blocks (128
    bits each): the draw uses the blocks `offset, offset + 1, ...` with the
    64-bit key `seed`, and the new state is `[seed, offset + blocks used]`.
    Element `i` depends only on `(seed, offset, i)`, so eager execution,
    folding and compiled code produce the same numbers.

    }] # layout # [{

    Example:

    ```mlir
    %v, %s2 = kiln.}] # mnemonic # [{ %s {}] # min # [{ = 0.0, }] # max #
    [{ = 1.0} : (tensor<2xi64>) -> (tensor<4x3xf32>, tensor<2xi64>)
    ```
  }];
  let results = (outs valueType:$value, Kiln_RngState:$new_state);
  let assemblyFormat = "$state attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_RandomUniformOp : Kiln_RandomOp<"random_uniform", Kiln_NumericTensor,
    "uniform", "minval", "maxval", [{
    Values are uniform in `[minval, maxval)` (`minval < maxval`). Layout: an
    `f32` element `i` uses 32-bit lane `i % 4` of block `offset + i / 4` (the top
    24 bits, scaled by 2^-24); an `f64` element uses lanes `(2j, 2j + 1)`, j =
    `i % 2`, of block `offset + i / 2` as the low and high words of 64 bits (the
    top 53 bits, scaled by 2^-53). `i32` and `i64` elements also take 64 bits
    from two lanes of block `offset + i / 2` and map them to
    `[minval, maxval)` by a 64x64->128-bit multiply-shift.}]> {
  let arguments = (ins Kiln_RngState:$state, F64Attr:$minval, F64Attr:$maxval);
  let hasVerifier = 1;
}

def Kiln_RandomNormalOp : Kiln_RandomOp<"random_normal", Kiln_FloatTensor,
    "normal", "mean", "stddev", [{
    Values are `mean + stddev * z` with `z` standard normal by the Box-Muller
    transform: block `offset + i / 4` gives two pairs of lanes `(0, 1)` and
    `(2, 3)`; for each pair, `u1 = (lane0 + 0.5) / 2^32`,
    `u2 = (lane1 + 0.5) / 2^32`, and the pair yields elements `4b + 2p` and
    `4b + 2p + 1` as `sqrt(-2 log u1) * (cos, sin)(2 pi u2)` in `f64`, then
    rounded to the element type.}]> {
  let arguments = (ins Kiln_RngState:$state, F64Attr:$mean, F64Attr:$stddev);
}

def Kiln_TruncatedNormalOp : Kiln_RandomOp<"truncated_normal",
    Kiln_FloatTensor, "truncated normal", "mean", "stddev", [{
    Values are normal with `mean` and `stddev`, truncated to two standard
    deviations around the mean (as `tf.random.truncated_normal`), drawn by
    inverting the normal CDF so that element `i` uses exactly lane `i % 4` of
    block `offset + i / 4`: `u = (lane + 0.5) / 2^32`,
    `z = Phi^-1(Phi(-2) + u * (Phi(2) - Phi(-2)))`.}]> {
  let arguments = (ins Kiln_RngState:$state, F64Attr:$mean, F64Attr:$stddev);
}

//===----------------------------------------------------------------------===//
// Structured control flow
//===----------------------------------------------------------------------===//

def Kiln_LoopOp : Kiln_Op<"loop", [
    RecursiveMemoryEffects, RecursivelySpeculatable, SingleBlock,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<RegionBranchOpInterface,
                              ["getEntrySuccessorOperands"]>]> {
  let summary = "a counted loop with carried values";
  let description = [{
    Runs its body for `i = lower_bound, lower_bound + 1, ..., upper_bound - 1`
    (`lower_bound <= upper_bound`; no iteration when equal). The body's block
    arguments are the induction variable, a `tensor<i64>`, followed by the
    carried values, which start as the `iter_args` operands; the body ends in
    `kiln.yield` with the next carried values. The results are the carried
    values after the last iteration (the `iter_args` themselves when the loop
    runs zero times). Carried values, yielded values and results have the
    same types, in order.

    Example:

    ```mlir
    %r:2 = kiln.loop (%i) = 0 to 100 iter_args(%a = %x, %b = %y)
        -> (tensor<f32>, tensor<f32>) {
      %a2 = kiln.add %a, %b : tensor<f32>
      kiln.yield %a2, %b : tensor<f32>, tensor<f32>
    }
    ```
  }];
  let arguments = (ins Kiln_I64Attr:$lower_bound, Kiln_I64Attr:$upper_bound,
                       Variadic<Kiln_Tensor>:$init_args);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The body's induction variable, a `tensor<i64>`.
    ::mlir::BlockArgument getInductionVar() { return getBody().getArgument(0); }
    /// The body's block arguments for the carried values.
    ::mlir::Block::BlockArgListType getRegionIterArgs() {
      return getBody().getArguments().drop_front();
    }
    /// The trip count, `upper_bound - lower_bound` (verified non-negative; as
    /// unsigned it cannot overflow).
    uint64_t getTripCount() {
      return static_cast<uint64_t>(getUpperBound()) -
             static_cast<uint64_t>(getLowerBound());
    }
  }];
}

def Kiln_YieldOp : Kiln_Op<"yield", [
    Pure, Terminator, ReturnLike, HasParent<"::mlir::kiln::LoopOp">]> {
  let summary = "the next carried values of a kiln.loop";
  let description = [{
    Ends the body of `kiln.loop` and gives the carried values for the next
    iteration (or the loop's results after the last one).

    Example:

    ```mlir
    kiln.yield %a2, %b2 : tensor<f32>, tensor<f32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let builders = [OpBuilder<(ins), [{ /* no values */ }]>];
}

#endif  // KILN_DIALECT_KILN_OPS_TD
