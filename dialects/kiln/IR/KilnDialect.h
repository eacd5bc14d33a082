// The `kiln` MLIR dialect: its class and its attributes (the comparison predicate).
// Ops are in KilnOps.h. Everything here is generated from KilnBase.td.
#pragma once

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/kiln/IR/KilnDialect.h.inc"
#include "dialects/kiln/IR/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/kiln/IR/KilnAttrs.h.inc"
