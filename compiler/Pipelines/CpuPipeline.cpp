// The CPU pipeline, one stage at a time: each stage is a pass pipeline (or one IR
// rewrite) whose result can be dumped, and whose failure names the stage and the op.
#include "compiler/Pipelines/CpuPipeline.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>

#include "compiler/Pipelines/DiagnosticText.h"
#include "compiler/Transforms/ApproximateMath.h"
#include "compiler/Transforms/ArenaAliasScopes.h"
#include "compiler/Transforms/AssignCheckSites.h"
#include "compiler/Transforms/DescribeKernels.h"
#include "compiler/Transforms/FuseElementwise.h"
#include "compiler/Transforms/OpOrigins.h"
#include "compiler/Transforms/PlanMemory.h"
#include "compiler/Transforms/SimplifyAlgebra.h"
#include "compiler/Transforms/UpdateVariablesInPlace.h"
#include "dialects/kiln/IR/KilnDialect.h"
#include "kiln/error.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#ifdef KILN_HAVE_KILN_TO_LINALG
#include "compiler/Conversion/KilnToLinalg/KilnToLinalg.h"
#endif

namespace kiln::compiler {

#ifdef KILN_LIBOMP
namespace {

// libomp keeps its worker threads alive until the process ends, and LeakSanitizer's exit-time
// check cannot stop such threads (it crashes). Registered after the sanitizer's own handler,
// this one runs first and lets the OpenMP runtime release its threads
// (omp_pause_resource_all(omp_pause_hard)).
void release_openmp_threads_at_exit() {
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen(KILN_LIBOMP, RTLD_NOW | RTLD_NOLOAD);
    if (!lib) return;
    using PauseFn = int (*)(int);
    static auto pause = reinterpret_cast<PauseFn>(dlsym(lib, "omp_pause_resource_all"));
    if (pause) std::atexit([] { pause(/*omp_pause_hard=*/2); });
  });
}

}  // namespace
#endif

namespace {

[[noreturn]] void fail_stage(const std::string& stage, const std::string& why) {
  detail::fail("compile", "stage '" + stage + "' failed: " + why);
}

llvm::CodeGenOptLevel codegen_level(int opt_level) {
  switch (opt_level) {
    case 0:
      return llvm::CodeGenOptLevel::None;
    case 1:
      return llvm::CodeGenOptLevel::Less;
    case 2:
      return llvm::CodeGenOptLevel::Default;
    default:
      return llvm::CodeGenOptLevel::Aggressive;
  }
}

// A target machine for options.cpu; "host" takes the running CPU's name and features.
std::unique_ptr<llvm::TargetMachine> target_machine(const CompileOptions& options,
                                                    bool position_independent = false) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) fail_stage("target", llvm::toString(builder.takeError()));
  if (options.cpu != "host") {
    builder->setCPU(options.cpu);
    builder->getFeatures() = llvm::SubtargetFeatures();
  }
  builder->setCodeGenOptLevel(codegen_level(options.opt_level));
  if (position_independent) builder->setRelocationModel(llvm::Reloc::PIC_);
  auto tm = builder->createTargetMachine();
  if (!tm) fail_stage("target", llvm::toString(tm.takeError()));
  return std::move(*tm);
}

// Iterations of a loop with constant bounds, or -1.
int64_t trip_count(mlir::Value lb, mlir::Value ub, mlir::Value step) {
  auto l = mlir::getConstantIntValue(lb), u = mlir::getConstantIntValue(ub),
       s = mlir::getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0) return -1;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

// The work in one scf.parallel: its iterations times the largest iteration count of the
// scf.for nests in its body (unknown inner bounds count as one), or -1 when its own
// bounds are not constant.
int64_t parallel_work(mlir::scf::ParallelOp par) {
  int64_t iterations = 1;
  for (auto [lb, ub, step] : llvm::zip(par.getLowerBound(), par.getUpperBound(), par.getStep())) {
    int64_t n = trip_count(lb, ub, step);
    if (n < 0) return -1;
    iterations *= n;
  }
  int64_t inner = 1;
  par.getBody()->walk([&](mlir::scf::ForOp loop) {
    int64_t nest = 1;
    for (mlir::Operation* op = loop; op && op != par.getOperation(); op = op->getParentOp())
      if (auto f = llvm::dyn_cast<mlir::scf::ForOp>(op)) {
        int64_t n = trip_count(f.getLowerBound(), f.getUpperBound(), f.getStep());
        if (n > 0) nest *= n;
      }
    inner = std::max(inner, nest);
  });
  return iterations * inner;
}

// Whether threads may run the iterations of `par`: no reductions, nothing shared
// written in the body (the run-time status global, whose first error must be the one
// serial code reports) and no calls.
bool may_run_on_threads(mlir::scf::ParallelOp par) {
  if (!par.getInitVals().empty()) return false;
  bool ok = true;
  par.getBody()->walk([&](mlir::Operation* op) {
    if (llvm::isa<mlir::memref::GetGlobalOp, mlir::func::CallOp>(op)) ok = false;
  });
  return ok;
}

// Keeps as scf.parallel (for convert-scf-to-openmp) only the outermost parallel loops
// with at least `min_work` work that may run on threads; every other scf.parallel
// becomes a serial scf.for nest, iterating in the same (row-major) order.
void serialize_small_parallel_loops(mlir::ModuleOp module, int64_t min_work) {
  llvm::SmallVector<mlir::scf::ParallelOp> serial;
  llvm::SmallPtrSet<mlir::Operation*, 8> kept;
  module.walk<mlir::WalkOrder::PreOrder>([&](mlir::scf::ParallelOp par) {
    bool inside_kept = false;
    for (mlir::Operation* op = par->getParentOp(); op; op = op->getParentOp())
      if (kept.contains(op)) inside_kept = true;
    int64_t work = parallel_work(par);
    if (!inside_kept && work >= min_work && may_run_on_threads(par))
      kept.insert(par);
    else
      serial.push_back(par);
  });
  // Innermost first; moving a body moves its ops (pointers stay valid).
  for (mlir::scf::ParallelOp par : llvm::reverse(serial)) {
    if (!par.getInitVals().empty()) continue;  // lowered by scf-to-cf, still serial
    mlir::OpBuilder b(par);
    mlir::scf::LoopNest nest = mlir::scf::buildLoopNest(b, par.getLoc(), par.getLowerBound(),
                                                        par.getUpperBound(), par.getStep());
    mlir::Block* body = par.getBody();
    mlir::Block* target = nest.loops.back().getBody();
    for (auto [arg, iv] : llvm::zip(body->getArguments(), nest.loops)) {
      arg.replaceAllUsesWith(iv.getInductionVar());
    }
    target->getOperations().splice(mlir::Block::iterator(target->getTerminator()),
                                   body->getOperations(), body->begin(), std::prev(body->end()));
    par.erase();
  }
}

// convert-scf-to-openmp wraps each loop body in memref.alloca_scope, whose region must
// stay one block (scf-to-cf would break it). With no alloca inside, it does nothing:
// its body is moved out.
void inline_empty_alloca_scopes(mlir::ModuleOp module) {
  llvm::SmallVector<mlir::memref::AllocaScopeOp> scopes;
  module.walk([&](mlir::memref::AllocaScopeOp scope) {
    bool has_alloca = false;
    scope->walk([&](mlir::memref::AllocaOp) { has_alloca = true; });
    if (!has_alloca && scope.getBodyRegion().hasOneBlock()) scopes.push_back(scope);
  });
  for (mlir::memref::AllocaScopeOp scope : scopes) {
    mlir::Block& body = scope.getBodyRegion().front();
    mlir::Operation* ret = body.getTerminator();
    scope->replaceAllUsesWith(ret->getOperands());
    scope->getBlock()->getOperations().splice(mlir::Block::iterator(scope), body.getOperations(),
                                              body.begin(), mlir::Block::iterator(ret));
    scope.erase();
  }
}

}  // namespace

bool parallel_available() {
#ifdef KILN_LIBOMP
  return true;
#else
  return false;
#endif
}

void CpuPipeline::dump(const std::string& stage,
                       const std::function<void(llvm::raw_ostream&)>& write,
                       const char* extension) {
  int number = next_stage_++;
  if (options_.dump_ir_dir.empty()) return;
  std::error_code ec = llvm::sys::fs::create_directories(options_.dump_ir_dir);
  if (ec) fail_stage(stage, "cannot create '" + options_.dump_ir_dir + "': " + ec.message());
  char prefix[8];
  std::snprintf(prefix, sizeof prefix, "%02d-", number);
  std::string path =
      (std::filesystem::path(options_.dump_ir_dir) / (prefix + stage + extension)).string();
  llvm::raw_fd_ostream os(path, ec);
  if (ec) fail_stage(stage, "cannot write '" + path + "': " + ec.message());
  write(os);
}

void CpuPipeline::dump_module(const std::string& stage, mlir::ModuleOp module) {
  if (options_.dump_ir_dir.empty()) {
    ++next_stage_;
    return;
  }
  dump(
      stage,
      [&](llvm::raw_ostream& os) {
        mlir::OpPrintingFlags flags;
        flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
        module->print(os, flags);
      },
      ".mlir");
}

void CpuPipeline::run_passes(const std::string& stage, mlir::ModuleOp module,
                             const std::function<void(mlir::OpPassManager&)>& build) {
  auto pm = mlir::PassManager::on<mlir::ModuleOp>(module.getContext());
  build(pm);
  DiagnosticText diags(module.getContext());
  if (mlir::failed(pm.run(module))) fail_stage(stage, "\n" + diags.text());
}

void CpuPipeline::run_stage(const std::string& stage, mlir::ModuleOp module,
                            const std::function<void(mlir::OpPassManager&)>& build) {
  run_passes(stage, module, build);
  dump_module(stage, module);
}

void CpuPipeline::bufferize(mlir::ModuleOp module, bool dump, bool plan) {
  mlir::MLIRContext* ctx = module.getContext();
  {
    DiagnosticText diags(ctx);
    if (mlir::failed(update_variables_in_place(module)) || mlir::failed(mlir::verify(module)))
      fail_stage("variables-in-place", "\n" + diags.text());
    copy_aliased_results(module);
    if (dump) dump_module("variables-in-place", module);
  }
  run_passes("bufferized", module, [](mlir::OpPassManager& pm) {
    mlir::bufferization::OneShotBufferizationOptions bufferize;
    bufferize.bufferizeFunctionBoundaries = true;
    bufferize.setFunctionBoundaryTypeConversion(
        mlir::bufferization::LayoutMapOption::IdentityLayoutMap);
    bufferize.memCpyFn = linalg_copy;
    // A loop may yield a new buffer per iteration (scalars, values it cannot update in
    // place); deallocation frees the old ones.
    bufferize.allowReturnAllocsFromLoops = true;
    // tensor.empty results that are inserted into a larger tensor (a scatter's rows)
    // become slices of it: computed in place instead of in a buffer then copied.
    pm.addPass(mlir::bufferization::createEmptyTensorEliminationPass());
    pm.addPass(mlir::bufferization::createOneShotBufferizePass(bufferize));
    // Bufferized scf.forall (top_k's rows) as scf.parallel, like linalg's parallel loops.
    pm.addPass(mlir::createForallToParallelLoopPass());
    mlir::bufferization::BufferResultsToOutParamsOpts out_params;
    out_params.hoistStaticAllocs = true;
    out_params.memCpyFn = linalg_copy;
    pm.addPass(mlir::bufferization::createBufferResultsToOutParamsPass(out_params));
    pm.addPass(mlir::createCanonicalizerPass());  // folds the self-copies of in-place updates
  });
  if (plan) {
    for (auto& [name, memory] : plan_memory(module)) {
      FunctionReport* f = report_.find(name);
      if (!f) {
        report_.functions.push_back(FunctionReport{});
        f = &report_.functions.back();
        f->name = name;
      }
      f->memory = std::move(memory);
    }
  }
  run_passes("bufferized", module, [](mlir::OpPassManager& pm) {
    mlir::bufferization::BufferDeallocationPipelineOptions dealloc;
    mlir::bufferization::buildBufferDeallocationPipeline(pm, dealloc);
    pm.addPass(mlir::createBufferizationToMemRefPass());  // clones left by deallocation
  });
  if (dump) dump_module("bufferized", module);
}

std::vector<CheckSite> CpuPipeline::lower_to_llvm_dialect(mlir::ModuleOp module) {
  dump_module("traced", module);
  mlir::kiln::removeRuntimeAttributes(module);

  run_passes("canonicalized", module, [](mlir::OpPassManager& pm) {
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
  });
  std::vector<CheckSite> sites = assign_check_sites(module);
  dump_module("canonicalized", module);
  if (options_.simplify)
    run_stage("simplified", module, [](mlir::OpPassManager& pm) {
      pm.addPass(createSimplifyAlgebraPass());
      pm.addPass(mlir::createCSEPass());
    });
  tag_op_origins(module);

#ifdef KILN_HAVE_KILN_TO_LINALG
  run_stage("kiln-to-linalg", module, [](mlir::OpPassManager& pm) {
    pm.addPass(createConvertKilnToLinalgPass());
    pm.addPass(mlir::createCanonicalizerPass());
  });
#else
  bool has_kiln_ops = false;
  module.walk([&](mlir::Operation* op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "kiln") has_kiln_ops = true;
  });
  if (has_kiln_ops)
    fail_stage("kiln-to-linalg",
               "this build has no kiln-to-linalg conversion "
               "(compiler/Conversion/KilnToLinalg is missing)");
  dump_module("kiln-to-linalg", module);
#endif

  if (options_.explain && options_.fusion) {
    // The same function without fusion, bufferized, for the report's before/after.
    mlir::OwningOpRef<mlir::ModuleOp> unfused(module.clone());
    CpuPipeline copy(options_);
    copy.options_.dump_ir_dir.clear();
    copy.bufferize(*unfused, /*dump=*/false, /*plan=*/false);
    for (auto fn : unfused->getOps<mlir::func::FuncOp>()) {
      FunctionReport f;
      f.name = fn.getName().str();
      std::vector<KernelReport> kernels = describe_kernels(fn);
      f.kernels_unfused = static_cast<int>(kernels.size());
      for (const KernelReport& k : kernels) f.bytes_unfused += k.bytes;
      report_.functions.push_back(std::move(f));
    }
  }
  if (options_.fusion) {
    auto decisions =
        fuse_elementwise(module, FuseOptions{/*approximated_math=*/!options_.exact_math});
    for (auto& [name, list] : decisions) {
      FunctionReport* f = report_.find(name);
      if (!f) {
        report_.functions.push_back(FunctionReport{});
        f = &report_.functions.back();
        f->name = name;
      }
      f->fusion = std::move(list);
    }
    // No CSE here: it would merge the tensor.empty ops of different kernels, and empty
    // tensor elimination would then hand one variable's buffer to all of them.
    run_stage("fused", module,
              [](mlir::OpPassManager& pm) { pm.addPass(mlir::createCanonicalizerPass()); });
  }
  bufferize(module, /*dump=*/true, /*plan=*/options_.memory_plan);
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    FunctionReport* f = report_.find(fn.getName().str());
    if (!f) {
      report_.functions.push_back(FunctionReport{});
      f = &report_.functions.back();
      f->name = fn.getName().str();
    }
    f->kernels = describe_kernels(fn);
  }
  (options_.fusion ? report_.optimizations_on : report_.optimizations_off).push_back("fusion");
  (options_.memory_plan ? report_.optimizations_on : report_.optimizations_off)
      .push_back("memory-plan");

  const bool parallel = options_.parallel && parallel_available();
  if (parallel) {
    // Outer parallel dims become scf.parallel, reduction dims serial scf.for inside; the
    // large ones become OpenMP worksharing loops, the others serial loops again.
    run_passes("loops", module, [](mlir::OpPassManager& pm) {
      pm.addNestedPass<mlir::func::FuncOp>(mlir::createConvertLinalgToParallelLoopsPass());
    });
    serialize_small_parallel_loops(module, options_.parallel_min_work);
    run_passes("loops", module, [&](mlir::OpPassManager& pm) {
      mlir::ConvertSCFToOpenMPPassOptions omp;
      omp.numThreads = static_cast<unsigned>(std::max(options_.threads, 0));
      pm.addPass(mlir::createConvertSCFToOpenMPPass(omp));
    });
    inline_empty_alloca_scopes(module);
  }
  run_stage("loops", module, [&](mlir::OpPassManager& pm) {
    if (!parallel) pm.addNestedPass<mlir::func::FuncOp>(mlir::createConvertLinalgToLoopsPass());
    pm.addPass(mlir::createLowerAffinePass());
    pm.addPass(mlir::createConvertSCFToCFPass());
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
  });

  if (!options_.exact_math && mlir::failed(approximate_math(module)))
    fail_stage("approximate-math", "the math approximation patterns failed");
  run_stage("llvm-dialect", module, [](mlir::OpPassManager& pm) {
    // libm first: MathToLLVM would expand log1p/expm1 into log(1 + x) / exp(x) - 1, which
    // loses the small-x accuracy of the eager kernels (softplus(-30) would become 0).
    pm.addPass(mlir::createConvertMathToLibmPass());
    pm.addNestedPass<mlir::func::FuncOp>(mlir::createConvertMathToLLVMPass());
    pm.addPass(mlir::createArithToLLVMConversionPass());
    pm.addPass(mlir::createConvertIndexToLLVMPass());
    pm.addPass(mlir::memref::createExpandStridedMetadataPass());
    pm.addPass(mlir::createLowerAffinePass());
    pm.addPass(mlir::createConvertOpenMPToLLVMPass());
    pm.addPass(mlir::createFinalizeMemRefToLLVMConversionPass());
    pm.addPass(mlir::createConvertFuncToLLVMPass());
    pm.addPass(mlir::createConvertControlFlowToLLVMPass());
    pm.addPass(mlir::createUBToLLVMConversionPass());
    pm.addPass(mlir::createReconcileUnrealizedCastsPass());
    pm.addPass(mlir::createCanonicalizerPass());
  });
  annotate_arena_alias_scopes(module, report_);
  return sites;
}

std::unique_ptr<mlir::ExecutionEngine> CpuPipeline::jit_compile(mlir::ModuleOp module) {
  auto transformer_tm = target_machine(options_);
  auto optimize =
      mlir::makeOptimizingTransformer(static_cast<unsigned>(std::clamp(options_.opt_level, 0, 3)),
                                      /*sizeLevel=*/0, transformer_tm.get());

  if (!options_.dump_ir_dir.empty()) {
    // The JIT builds its own copy; this one is optimized the same way and printed.
    llvm::LLVMContext llvm_ctx;
    DiagnosticText diags(module.getContext());
    std::unique_ptr<llvm::Module> m = mlir::translateModuleToLLVMIR(module, llvm_ctx, "kiln");
    if (!m) fail_stage("llvm-ir", "\n" + diags.text());
    m->setDataLayout(transformer_tm->createDataLayout());
    m->setTargetTriple(transformer_tm->getTargetTriple().getTriple());
    if (llvm::Error e = optimize(m.get()))
      fail_stage("llvm-optimize", llvm::toString(std::move(e)));
    dump(
        "module", [&](llvm::raw_ostream& os) { m->print(os, nullptr); }, ".ll");
    std::string asm_text;
    {
      llvm::raw_string_ostream as(asm_text);
      llvm::buffer_ostream buffered(as);
      llvm::legacy::PassManager codegen;
      if (transformer_tm->addPassesToEmitFile(codegen, buffered, nullptr,
                                              llvm::CodeGenFileType::AssemblyFile))
        fail_stage("assembly", "the target cannot emit assembly");
      codegen.run(*m);
    }
    dump(
        "module", [&](llvm::raw_ostream& os) { os << asm_text; }, ".s");
  }

  mlir::ExecutionEngineOptions engine_options;
  engine_options.transformer = optimize;
  engine_options.jitCodeGenOptLevel = codegen_level(options_.opt_level);
  engine_options.enablePerfNotificationListener = false;
  // memref.copy of non-contiguous views, should any remain, calls into this library.
  // OpenMP loops call into LLVM's OpenMP runtime.
  llvm::SmallVector<llvm::StringRef, 2> runtime_libraries = {KILN_MLIR_C_RUNNER_UTILS};
#ifdef KILN_LIBOMP
  runtime_libraries.push_back(KILN_LIBOMP);
#endif
  engine_options.sharedLibPaths = runtime_libraries;
  DiagnosticText diags(module.getContext());
  auto engine = mlir::ExecutionEngine::create(module, engine_options, target_machine(options_));
  if (!engine) fail_stage("jit", llvm::toString(engine.takeError()) + "\n" + diags.text());
#ifdef KILN_LIBOMP
  release_openmp_threads_at_exit();
#endif
  return std::move(*engine);
}

namespace {

// Gives the module a small, prefixed set of exported symbols: each function's packed entry
// point `<prefix><name>(void** args)` (args[i] points at the i-th argument of the C
// interface _mlir_ciface_<name>, i.e. at a pointer to a memref descriptor) and the
// run-time status word `<prefix>status`. Everything else the module defines becomes
// internal, so that several compiled modules can be linked into one program.
std::vector<std::pair<std::string, std::string>> export_entry_points(llvm::Module& m,
                                                                     const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> entries;  // {function, symbol}
  std::vector<llvm::Function*> interfaces;
  for (llvm::Function& f : m) {
    if (f.isDeclaration()) continue;
    if (f.getName().starts_with("_mlir_ciface_")) interfaces.push_back(&f);
    else f.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  llvm::LLVMContext& ctx = m.getContext();
  llvm::Type* ptr = llvm::PointerType::getUnqual(ctx);
  for (llvm::Function* iface : interfaces) {
    std::string name = iface->getName().drop_front(strlen("_mlir_ciface_")).str();
    std::string symbol = prefix + name;
    auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
    auto* packed = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, symbol, m);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", packed));
    std::vector<llvm::Value*> args;
    for (unsigned i = 0; i < iface->arg_size(); ++i) {
      llvm::Value* slot = b.CreateConstGEP1_64(ptr, packed->getArg(0), i);
      llvm::Value* arg_ptr = b.CreateLoad(ptr, slot);  // &descriptor_pointer
      args.push_back(b.CreateLoad(iface->getArg(i)->getType(), arg_ptr));
    }
    b.CreateCall(iface, args);
    b.CreateRetVoid();
    iface->setLinkage(llvm::GlobalValue::InternalLinkage);
    entries.emplace_back(name, symbol);
  }
  for (llvm::GlobalVariable& g : m.globals()) {
    if (g.isDeclaration()) continue;
    if (g.getName() == "__kiln_status") {
      g.setName(prefix + "status");
      g.setLinkage(llvm::GlobalValue::ExternalLinkage);
    } else {
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
    }
  }
  return entries;
}

}  // namespace

NativeObject CpuPipeline::emit_object(mlir::ModuleOp module, const std::string& symbol_prefix) {
  auto tm = target_machine(options_, /*position_independent=*/true);
  llvm::LLVMContext llvm_ctx;
  DiagnosticText diags(module.getContext());
  std::unique_ptr<llvm::Module> m = mlir::translateModuleToLLVMIR(module, llvm_ctx, "kiln");
  if (!m) fail_stage("llvm-ir", "\n" + diags.text());
  m->setDataLayout(tm->createDataLayout());
  m->setTargetTriple(tm->getTargetTriple().getTriple());
  m->setPICLevel(llvm::PICLevel::BigPIC);

  NativeObject out;
  out.entry_points = export_entry_points(*m, symbol_prefix);
  out.status_symbol = m->getGlobalVariable(symbol_prefix + "status") ? symbol_prefix + "status" : "";
  out.triple = tm->getTargetTriple().getTriple();
  out.cpu = tm->getTargetCPU().str();
  out.features = tm->getTargetFeatureString().str();

  auto optimize =
      mlir::makeOptimizingTransformer(static_cast<unsigned>(std::clamp(options_.opt_level, 0, 3)),
                                      /*sizeLevel=*/0, tm.get());
  if (llvm::Error e = optimize(m.get())) fail_stage("llvm-optimize", llvm::toString(std::move(e)));
  {
    llvm::raw_string_ostream os(out.llvm_ir);
    m->print(os, nullptr);
  }
  dump(
      "module", [&](llvm::raw_ostream& os) { os << out.llvm_ir; }, ".ll");
  auto emit = [&](llvm::CodeGenFileType kind, const char* what) {
    llvm::SmallVector<char, 0> buffer;
    llvm::raw_svector_ostream os(buffer);
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, os, nullptr, kind))
      fail_stage(what, std::string("the target cannot emit ") + what);
    codegen.run(*m);
    return buffer;
  };
  if (options_.assembly || !options_.dump_ir_dir.empty()) {
    // Code generation changes the module (it is not re-run on the same module twice).
    std::unique_ptr<llvm::Module> copy = llvm::CloneModule(*m);
    auto assembly = emit(llvm::CodeGenFileType::AssemblyFile, "assembly");
    out.assembly.assign(assembly.begin(), assembly.end());
    dump(
        "module", [&](llvm::raw_ostream& os) { os << out.assembly; }, ".s");
    m = std::move(copy);
  }
  auto object = emit(llvm::CodeGenFileType::ObjectFile, "object");
  out.object.assign(object.begin(), object.end());
  return out;
}

}  // namespace kiln::compiler
