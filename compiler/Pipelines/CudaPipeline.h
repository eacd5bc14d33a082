// The CUDA pipeline: a module of traced kiln functions lowered to GPU kernels (MLIR's gpu
// and NVVM dialects, PTX from LLVM's NVPTX backend) plus, per function, a launch plan: the
// sequence of kernel launches the host performs, recorded as data for the runtime (no host
// code calls CUDA). No MLIR in this header.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compiler/Transforms/AssignCheckSites.h"

namespace mlir {
class ModuleOp;
class OpPassManager;
}  // namespace mlir

namespace kiln::compiler {

struct CudaOptions {
  std::string dump_ir_dir;         // every stage's IR, numbered, as CompileOptions::dump_ir_dir
  int opt_level = 3;               // LLVM optimization level of the kernels, 0..3
  std::string ptx_arch = "sm_80";  // the PTX's .target: the oldest GPU it must run on
  int block_size = 256;            // threads per block of the data-parallel kernels
};

// One kernel launch. Buffers number the function's arguments first (the C interface's
// order: arguments, then one out-parameter per non-variable result), then its temporaries.
struct CudaLaunch {
  std::string kernel;  // the PTX entry point
  std::array<int64_t, 3> grid{1, 1, 1}, block{1, 1, 1};
  std::vector<int> buffers;  // the kernel's parameters, each a buffer's base address
};

struct CudaFunctionPlan {
  std::string name;
  int arguments = 0;                 // buffers 0..arguments-1 are the function's arguments
  std::vector<int64_t> temporaries;  // bytes of buffers arguments.. (allocated once)
  std::vector<CudaLaunch> launches;  // in order, on one stream
};

struct CudaProgram {
  std::string ptx;       // one PTX module with every function's kernels
  std::string ptx_arch;  // its .target
  std::vector<CudaFunctionPlan> functions;
  std::string status_symbol;  // the device global of run-time checks; empty when none
  std::string mlir;           // the module after the last MLIR stage: launches, NVVM kernels
};

// Whether `arch` ("sm_80") is an architecture the pipeline accepts.
bool is_cuda_arch(const std::string& arch);

class CudaPipeline {
 public:
  explicit CudaPipeline(CudaOptions options) : options_(std::move(options)) {}

  // Lowers `module` (kiln dialect) in place: kernels into a gpu.module, the host functions
  // to launch sequences, which become the plans. Returns the run-time check sites through
  // `sites` (site N at index N-1). Throws kiln::Error naming the stage and the op.
  CudaProgram compile(mlir::ModuleOp module, std::vector<CheckSite>& sites);

 private:
  void run_stage(const std::string& stage, mlir::ModuleOp module,
                 const std::function<void(mlir::OpPassManager&)>& build, bool dump = true);
  void dump_text(const std::string& stage, const std::string& text, const char* extension);
  void dump_module(const std::string& stage, mlir::ModuleOp module);

  CudaOptions options_;
  int next_stage_ = 0;
};

}  // namespace kiln::compiler
