// The `kiln` MLIR dialect: its class and its attributes (the comparison predicate).
// Ops are in KilnOps.h. Everything here is generated from KilnBase.td.
#pragma once

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/kiln/IR/KilnDialect.h.inc"
#include "dialects/kiln/IR/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/kiln/IR/KilnAttrs.h.inc"

namespace mlir {
class ModuleOp;
namespace kiln {

// Removes the attributes that are for the runtime (kiln.batched, kiln.name,
// kiln.vocabulary) from every function of `module`: callers read them before lowering,
// and their rules stop holding as the functions are lowered.
void removeRuntimeAttributes(ModuleOp module);

}  // namespace kiln
}  // namespace mlir
