// kiln-compile: a .mlir module of traced kiln functions (kiln-huber --emit-mlir,
// TracedModule::save) to an artifact for the runtime, a standalone executable, a static
// library with a typed header, or the intermediate forms (object, LLVM IR, assembly, the
// LLVM-dialect MLIR). Exit codes: 0 success, 1 bad input (named), 2 usage.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/Aot/Aot.h"
#include "compiler/Aot/CudaAot.h"
#include "compiler/Aot/Package.h"
#include "kiln/error.h"
#include "runtime/src/file_util.h"
#include "runtime/src/status.h"

namespace {

void write_output(const std::string& path, const void* data, size_t size) {
  kiln::rt::write_file_atomically(
      path, [&](int fd) { kiln::rt::write_all(fd, data, size, path); });
}

// "libhuber.a" -> "huber"; "out/model.a" -> "model": the prefix of the typed C API.
std::string api_name_for(const std::string& output) {
  std::string stem = std::filesystem::path(output).stem().string();
  if (stem.rfind("lib", 0) == 0 && stem.size() > 3) stem = stem.substr(3);
  std::string name;
  for (char c : stem) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "model_" + name;
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, output, emit = "artifact", name;
  kiln::compiler::AotOptions options;
  CLI::App app("kiln-compile: compile traced kiln functions for the Kiln runtime", "kiln-compile");
  app.add_option("input", input, "the .mlir (or .mlirbc) module")->required();
  app.add_option("-o,--output", output, "the file to write")->required();
  app.add_option("--emit", emit, "what to write")
      ->check(CLI::IsMember({"artifact", "exe", "lib", "obj", "llvm", "asm", "mlir", "ptx"}))
      ->capture_default_str();
  std::string targets;
  for (const std::string& t : kiln::compiler::aot_targets())
    targets += (targets.empty() ? "" : ", ") + t;
  app.add_option("--target", options.target,
                 "the CPU the code must run on: " + targets +
                     "; or NVIDIA GPUs: cuda:sm_80, cuda:sm_90, cuda:sm_80,sm_90")
      ->check(CLI::IsMember(kiln::compiler::aot_targets()) | CLI::Validator(
                  [](std::string& t) {
                    return kiln::compiler::is_cuda_target(t) ? std::string() : "not cuda:";
                  },
                  "cuda:ARCHS"))
      ->capture_default_str();
  app.add_option("--dump-ir-dir", options.dump_ir_dir, "write every stage's IR into this folder");
  app.add_option("-O", options.opt_level, "optimization level, -O0 .. -O3")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  bool no_simplify = false;
  app.add_flag("--no-simplify", no_simplify,
               "skip the algebraic simplification of the graph (x * 1, x / 1, sparse updates...)");
  app.add_option("--name", name,
                 "prefix of the typed C API with --emit=lib (default: from the output name)");
  std::string explain;
  app.add_option("--explain", explain,
                 "write what the optimizations did (kernels and the ops fused into them, fusion "
                 "decisions, the memory plan) to FILE: .json, or .html for a page");
  bool no_fusion = false, no_memory_plan = false;
  app.add_flag("--no-fusion", no_fusion, "keep every op its own loop nest (to compare)");
  app.add_flag("--no-memory-plan", no_memory_plan,
               "allocate every temporary on the heap per call instead of in one planned arena");
  app.add_flag("--exact-math", options.exact_math,
               "f32 exp, log, log1p, tanh... as libm calls (as eager code computes them) "
               "instead of polynomials that vectorize, within a few ulp");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  options.simplify = !no_simplify;
  std::string flags;
  for (int i = 1; i < argc; ++i) flags += (i > 1 ? " " : "") + std::string(argv[i]);
  try {
    if (!std::filesystem::exists(input)) {
      std::cerr << "kiln-compile: error: " << input << ": no such file\n";
      return 1;
    }
    std::string api = name.empty() ? api_name_for(output) : name;
    options.symbol_prefix = "kiln_" + api_name_for(output) + "_";
    if (emit == "lib") options.symbol_prefix = api + "_kiln_";
    options.fusion = !no_fusion;
    options.memory_plan = !no_memory_plan;
    options.explain = !explain.empty();
    options.assembly = emit == "asm";
    const bool cuda = kiln::compiler::is_cuda_target(options.target);
    if (cuda && emit != "artifact" && emit != "mlir" && emit != "ptx") {
      std::cerr << "kiln-compile: error: --emit=" << emit << " is for CPU targets; with "
                << options.target << " use --emit=artifact, mlir or ptx\n";
      return 2;
    }
    if (!cuda && emit == "ptx") {
      std::cerr << "kiln-compile: error: --emit=ptx needs a CUDA target (--target=cuda:sm_90)\n";
      return 2;
    }
    kiln::compiler::AotModule module = kiln::compiler::compile_file(input, options);
    if (cuda) {
      if (emit == "artifact") {
        std::vector<uint8_t> artifact = kiln::compiler::build_artifact(module, {}, flags);
        write_output(output, artifact.data(), artifact.size());
      } else if (emit == "ptx") {
        write_output(output, module.cuda.ptx.data(), module.cuda.ptx.size());
      } else {
        write_output(output, module.llvm_dialect.data(), module.llvm_dialect.size());
      }
      return 0;
    }
    kiln::compiler::Toolchain toolchain = kiln::compiler::default_toolchain();
    if (emit == "artifact") {
      std::vector<uint8_t> code = kiln::compiler::link_shared_object(module, toolchain);
      std::vector<uint8_t> artifact = kiln::compiler::build_artifact(module, code, flags);
      write_output(output, artifact.data(), artifact.size());
    } else if (emit == "exe") {
      kiln::compiler::link_executable(module, flags, output, toolchain);
    } else if (emit == "lib") {
      std::string header = kiln::compiler::build_static_library(module, flags, output, api, toolchain);
      std::cerr << "kiln-compile: wrote " << output << " and " << header << "\n";
    } else if (emit == "obj") {
      write_output(output, module.native.object.data(), module.native.object.size());
    } else if (emit == "llvm") {
      write_output(output, module.native.llvm_ir.data(), module.native.llvm_ir.size());
    } else if (emit == "asm") {
      write_output(output, module.native.assembly.data(), module.native.assembly.size());
    } else {
      write_output(output, module.llvm_dialect.data(), module.llvm_dialect.size());
    }
    if (!explain.empty()) {
      const bool html = std::filesystem::path(explain).extension() == ".html";
      std::string text = html ? kiln::compiler::report_html(module.report)
                              : kiln::compiler::report_json(module.report);
      write_output(explain, text.data(), text.size());
    }
    return 0;
  } catch (const kiln::Error& e) {
    std::cerr << "kiln-compile: error: " << e.what() << "\n";
    return 1;
  } catch (const kiln::rt::Error& e) {
    std::cerr << "kiln-compile: error: " << e.what() << "\n";
    return 1;
  }
}
