// Ahead-of-time compilation for CUDA (kiln-compile --target=cuda:sm_90 or cuda:sm_80,sm_90):
// the CUDA pipeline's kernels and launch plans, cubins assembled by ptxas for each
// requested architecture, and their place in the artifact. Compiling needs no GPU.
#pragma once

#include <string>
#include <vector>

#include "compiler/Aot/Aot.h"
#include "flatbuffers/flatbuffers.h"

namespace kiln::fb {
struct CudaProgram;
}  // namespace kiln::fb
namespace mlir {
class ModuleOp;
}  // namespace mlir

namespace kiln::compiler {

// Whether `target` names CUDA: "cuda:" then sm_80 and/or sm_90, comma-separated.
bool is_cuda_target(const std::string& target);

// The architectures of a CUDA target, oldest first; throws kiln::Error naming a bad one.
std::vector<std::string> cuda_archs(const std::string& target);

// Lowers the described module with the CUDA pipeline (PTX for the oldest architecture)
// and assembles a cubin for each architecture.
AotModule compile_cuda(mlir::ModuleOp module, AotModule described, const AotOptions& options);

// The artifact's CudaProgram table, or a null offset for a CPU module.
flatbuffers::Offset<fb::CudaProgram> build_cuda_program(flatbuffers::FlatBufferBuilder& b,
                                                        const AotModule& module);

}  // namespace kiln::compiler
