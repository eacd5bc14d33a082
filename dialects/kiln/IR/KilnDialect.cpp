// The `kiln` dialect: registration of its ops and attributes, constant
// materialization for folding, and the verifier of `kiln.variable`, the
// argument/result attribute that names model variables on func.func.
#include "dialects/kiln/IR/KilnDialect.h"

#include "dialects/kiln/IR/KilnOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
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

// Checks one `kiln.variable` attribute: argument (or result) `index` of `op`
// names a variable with a non-empty string; no variable is passed (or returned)
// twice; and a returned variable has the type of the argument it updates.
LogicalResult verifyVariableAttr(Operation* op, unsigned index, NamedAttribute attr,
                                 bool isResult) {
  StringRef what = isResult ? "result" : "argument";
  if (attr.getName() != KilnDialect::kVariableAttrName)
    return op->emitError() << "unknown kiln " << what << " attribute '" << attr.getName().getValue()
                           << "' (the only one is '" << KilnDialect::kVariableAttrName << "')";
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

}  // namespace

LogicalResult KilnDialect::verifyRegionArgAttribute(Operation* op, unsigned /*regionIndex*/,
                                                    unsigned argIndex, NamedAttribute attr) {
  return verifyVariableAttr(op, argIndex, attr, /*isResult=*/false);
}

LogicalResult KilnDialect::verifyRegionResultAttribute(Operation* op, unsigned /*regionIndex*/,
                                                       unsigned resultIndex, NamedAttribute attr) {
  return verifyVariableAttr(op, resultIndex, attr, /*isResult=*/true);
}

}  // namespace mlir::kiln
