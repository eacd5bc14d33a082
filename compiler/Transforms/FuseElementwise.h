// Producer-consumer fusion of linalg ops on tensors (after kiln -> linalg): elementwise
// chains become one loop nest, elementwise prologues move into reductions and matmuls,
// gathers into the ops that read them. Every edge looked at is recorded with its reason.
#pragma once

#include <vector>

#include "compiler/Pipelines/CompileReport.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::compiler {

struct FuseOptions {
  // f32 math will become polynomials (approximate_math, ApproximateMath.h): keep the
  // producers that hold it out of reductions and matmuls, where it would not vectorize.
  bool approximated_math = false;
};

// Fuses within each function of `module`; returns one decision per producer -> consumer
// edge between linalg ops (fused or not, and why), per function name.
std::vector<std::pair<std::string, std::vector<FusionDecision>>> fuse_elementwise(
    mlir::ModuleOp module, const FuseOptions& options = {});

}  // namespace kiln::compiler
