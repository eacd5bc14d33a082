// The CPU pipeline: a module of traced kiln functions, lowered stage by stage to the
// LLVM dialect, then to LLVM IR, optimized for the host CPU and JIT-compiled in-process.
// This header has no MLIR in it (forward declarations only), so that CompileOptions can
// appear in the public API of compiled functions.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/Pipelines/CompileReport.h"
#include "compiler/Transforms/AssignCheckSites.h"

namespace llvm {
class raw_ostream;
}  // namespace llvm
namespace mlir {
class DialectRegistry;
class ExecutionEngine;
class ModuleOp;
class OpPassManager;
}  // namespace mlir

namespace kiln::compiler {

struct CompileOptions {
  // When set, every stage's IR is written there as a numbered file: 00-traced.mlir,
  // 01-canonicalized.mlir, 02-simplified.mlir (when simplify is on), NN-kiln-to-linalg.mlir,
  // ..., NN-module.ll, NN-module.s.
  std::string dump_ir_dir;
  int opt_level = 3;         // LLVM optimization level, 0..3
  std::string cpu = "host";  // "host": the running CPU with all its features (AVX2, AVX-512)
  // Large ops run their outer parallel loops on several threads (OpenMP, LLVM's libomp).
  // Reductions stay sequential inside each thread's rows, so results are bit-identical
  // to serial code. Loops below parallel_min_work iterations (counting their inner
  // loops) stay serial: a fork/join costs microseconds. No effect when this build found
  // no libomp (kiln::compiler::parallel_available()).
  bool parallel = true;
  int threads = 0;  // 0: OMP_NUM_THREADS if set, else every core
  long long parallel_min_work = 1 << 15;
  // Algebraic simplification of the kiln graph after canonicalization (the stage
  // NN-simplified.mlir; compiler/Transforms/SimplifyAlgebra.h says what it may change).
  bool simplify = true;
  // Graph optimizations, each of which can be turned off to compare (kiln-compile
  // --no-fusion, --no-memory-plan); results are the same either way.
  bool fusion = true;       // producer-consumer fusion of elementwise ops (FuseElementwise.h)
  bool memory_plan = true;  // temporaries in one arena argument (PlanMemory.h)
  // Unlike the switches above, this one changes results: f32 exp/log/log1p/tanh/... as
  // libm calls, as the eager kernels compute them, instead of inline polynomials that
  // vectorize and differ from them by a few ulp (ApproximateMath.h; kiln-compile
  // --exact-math). Fusion on and off stay bit-identical either way.
  bool exact_math = false;
  // Also compile a copy without fusion (up to bufferization) to report the kernels and
  // bytes moved before fusion (kiln-compile --explain).
  bool explain = false;
  // emit_object also produces the assembly text (always when dumping IR); it costs a
  // second code generation.
  bool assembly = false;

  CompileOptions& set_dump_ir_dir(std::string dir) {
    dump_ir_dir = std::move(dir);
    return *this;
  }
  CompileOptions& set_opt_level(int level) {
    opt_level = level;
    return *this;
  }
  CompileOptions& set_cpu(std::string name) {
    cpu = std::move(name);
    return *this;
  }
  CompileOptions& set_parallel(bool on) {
    parallel = on;
    return *this;
  }
  CompileOptions& set_threads(int n) {
    threads = n;
    return *this;
  }
  CompileOptions& set_parallel_min_work(long long work) {
    parallel_min_work = work;
    return *this;
  }
  CompileOptions& set_fusion(bool on) {
    fusion = on;
    return *this;
  }
  CompileOptions& set_memory_plan(bool on) {
    memory_plan = on;
    return *this;
  }
  CompileOptions& set_exact_math(bool on) {
    exact_math = on;
    return *this;
  }
  CompileOptions& set_explain(bool on) {
    explain = on;
    return *this;
  }
  CompileOptions& set_simplify(bool on) {
    simplify = on;
    return *this;
  }
};

// Native code for ahead-of-time use (kiln-compile): an ELF relocatable object and what
// the artifact needs to know about it.
struct NativeObject {
  std::vector<uint8_t> object;
  std::vector<std::pair<std::string, std::string>> entry_points;  // {function, symbol}
  std::string status_symbol;  // empty when the code has no run-time checks
  std::string triple, cpu, features;
  std::string llvm_ir, assembly;  // the optimized IR and the assembly of the object
};

// Whether this build can run compiled loops on several threads (it found libomp).
bool parallel_available();

// Everything the pipeline uses: the kiln dialect, the dialects it lowers through, their
// bufferization models, and the translations to LLVM IR.
void register_cpu_pipeline_dialects(mlir::DialectRegistry& registry);

// The pipeline for one compilation: it numbers the stages it dumps across both steps.
class CpuPipeline {
 public:
  explicit CpuPipeline(CompileOptions options) : options_(std::move(options)) {}

  // Lowers `module` (kiln dialect) in place to the LLVM dialect, stage by stage, writing
  // each stage when options.dump_ir_dir is set. Every function gets a C interface
  // (_mlir_ciface_<name>) whose arguments are, in order: the function's arguments as
  // memrefs (variables updated in place), then one out-parameter per non-variable
  // result. Returns the run-time check sites (site N at index N-1). Throws kiln::Error
  // naming the stage that failed and the offending op with its location.
  std::vector<CheckSite> lower_to_llvm_dialect(mlir::ModuleOp module);

  // Translates the LLVM-dialect module to LLVM IR, optimizes it at options.opt_level for
  // options.cpu, and JIT-compiles it (dumping NN-module.ll and NN-module.s when asked).
  std::unique_ptr<mlir::ExecutionEngine> jit_compile(mlir::ModuleOp module);

  // Ahead of time: translates the LLVM-dialect module to LLVM IR, gives each function a
  // packed entry point `<symbol_prefix><name>(void** args)` and the status word the symbol
  // `<symbol_prefix>status` (everything else internal), optimizes for options.cpu and
  // emits a position-independent ELF object (and its IR and assembly, dumped when asked).
  NativeObject emit_object(mlir::ModuleOp module, const std::string& symbol_prefix);

  // What lower_to_llvm_dialect did: kernels, fusion decisions and the memory plan of each
  // function. A function whose memory plan has arena_bytes > 0 takes one more argument
  // after its out-parameters: memref<arena_bytes x i8>, 64-byte aligned, reused per call.
  const CompileReport& report() const { return report_; }

 private:
  void bufferize(mlir::ModuleOp module, bool dump, bool plan);
  void run_passes(const std::string& stage, mlir::ModuleOp module,
                  const std::function<void(mlir::OpPassManager&)>& build);
  void run_stage(const std::string& stage, mlir::ModuleOp module,
                 const std::function<void(mlir::OpPassManager&)>& build);
  void dump_module(const std::string& stage, mlir::ModuleOp module);
  void dump(const std::string& stage, const std::function<void(llvm::raw_ostream&)>& write,
            const char* extension);

  CompileOptions options_;
  int next_stage_ = 0;
  CompileReport report_;
};

}  // namespace kiln::compiler
