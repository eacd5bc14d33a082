// Alias information for memory-planned code. Planned temporaries are views of one arena,
// so LLVM sees every access to them as based on the same object and must assume any two
// may overlap: it then refuses to vectorize most fused loops ("unknown data dependence"),
// where separate heap allocations would be provably distinct. This gives each planned
// region (the bytes at one arena offset) an alias scope, and states on every load and store
// of the arena that it does not alias the regions whose bytes are disjoint from its own,
// which is true whatever the buffers' lifetimes; and it marks the arena argument noalias
// (the caller's arena never overlaps the function's other arguments).
#pragma once

#include "compiler/Pipelines/CompileReport.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::compiler {

// `module` is in the LLVM dialect; `report` holds each function's memory plan. Functions
// without an arena are left alone.
void annotate_arena_alias_scopes(mlir::ModuleOp module, const CompileReport& report);

}  // namespace kiln::compiler
