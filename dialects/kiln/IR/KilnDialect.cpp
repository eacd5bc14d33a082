// The `kiln` dialect: registration of its ops and attributes, constant
// materialization for folding, and the verifier of `kiln.variable`, the
// argument/result attribute that names model variables on func.func.
#include "dialects/kiln/IR/KilnDialect.h"

#include "dialects/kiln/IR/KilnOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/kiln/IR/KilnDialect.cpp.inc"
#include "dialects/kiln/IR/KilnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/kiln/IR/KilnAttrs.cpp.inc"

namespace mlir::kiln {

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/IR/KilnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/kiln/IR/KilnAttrs.cpp.inc"
      >();
}

Operation* KilnDialect::materializeConstant(OpBuilder& builder, Attribute value, Type type,
                                            Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type) return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

namespace {

// Checks one `kiln.name` attribute: a non-empty string on a func.func argument or
// result that is not a variable, unique among the function's names.
LogicalResult verifyNameAttr(Operation* op, unsigned index, NamedAttribute attr, bool isResult) {
  StringRef what = isResult ? "result" : "argument";
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    return op->emitError() << "'" << KilnDialect::kNameAttrName
                           << "' is only valid on func.func arguments and results, not on '"
                           << op->getName() << "'";
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || name.getValue().empty())
    return func.emitOpError() << what << " #" << index << ": '" << KilnDialect::kNameAttrName
                              << "' must be a non-empty string, got " << attr.getValue();
  auto attrsAt = [&](unsigned j) {
    return isResult ? func.getResultAttrDict(j) : func.getArgAttrDict(j);
  };
  if (DictionaryAttr own = attrsAt(index); own && own.get(KilnDialect::kVariableAttrName))
    return func.emitOpError() << what << " #" << index << " is a variable; '"
                              << KilnDialect::kNameAttrName << "' names inputs and outputs only";
  for (unsigned j = 0; j < index; ++j)
    if (DictionaryAttr other = attrsAt(j); other && other.get(KilnDialect::kNameAttrName) == name)
      return func.emitOpError() << "name " << name << " appears twice: " << what << " #" << j
                                << " and " << what << " #" << index;
  return success();
}

// Checks one `kiln.vocabulary` attribute: a non-empty string (a checkpoint metadata key)
// on a func.func argument or result that is a named input or output of integer elements.
LogicalResult verifyVocabularyAttr(Operation* op, unsigned index, NamedAttribute attr,
                                   bool isResult) {
  StringRef what = isResult ? "result" : "argument";
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    return op->emitError() << "'" << KilnDialect::kVocabularyAttrName
                           << "' is only valid on func.func arguments and results, not on '"
                           << op->getName() << "'";
  auto key = dyn_cast<StringAttr>(attr.getValue());
  if (!key || key.getValue().empty())
    return func.emitOpError() << what << " #" << index << ": '" << KilnDialect::kVocabularyAttrName
                              << "' must be a non-empty string (a checkpoint metadata key), got "
                              << attr.getValue();
  DictionaryAttr own = isResult ? func.getResultAttrDict(index) : func.getArgAttrDict(index);
  if (own && own.get(KilnDialect::kVariableAttrName))
    return func.emitOpError() << what << " #" << index << " is a variable; '"
                              << KilnDialect::kVocabularyAttrName
                              << "' is for inputs and outputs only";
  Type type = isResult ? func.getResultTypes()[index] : func.getArgumentTypes()[index];
  if (!getElementTypeOrSelf(type).isSignlessInteger(64) &&
      !getElementTypeOrSelf(type).isSignlessInteger(32))
    return func.emitOpError() << what << " #" << index << " has type " << type << "; '"
                              << KilnDialect::kVocabularyAttrName
                              << "' needs i32 or i64 elements (ids)";
  return success();
}

// Checks one `kiln.variable` attribute: argument (or result) `index` of `op`
// names a variable with a non-empty string; no variable is passed (or returned)
// twice; and a returned variable has the type of the argument it updates.
LogicalResult verifyVariableAttr(Operation* op, unsigned index, NamedAttribute attr,
                                 bool isResult) {
  StringRef what = isResult ? "result" : "argument";
  if (attr.getName() == KilnDialect::kNameAttrName)
    return verifyNameAttr(op, index, attr, isResult);
  if (attr.getName() == KilnDialect::kVocabularyAttrName)
    return verifyVocabularyAttr(op, index, attr, isResult);
  if (attr.getName() != KilnDialect::kVariableAttrName)
    return op->emitError() << "unknown kiln " << what << " attribute '" << attr.getName().getValue()
                           << "' (expected '" << KilnDialect::kVariableAttrName << "', '"
                           << KilnDialect::kNameAttrName << "' or '"
                           << KilnDialect::kVocabularyAttrName << "')";
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    return op->emitError() << "'" << KilnDialect::kVariableAttrName
                           << "' is only valid on func.func arguments and results, not on '"
                           << op->getName() << "'";
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || name.getValue().empty())
    return func.emitOpError() << what << " #" << index << ": '" << KilnDialect::kVariableAttrName
                              << "' must be a non-empty string naming a variable, got "
                              << attr.getValue();

  auto nameAt = [&](unsigned j, bool result) {
    return result ? func.getResultAttrOfType<StringAttr>(j, KilnDialect::kVariableAttrName)
                  : func.getArgAttrOfType<StringAttr>(j, KilnDialect::kVariableAttrName);
  };
  for (unsigned j = 0; j < index; ++j)
    if (nameAt(j, isResult) == name)
      return func.emitOpError() << "variable " << name << " appears twice: " << what << " #" << j
                                << " and " << what << " #" << index;
  if (!isResult) return success();

  for (unsigned j = 0, e = func.getNumArguments(); j < e; ++j) {
    if (nameAt(j, /*result=*/false) != name) continue;
    Type argType = func.getArgumentTypes()[j], resultType = func.getResultTypes()[index];
    if (argType != resultType)
      return func.emitOpError() << "result #" << index << " updates variable " << name
                                << " (argument #" << j << " of type " << argType
                                << ") but has type " << resultType;
  }
  return success();
}

// Checks `kiln.batched`: a unit attribute on a func.func whose inputs and outputs all
// have leading dimension 1 and which updates no variable.
LogicalResult verifyBatchedAttr(Operation* op, NamedAttribute attr) {
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    return op->emitError() << "'" << KilnDialect::kBatchedAttrName
                           << "' is only valid on func.func, not on '" << op->getName() << "'";
  if (!isa<UnitAttr>(attr.getValue()))
    return func.emitOpError() << "'" << KilnDialect::kBatchedAttrName
                              << "' is a unit attribute, got " << attr.getValue();
  auto isVariable = [&](DictionaryAttr attrs) {
    return attrs && attrs.get(KilnDialect::kVariableAttrName);
  };
  auto checkRow = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    auto ranked = dyn_cast<RankedTensorType>(type);
    if (!ranked || ranked.getRank() == 0 || ranked.getDimSize(0) != 1)
      return func.emitOpError() << "is '" << KilnDialect::kBatchedAttrName << "' but " << what
                                << " #" << index << " has type " << type
                                << " (a row-mapped function's inputs and outputs have leading "
                                   "dimension 1)";
    return success();
  };
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (!isVariable(func.getArgAttrDict(i)) &&
        failed(checkRow(func.getArgumentTypes()[i], "argument", i)))
      return failure();
  for (unsigned r = 0, e = func.getNumResults(); r < e; ++r) {
    if (isVariable(func.getResultAttrDict(r)))
      return func.emitOpError() << "is '" << KilnDialect::kBatchedAttrName
                                << "' but updates a variable (result #" << r
                                << "); a row-mapped function must not have side effects";
    if (failed(checkRow(func.getResultTypes()[r], "result", r))) return failure();
  }
  return success();
}

}  // namespace

LogicalResult KilnDialect::verifyOperationAttribute(Operation* op, NamedAttribute attr) {
  if (attr.getName() == KilnDialect::kBatchedAttrName) return verifyBatchedAttr(op, attr);
  // The compiler numbers the ops that can fail at run time (AssignCheckSites).
  if (attr.getName() == KilnDialect::kSiteAttrName) {
    if (!isa<IntegerAttr>(attr.getValue()))
      return op->emitError() << "'" << KilnDialect::kSiteAttrName << "' must be an integer, got "
                             << attr.getValue();
    return success();
  }
  return op->emitError() << "unknown kiln attribute '" << attr.getName().getValue()
                         << "' on an operation (expected '" << KilnDialect::kBatchedAttrName
                         << "' or '" << KilnDialect::kSiteAttrName << "')";
}

void removeRuntimeAttributes(ModuleOp module) {
  MLIRContext* ctx = module.getContext();
  for (auto fn : module.getOps<func::FuncOp>()) {
    fn->removeAttr(KilnDialect::kBatchedAttrName);
    for (StringRef name : {KilnDialect::kNameAttrName, KilnDialect::kVocabularyAttrName}) {
      for (unsigned i = 0; i < fn.getNumArguments(); ++i) fn.removeArgAttr(i, name);
      for (unsigned r = 0; r < fn.getNumResults(); ++r)
        fn.removeResultAttr(r, StringAttr::get(ctx, name));
    }
  }
}

LogicalResult KilnDialect::verifyRegionArgAttribute(Operation* op, unsigned /*regionIndex*/,
                                                    unsigned argIndex, NamedAttribute attr) {
  return verifyVariableAttr(op, argIndex, attr, /*isResult=*/false);
}

LogicalResult KilnDialect::verifyRegionResultAttribute(Operation* op, unsigned /*regionIndex*/,
                                                       unsigned resultIndex, NamedAttribute attr) {
  return verifyVariableAttr(op, resultIndex, attr, /*isResult=*/true);
}

}  // namespace mlir::kiln
