// The `kiln` dialect's definition, its type constraints and attributes.
// KilnOps.td builds the ops on these; the C++ lives in KilnDialect.cpp.
#ifndef KILN_DIALECT_KILN_BASE_TD
#define KILN_DIALECT_KILN_BASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::mlir::kiln";
  let summary = "Kiln's tensor dialect: the primitives traced from eager C++ models";
  let description = [{
    The `kiln` dialect is what `kiln::trace` and `kiln::function` emit when they
    trace a model written with the eager C++ front end. It is a small set of
    primitives on statically shaped, ranked tensors of `f32`, `f64`, `i32`,
    `i64` and `i1` (bool): elementwise math, comparisons and selection, casts,
    reductions, matrix multiplication, data movement (reshape, transpose,
    broadcast, concat, slice, pad), row gathers and scatter-adds, iota, random
    numbers from a counter-based generator whose state is an ordinary tensor,
    and a counted loop with carried values.

    Every op has exactly the semantics of the front end's reference CPU kernel
    of the same name (`frontend/kiln/kernels/`); folding runs those kernels, so
    eager execution, folding and compiled code agree.

    There is no implicit broadcasting: operands of elementwise ops have
    identical types, and the tracer inserts `kiln.broadcast_to` where the eager
    API broadcast.

    Model variables are function arguments that carry a
    `{kiln.variable = "model/name"}` argument attribute; a function that updates
    a variable returns the new value as a result carrying the same attribute,
    and the compiler and runtime alias the two buffers:

    ```mlir
    func.func @step(%w: tensor<f32> {kiln.variable = "huber/w"}, %x: tensor<f32>)
        -> (tensor<f32> {kiln.variable = "huber/w"}) {
      %w2 = kiln.add %w, %x : tensor<f32>
      return %w2 : tensor<f32>
    }
    ```

    Inputs and outputs may carry a `{kiln.name = "x"}` attribute naming them for the
    runtime. A function marked `kiln.batched` is row-mapped: it is traced for one
    example (every input and output has leading dimension 1, no variable is
    updated) and the runtime maps it over inputs with any number of rows.
  }];
  let hasConstantMaterializer = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasOperationAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// The argument and result attribute that names a model variable.
    static constexpr ::llvm::StringLiteral kVariableAttrName = "kiln.variable";
    /// The argument and result attribute that names an input or output ("x"), for
    /// the runtime's signatures and kiln-run's `--input x=...`.
    static constexpr ::llvm::StringLiteral kNameAttrName = "kiln.name";
    /// The argument and result attribute of an integer input or output whose values
    /// are ids of a vocabulary: the checkpoint metadata key holding it (one token per
    /// line, the id is the line number). kiln-run and standalone executables then read
    /// words for the input and print words for the output.
    static constexpr ::llvm::StringLiteral kVocabularyAttrName = "kiln.vocabulary";
    /// The func.func unit attribute of a row-mapped function: traced for one row
    /// (leading dim 1 on every input and output), run by the runtime over any number.
    static constexpr ::llvm::StringLiteral kBatchedAttrName = "kiln.batched";
    /// The compiler's number of an op that can fail at run time (its check site).
    static constexpr ::llvm::StringLiteral kSiteAttrName = "kiln.site";
  }];
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Kiln_NoEncodingPred
    : CPred<"!::llvm::cast<::mlir::RankedTensorType>($_self).getEncoding()">;

// A statically shaped tensor without encoding whose elements are one of `types`.
class Kiln_TensorOf<list<Type> types>
    : RankedTensorOf<types, [HasStaticShapePred, Kiln_NoEncodingPred],
                     "statically shaped tensor">;

def Kiln_Tensor : Kiln_TensorOf<[F32, F64, I32, I64, I1]>;
def Kiln_NumericTensor : Kiln_TensorOf<[F32, F64, I32, I64]>;
def Kiln_FloatTensor : Kiln_TensorOf<[F32, F64]>;
def Kiln_BoolTensor : Kiln_TensorOf<[I1]>;
def Kiln_IndexTensor : Kiln_TensorOf<[I32, I64]>;
def Kiln_I64Tensor : Kiln_TensorOf<[I64]>;

// The state of the Philox generator: [seed, offset], offset counted in blocks.
def Kiln_RngState : Type<
    CPred<"$_self == ::mlir::RankedTensorType::get({2}, "
          "::mlir::IntegerType::get($_self.getContext(), 64))">,
    "generator state tensor<2xi64> ([seed, offset])", "::mlir::RankedTensorType">;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

// A signless 64-bit integer attribute (`axis = -1`, `axis = 2 : i64`) read as a
// signed int64_t: ODS's I64Attr zero-extends, which would turn -1 into 2^64 - 1.
def Kiln_I64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
                                                "64-bit signless integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

def Kiln_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "elementwise comparison", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::kiln";
  let genSpecializedAttr = 0;
}

def Kiln_ComparePredicateAttr
    : EnumAttr<Kiln_Dialect, Kiln_ComparePredicate, "compare_predicate">;

//===----------------------------------------------------------------------===//
// Op base
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

#endif  // KILN_DIALECT_KILN_BASE_TD
