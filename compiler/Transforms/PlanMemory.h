// Memory planning: after bufferization, every temporary buffer of a function (a static
// memref.alloc that does not escape) is placed in one arena at an offset chosen by
// liveness, like XLA's buffer assignment or TFLite's arena planner. The arena becomes the
// function's last argument, memref<arena_bytes x i8>, which the caller allocates once
// (64-byte aligned) and passes to every call; the code then allocates nothing per call.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "compiler/Pipelines/CompileReport.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::compiler {

// Plans every function of `module` (bufferized, before deallocation is inserted); returns
// each function's plan by name. Functions with nothing to plan get no arena argument.
std::vector<std::pair<std::string, MemoryPlan>> plan_memory(mlir::ModuleOp module);

// Offsets for buffers of the given sizes and live ranges [first, last] (inclusive), each
// a multiple of `alignment`, such that buffers live at the same time never overlap:
// largest first, each into the tightest gap that fits (TFLite's greedy-by-size). Returns
// the offsets and sets arena_bytes. Exposed for tests.
std::vector<int64_t> assign_offsets(const std::vector<int64_t>& bytes,
                                    const std::vector<std::pair<int64_t, int64_t>>& ranges,
                                    int64_t alignment, int64_t& arena_bytes);

}  // namespace kiln::compiler
