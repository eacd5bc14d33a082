// Ahead-of-time compilation (kiln-compile): a .mlir module of traced kiln functions to
// native code plus the description the runtime needs (signatures, variables, error
// sites), and the packaging of both as an artifact, an executable or a static library.
// This header has no MLIR in it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/Pipelines/CpuPipeline.h"
#include "compiler/Pipelines/CudaPipeline.h"

namespace kiln::compiler {

struct AotOptions {
  // "host" (this CPU and all its features), "x86-64", "x86-64-v3" (AVX2, FMA) or
  // "x86-64-v4" (AVX-512): the oldest CPU the code must run on.
  std::string target = "host";
  int opt_level = 3;
  std::string dump_ir_dir;  // every stage's IR, as CompileOptions::dump_ir_dir
  bool simplify = true;     // algebraic simplification, as CompileOptions::simplify
  // Prefix of the exported symbols, so that several modules can share a program.
  std::string symbol_prefix = "kiln_model_";
  bool fusion = true, memory_plan = true;  // CompileOptions::fusion, memory_plan
  bool explain = false;                    // CompileOptions::explain: AotModule::report
  bool exact_math = false;                 // CompileOptions::exact_math: libm f32 math
  bool assembly = false;                   // NativeObject::assembly (always with dump_ir_dir)
};

// The targets kiln-compile accepts, for its help text and errors.
const std::vector<std::string>& aot_targets();

// One tensor of a signature; dtype numbered as kiln_dtype (runtime/include/kiln/runtime.h).
struct AotTensor {
  std::string name;
  int dtype = 0;
  std::vector<int64_t> shape;
  // The checkpoint metadata key of the vocabulary whose ids this tensor holds (the
  // argument or result attribute kiln.vocabulary); empty if none.
  std::string vocabulary;
  int64_t bytes() const;
  std::string str() const;  // "f32[190]"
};

struct AotFunction {
  struct Arg {
    AotTensor spec;  // for a variable, spec.name is the variable's name
    bool variable = false;
    bool read = true;  // false: the value passed in is never used (overwritten first)
  };
  std::string name, symbol;
  std::vector<Arg> args;
  std::vector<AotTensor> outputs;
  std::vector<std::string> updates;
  bool batched = false;
  MemoryPlan memory;  // arena_bytes > 0: the entry point takes the arena after the outputs
};

struct AotModule {
  std::string source;  // the input file
  std::vector<AotFunction> functions;
  std::vector<AotTensor> variables;  // every variable a function uses, sorted by name
  std::vector<CheckSite> sites;      // site N at index N-1
  NativeObject native;
  std::string target;
  int opt_level = 3;
  std::string llvm_dialect;  // the module after the last MLIR stage
  CompileReport report;      // kernels, fusion decisions, memory plans; compile time
  // CUDA targets (compiler/Aot/CudaAot.cpp): the kernels, plans and cubins; native is empty.
  CudaProgram cuda;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> cubins;  // {arch, cubin}
};

// Parses (text or bytecode), verifies and compiles the module at `path`; parse and verifier
// errors name the file, line and column. Throws kiln::Error.
AotModule compile_file(const std::string& path, const AotOptions& options);
AotModule compile_source(const std::string& text, const std::string& origin,
                         const AotOptions& options);

// The artifact FlatBuffer (runtime/schemas/artifact.fbs). `code` is an ELF shared object,
// or empty for the description alone (what executables and libraries embed). `flags` is
// recorded as the build's command line.
std::vector<uint8_t> build_artifact(const AotModule& module, const std::vector<uint8_t>& code,
                                    const std::string& flags);

}  // namespace kiln::compiler
