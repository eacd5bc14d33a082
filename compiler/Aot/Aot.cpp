// kiln-compile's compiler half: reading the module, describing its functions for the
// runtime, lowering it with the CPU pipeline, and writing the artifact FlatBuffer.
#include "compiler/Aot/Aot.h"
#include "compiler/Aot/CudaAot.h"

#include <chrono>

#include <algorithm>
#include <ctime>
#include <map>

#include "dialects/kiln/IR/KilnDialect.h"
#include "kiln/error.h"
#include "kiln/schemas/artifact_generated.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "runtime/src/xxhash.h"

namespace kiln::compiler {
namespace {

const char* dtype_name(int dtype) {
  static const char* names[] = {"f32", "f64", "i32", "i64", "bool"};
  return dtype >= 0 && dtype < 5 ? names[dtype] : "?";
}

int64_t dtype_size(int dtype) {
  static const int64_t sizes[] = {4, 8, 4, 8, 1};
  return dtype >= 0 && dtype < 5 ? sizes[dtype] : 0;
}

[[noreturn]] void fail(const std::string& why) { detail::fail("compile", why); }

AotTensor tensor_of(mlir::Type type, std::string name, const std::string& where) {
  auto ranked = mlir::dyn_cast<mlir::RankedTensorType>(type);
  if (!ranked || !ranked.hasStaticShape())
    fail(where + " has type " + [&] {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << type;
      return s;
    }() + "; functions for the runtime take statically shaped tensors");
  AotTensor t;
  t.name = std::move(name);
  mlir::Type e = ranked.getElementType();
  if (e.isF32())
    t.dtype = 0;
  else if (e.isF64())
    t.dtype = 1;
  else if (e.isInteger(32))
    t.dtype = 2;
  else if (e.isInteger(64))
    t.dtype = 3;
  else if (e.isInteger(1))
    t.dtype = 4;
  else
    fail(where + " has an element type the runtime does not support");
  t.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
  return t;
}

// Signatures and variables of every defined function, read before lowering.
void describe(mlir::ModuleOp module, const std::string& source, AotModule& out) {
  std::map<std::string, AotTensor> variables;
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    if (fn.isExternal()) continue;
    AotFunction f;
    f.name = fn.getName().str();
    f.batched = fn->hasAttr(mlir::kiln::KilnDialect::kBatchedAttrName);
    std::string where = source + ": function '" + f.name + "'";
    int next_input = 0;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto var =
          fn.getArgAttrOfType<mlir::StringAttr>(i, mlir::kiln::KilnDialect::kVariableAttrName);
      auto name = fn.getArgAttrOfType<mlir::StringAttr>(i, mlir::kiln::KilnDialect::kNameAttrName);
      AotFunction::Arg arg;
      arg.variable = static_cast<bool>(var);
      arg.read = !fn.getArgument(i).use_empty();
      std::string arg_name = var ? var.str() : name ? name.str() : "x" + std::to_string(next_input);
      if (!var) ++next_input;
      arg.spec =
          tensor_of(fn.getArgumentTypes()[i], arg_name, where + " argument #" + std::to_string(i));
      if (auto vocab = fn.getArgAttrOfType<mlir::StringAttr>(
              i, mlir::kiln::KilnDialect::kVocabularyAttrName))
        arg.spec.vocabulary = vocab.str();
      if (arg.variable) {
        auto [it, inserted] = variables.emplace(arg_name, arg.spec);
        if (!inserted && (it->second.dtype != arg.spec.dtype || it->second.shape != arg.spec.shape))
          fail(where + ": variable '" + arg_name + "' is " + arg.spec.str() + " here but " +
               it->second.str() + " in another function");
      }
      f.args.push_back(std::move(arg));
    }
    int next_output = 0;
    for (unsigned r = 0; r < fn.getNumResults(); ++r) {
      if (auto var = fn.getResultAttrOfType<mlir::StringAttr>(
              r, mlir::kiln::KilnDialect::kVariableAttrName)) {
        f.updates.push_back(var.str());
        continue;
      }
      auto name =
          fn.getResultAttrOfType<mlir::StringAttr>(r, mlir::kiln::KilnDialect::kNameAttrName);
      std::string out_name = name ? name.str() : "result" + std::to_string(next_output);
      ++next_output;
      f.outputs.push_back(
          tensor_of(fn.getResultTypes()[r], out_name, where + " result #" + std::to_string(r)));
      if (auto vocab = fn.getResultAttrOfType<mlir::StringAttr>(
              r, mlir::kiln::KilnDialect::kVocabularyAttrName))
        f.outputs.back().vocabulary = vocab.str();
    }
    out.functions.push_back(std::move(f));
  }
  if (out.functions.empty()) fail(source + ": the module defines no function");
  for (auto& [name, spec] : variables) out.variables.push_back(spec);
}

// "file:line:col" for a location that has one (inside names and call sites), as compilers
// print positions; the MLIR form otherwise.
std::string location_text(mlir::Location loc) {
  std::string found;
  loc->walk([&](mlir::Location inner) {
    if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(inner)) {
      found = file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
              std::to_string(file.getColumn());
      return mlir::WalkResult::interrupt();
    }
    return mlir::WalkResult::advance();
  });
  if (!found.empty()) return found;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << loc;
  return s;
}

std::string diagnostic_text(mlir::Diagnostic& d) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << location_text(d.getLocation()) << ": error: " << d;
  for (const mlir::Diagnostic& note : d.getNotes())
    os << "\n  " << location_text(note.getLocation()) << ": note: " << note;
  return s;
}

AotModule compile_parsed(mlir::ModuleOp module, const std::string& origin,
                         const AotOptions& options) {
  AotModule out;
  out.source = origin;
  out.target = options.target;
  out.opt_level = options.opt_level;
  describe(module, origin, out);
  if (is_cuda_target(options.target)) return compile_cuda(module, std::move(out), options);

  CompileOptions compile;
  compile.opt_level = options.opt_level;
  compile.dump_ir_dir = options.dump_ir_dir;
  compile.simplify = options.simplify;
  compile.cpu = options.target;
  // Deployed code stays on one thread: the runtime has no OpenMP runtime in it.
  compile.parallel = false;
  compile.fusion = options.fusion;
  compile.exact_math = options.exact_math;
  compile.memory_plan = options.memory_plan;
  compile.explain = options.explain;
  compile.assembly = options.assembly;
  const auto start = std::chrono::steady_clock::now();
  CpuPipeline pipeline(compile);
  out.sites = pipeline.lower_to_llvm_dialect(module);
  out.report = pipeline.report();
  for (AotFunction& f : out.functions)
    if (const FunctionReport* r = out.report.find(f.name)) f.memory = r->memory;
  {
    llvm::raw_string_ostream os(out.llvm_dialect);
    module.print(os);
  }
  out.native = pipeline.emit_object(module, options.symbol_prefix);
  for (AotFunction& f : out.functions)
    for (const auto& [name, symbol] : out.native.entry_points)
      if (name == f.name) f.symbol = symbol;
  for (const AotFunction& f : out.functions)
    if (f.symbol.empty()) fail("internal error: no entry point was generated for '" + f.name + "'");
  out.report.compile_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

template <typename ParseFn>
AotModule parse_and_compile(const std::string& origin, const AotOptions& options, ParseFn parse) {
  const auto& targets = aot_targets();
  if (!is_cuda_target(options.target) &&
      std::find(targets.begin(), targets.end(), options.target) == targets.end()) {
    std::string list;
    for (const std::string& t : targets) list += (list.empty() ? "" : ", ") + t;
    fail("unknown target '" + options.target + "' (expected one of: " + list + ")");
  }
  if (options.opt_level < 0 || options.opt_level > 3)
    fail("optimization level " + std::to_string(options.opt_level) + " is not in 0..3");
  mlir::DialectRegistry registry;
  register_cpu_pipeline_dialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadDialect<mlir::kiln::KilnDialect, mlir::func::FuncDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic& d) {
    diagnostics += diagnostic_text(d) + "\n";
    return mlir::success();
  });
  // Verified separately, so that a module that parses but is invalid says so.
  mlir::ParserConfig config(&context, /*verifyAfterParse=*/false);
  mlir::OwningOpRef<mlir::ModuleOp> module = parse(config);
  if (!module) fail("cannot read '" + origin + "':\n" + diagnostics);
  if (mlir::failed(mlir::verify(*module)))
    fail("'" + origin + "' does not verify:\n" + diagnostics);
  return compile_parsed(*module, origin, options);
}

}  // namespace

const std::vector<std::string>& aot_targets() {
  static const std::vector<std::string> targets = {"host", "x86-64", "x86-64-v3", "x86-64-v4"};
  return targets;
}

int64_t AotTensor::bytes() const {
  int64_t n = dtype_size(dtype);
  for (int64_t d : shape) n *= d;
  return n;
}

std::string AotTensor::str() const {
  std::string s = std::string(dtype_name(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

AotModule compile_file(const std::string& path, const AotOptions& options) {
  return parse_and_compile(path, options, [&](mlir::ParserConfig& config) {
    return mlir::parseSourceFile<mlir::ModuleOp>(path, config);
  });
}

AotModule compile_source(const std::string& text, const std::string& origin,
                         const AotOptions& options) {
  return parse_and_compile(origin, options, [&](mlir::ParserConfig& config) {
    return mlir::parseSourceString<mlir::ModuleOp>(text, config, origin);
  });
}

std::vector<uint8_t> build_artifact(const AotModule& module, const std::vector<uint8_t>& code,
                                    const std::string& flags) {
  flatbuffers::FlatBufferBuilder b(1024 + code.size());
  auto spec = [&](const AotTensor& t) {
    return fb::CreateTensorSpecDirect(b, t.name.c_str(), static_cast<fb::DType>(t.dtype), &t.shape,
                                      t.vocabulary.empty() ? nullptr : t.vocabulary.c_str());
  };
  std::vector<flatbuffers::Offset<fb::Function>> functions;
  for (const AotFunction& f : module.functions) {
    std::vector<flatbuffers::Offset<fb::Argument>> args;
    for (const AotFunction::Arg& a : f.args)
      args.push_back(fb::CreateArgument(b, spec(a.spec), a.variable, a.read));
    std::vector<flatbuffers::Offset<fb::TensorSpec>> outputs;
    for (const AotTensor& o : f.outputs) outputs.push_back(spec(o));
    std::vector<flatbuffers::Offset<flatbuffers::String>> updates;
    for (const std::string& u : f.updates) updates.push_back(b.CreateString(u));
    functions.push_back(
        fb::CreateFunctionDirect(b, f.name.c_str(), f.symbol.c_str(), &args, &outputs, &updates,
                                 f.batched, static_cast<uint64_t>(f.memory.arena_bytes),
                                 static_cast<uint64_t>(f.memory.sum_temporaries_bytes),
                                 static_cast<uint64_t>(f.memory.peak_live_bytes),
                                 static_cast<uint32_t>(f.memory.heap.size())));
  }
  std::vector<flatbuffers::Offset<fb::Variable>> variables;
  for (const AotTensor& v : module.variables) variables.push_back(fb::CreateVariable(b, spec(v)));
  std::vector<flatbuffers::Offset<fb::ErrorSite>> sites;
  for (size_t i = 0; i < module.sites.size(); ++i) {
    const CheckSite& s = module.sites[i];
    sites.push_back(fb::CreateErrorSiteDirect(b, static_cast<uint32_t>(i + 1), s.op.c_str(),
                                              s.api.c_str(), s.file.c_str(), s.line));
  }
  std::string version = "kiln " KILN_VERSION " (LLVM " LLVM_VERSION_STRING ")";
  auto build = fb::CreateBuildInfoDirect(b, version.c_str(), module.target.c_str(),
                                         module.native.cpu.c_str(), module.native.features.c_str(),
                                         module.opt_level, flags.c_str(), module.source.c_str(),
                                         static_cast<int64_t>(std::time(nullptr)));
  auto artifact = fb::CreateArtifactDirect(
      b, /*format_version=*/1, &functions, &variables, &sites,
      module.native.status_symbol.empty() ? nullptr : module.native.status_symbol.c_str(), build,
      fb::CodeFormat::ElfSharedObject, &code, rt::xxh64(code.data(), code.size()),
      build_cuda_program(b, module));
  b.Finish(artifact, fb::ArtifactIdentifier());
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

}  // namespace kiln::compiler
