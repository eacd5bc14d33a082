// Which kiln ops a lowered op came from. Before kiln -> linalg, each kiln op's location is
// wrapped in a name location carrying the op's name; the ops it lowers to inherit it, and
// fusion fuses the locations of what it merges. The explain report reads them back.
#pragma once

#include <vector>

#include "compiler/Pipelines/CompileReport.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"

namespace kiln::compiler {

// Wraps the location of every kiln op in `module` as NameLoc("kiln.<op>", location).
void tag_op_origins(mlir::ModuleOp module);

// The kiln ops a location names, in the order they appear, without repeats.
std::vector<OpOrigin> origins_of(mlir::Location loc);

}  // namespace kiln::compiler
