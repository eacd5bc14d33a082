// The ops of the `kiln` dialect (declared in KilnOps.td), plus the helpers their
// generated code calls. Include this to build or match kiln ops.
#pragma once

#include "dialects/kiln/IR/KilnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::kiln {

/// Verifies that the two operands of an elementwise binary op (or a compare)
/// have one type, naming both types when they differ.
LogicalResult verifySameOperandTypes(Operation* op);

/// Whether `indices` is a constant integer tensor whose every element is in
/// [0, rows): only then may a gather or scatter-add be folded or speculated.
bool indicesInRange(Attribute indices, int64_t rows);

}  // namespace mlir::kiln

#define GET_OP_CLASSES
#include "dialects/kiln/IR/KilnOps.h.inc"
