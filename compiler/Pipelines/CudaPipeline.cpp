// The CUDA pipeline, stage by stage: the CPU pipeline's front (canonicalize, kiln ->
// linalg, variables in place, bufferize), then linalg -> scf.parallel -> gpu.launch ->
// outlined kernels -> NVVM -> LLVM IR -> PTX. The host side is never lowered: what is
// left of each function after outlining (buffers and gpu.launch_func) is read into a plan.
#include "compiler/Pipelines/CudaPipeline.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "compiler/Pipelines/DiagnosticText.h"
#include "compiler/Transforms/UpdateVariablesInPlace.h"
#include "dialects/kiln/IR/KilnDialect.h"
#include "kiln/error.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToGPU/SCFToGPUPass.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#ifdef KILN_HAVE_KILN_TO_LINALG
#include "compiler/Conversion/KilnToLinalg/KilnToLinalg.h"
#endif

extern "C" {
void LLVMInitializeNVPTXTargetInfo();
void LLVMInitializeNVPTXTarget();
void LLVMInitializeNVPTXTargetMC();
void LLVMInitializeNVPTXAsmPrinter();
}

namespace kiln::compiler {
namespace {

constexpr const char* kKernelModule = "kiln_kernels";
constexpr const char* kStatusGlobal = "__kiln_status";

[[noreturn]] void fail_stage(const std::string& stage, const std::string& why) {
  detail::fail("compile", "cuda stage '" + stage + "' failed: " + why);
}

std::string op_text(mlir::Operation* op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "'" << op->getName() << "' at " << op->getLoc();
  return s;
}

// Ops that stay on the host: they name buffers or constants, and run no code on data.
bool is_host_op(mlir::Operation* op) {
  return mlir::isa<mlir::memref::AllocOp, mlir::arith::ConstantOp, mlir::func::ReturnOp,
                   mlir::gpu::LaunchOp, mlir::gpu::LaunchFuncOp, mlir::memref::GetGlobalOp>(op) ||
         mlir::isa<mlir::ViewLikeOpInterface>(op);
}

// Turns every scf.parallel inside `root` into a serial scf.for nest (row-major order).
void serialize_parallel_loops(mlir::Operation* root) {
  llvm::SmallVector<mlir::scf::ParallelOp> loops;
  root->walk([&](mlir::scf::ParallelOp par) { loops.push_back(par); });
  for (mlir::scf::ParallelOp par : loops) {    // post-order: innermost first
    if (!par.getInitVals().empty()) continue;  // scf-to-cf lowers it serially
    mlir::OpBuilder b(par);
    mlir::scf::LoopNest nest = mlir::scf::buildLoopNest(b, par.getLoc(), par.getLowerBound(),
                                                        par.getUpperBound(), par.getStep());
    mlir::Block* body = par.getBody();
    mlir::Block* target = nest.loops.back().getBody();
    for (auto [arg, loop] : llvm::zip(body->getArguments(), nest.loops))
      arg.replaceAllUsesWith(loop.getInductionVar());
    target->getOperations().splice(mlir::Block::iterator(target->getTerminator()),
                                   body->getOperations(), body->begin(), std::prev(body->end()));
    par.erase();
  }
}

// Deallocations of the function's own top-level allocations: those buffers are planned
// (allocated once by the runtime), so freeing them is dropped.
void drop_planned_deallocations(mlir::func::FuncOp fn) {
  if (fn.isExternal()) return;
  llvm::SmallVector<mlir::memref::DeallocOp> planned;
  for (auto dealloc : fn.getBody().front().getOps<mlir::memref::DeallocOp>()) {
    mlir::Value root = dealloc.getMemref();
    while (mlir::Operation* def = root.getDefiningOp()) {
      auto view = mlir::dyn_cast<mlir::ViewLikeOpInterface>(def);
      if (!view) break;
      root = view.getViewSource();
    }
    auto alloc = root.getDefiningOp<mlir::memref::AllocOp>();
    if (alloc && alloc->getBlock() == &fn.getBody().front()) planned.push_back(dealloc);
  }
  for (auto dealloc : planned) dealloc.erase();
}

// Data-parallel loops: each top-level scf.parallel becomes one 1-D loop (its dims
// collapsed), which tiling then splits into blocks of block_size threads.
void collapse_parallel_loops(mlir::func::FuncOp fn) {
  mlir::IRRewriter rewriter(fn.getContext());
  llvm::SmallVector<mlir::scf::ParallelOp> loops(
      fn.getBody().front().getOps<mlir::scf::ParallelOp>());
  for (mlir::scf::ParallelOp par : loops) {
    if (!par.getInitVals().empty() || par.getNumLoops() < 2) continue;
    std::vector<unsigned> all(par.getNumLoops());
    for (unsigned i = 0; i < all.size(); ++i) all[i] = i;
    rewriter.setInsertionPoint(par);
    mlir::collapseParallelLoops(rewriter, par, {all});
  }
}

bool is_data_parallel(mlir::Operation* op) {
  auto par = mlir::dyn_cast<mlir::scf::ParallelOp>(op);
  return par && par.getInitVals().empty();
}

// Serial code (a full reduction's loop nest, a kiln.loop, a scalar store) runs in
// single-thread kernels, one per run of consecutive serial top-level ops. A run grows to
// take in every later op that uses a buffer it made (the buffers a kiln.loop yields live
// only inside its kernel), data-parallel loops included (they then run serially inside).
// A scalar it computes for later code (an RNG counter read from its state variable)
// goes through a one-element device buffer: stored in the run, loaded where used.
void make_serial_kernels(mlir::func::FuncOp fn) {
  mlir::Block& entry = fn.getBody().front();
  // Allocations first (static shapes: no operands), so that no run takes one in.
  llvm::SmallVector<mlir::memref::AllocOp> allocs(entry.getOps<mlir::memref::AllocOp>());
  for (auto alloc : allocs) alloc->moveBefore(&entry.front());

  std::vector<mlir::Operation*> ops;
  for (mlir::Operation& op : entry) ops.push_back(&op);
  llvm::DenseMap<mlir::Operation*, size_t> index;
  for (size_t i = 0; i < ops.size(); ++i) index[ops[i]] = i;
  std::vector<std::pair<size_t, size_t>> runs;  // [first, last]
  for (size_t i = 0; i < ops.size(); ++i) {
    if (is_host_op(ops[i]) || is_data_parallel(ops[i])) continue;
    // Constants and globals between serial ops do not split them into two kernels.
    bool joins = !runs.empty();
    for (size_t k = joins ? runs.back().second + 1 : i; joins && k < i; ++k)
      joins = mlir::isa<mlir::arith::ConstantOp, mlir::memref::GetGlobalOp>(ops[k]);
    if (joins)
      runs.back().second = i;
    else
      runs.emplace_back(i, i);
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [first, last] : runs)
      for (size_t i = first; i <= last; ++i)
        for (mlir::Value result : ops[i]->getResults()) {
          if (result.getType().isIntOrIndexOrFloat()) continue;
          for (mlir::Operation* user : result.getUsers()) {
            size_t at = index[entry.findAncestorOpInBlock(*user)];
            if (at > last) last = at, changed = true;
          }
        }
    std::vector<std::pair<size_t, size_t>> merged;
    for (const auto& run : runs) {
      if (!merged.empty() && run.first <= merged.back().second + 1)
        merged.back().second = std::max(merged.back().second, run.second);
      else
        merged.push_back(run);
    }
    if (merged.size() != runs.size()) changed = true;
    runs = std::move(merged);
  }

  std::vector<std::pair<mlir::Operation*, mlir::Operation*>> bounds;
  for (const auto& [first, last] : runs) bounds.emplace_back(ops[first], ops[last]);
  llvm::SmallPtrSet<mlir::Operation*, 8> spill_loads, spill_stores;
  for (const auto& [first, last] : runs) {
    llvm::SmallPtrSet<mlir::Operation*, 16> inside;
    for (size_t i = first; i <= last; ++i) inside.insert(ops[i]);
    for (size_t i = first; i <= last; ++i)
      for (mlir::Value result : ops[i]->getResults()) {
        llvm::SmallVector<mlir::OpOperand*> outside;
        for (mlir::OpOperand& use : result.getUses())
          if (!inside.contains(entry.findAncestorOpInBlock(*use.getOwner())))
            outside.push_back(&use);
        if (outside.empty() || is_host_op(ops[i])) continue;
        if (!result.getType().isIntOrIndexOrFloat())
          fail_stage("kernels", "the value of " + op_text(ops[i]) +
                                    " is computed on the device but used by host code " +
                                    op_text(outside.front()->getOwner()));
        mlir::OpBuilder at_entry = mlir::OpBuilder::atBlockBegin(&entry);
        auto spill = at_entry.create<mlir::memref::AllocOp>(
            ops[i]->getLoc(), mlir::MemRefType::get({}, result.getType()));
        mlir::OpBuilder after(ops[i]->getContext());
        after.setInsertionPointAfter(ops[i]);
        spill_stores.insert(after.create<mlir::memref::StoreOp>(ops[i]->getLoc(), result, spill,
                                                                mlir::ValueRange{}));
        for (mlir::OpOperand* use : outside) {
          mlir::OpBuilder before(use->getOwner());
          auto load =
              before.create<mlir::memref::LoadOp>(ops[i]->getLoc(), spill, mlir::ValueRange{});
          spill_loads.insert(load);
          use->set(load);
        }
      }
  }

  for (auto [first, last] : bounds) {
    while (first->getPrevNode() && spill_loads.contains(first->getPrevNode()))
      first = first->getPrevNode();
    while (last->getNextNode() && spill_stores.contains(last->getNextNode()))
      last = last->getNextNode();
    llvm::SmallVector<mlir::Operation*> run;
    for (mlir::Operation* op = first;; op = op->getNextNode()) {
      run.push_back(op);
      if (op == last) break;
    }
    llvm::SmallPtrSet<mlir::Operation*, 16> inside(run.begin(), run.end());
    mlir::OpBuilder b(first);
    mlir::Location loc = first->getLoc();
    mlir::Value one = b.create<mlir::arith::ConstantIndexOp>(loc, 1);
    auto launch = b.create<mlir::gpu::LaunchOp>(loc, one, one, one, one, one, one);
    mlir::OpBuilder inner = mlir::OpBuilder::atBlockEnd(&launch.getBody().front());
    auto terminator = inner.create<mlir::gpu::TerminatorOp>(loc);
    for (mlir::Operation* op : run) {
      // Constants and globals stay outside too (later code may use them); sinking copies
      // them into the kernels that do. So do views of host buffers that later code uses
      // (statically shaped: a kernel parameter is one pointer).
      auto view = mlir::dyn_cast<mlir::ViewLikeOpInterface>(op);
      auto type = view ? mlir::dyn_cast<mlir::MemRefType>(op->getResult(0).getType()) : nullptr;
      const bool host_view =
          type && type.hasStaticShape() &&
          llvm::none_of(op->getOperands(),
                        [&](mlir::Value v) {
                          return v.getDefiningOp() && inside.contains(v.getDefiningOp());
                        }) &&
          llvm::any_of(op->getUsers(), [&](mlir::Operation* user) {
            return !inside.contains(entry.findAncestorOpInBlock(*user));
          });
      if (mlir::isa<mlir::arith::ConstantOp, mlir::memref::GetGlobalOp>(op) || host_view)
        op->moveBefore(launch);
      else
        op->moveBefore(terminator);
    }
    // Checked before serializing: that erases the scf.parallel ops `run` points at.
    for (mlir::Operation* op : run)
      if (op->getParentOp() == launch.getOperation())
        for (mlir::Operation* user : op->getUsers())
          if (!launch->isAncestor(user))
            fail_stage("kernels", "the value of " + op_text(op) +
                                      " is computed on the device but used by host code " +
                                      op_text(user));
    serialize_parallel_loops(launch);
  }
}

// The buffer a kernel operand views: a function argument or an allocation, through
// subviews, casts and reshapes (which keep the base address; layouts carry the offset).
mlir::Value root_buffer(mlir::Value v) {
  while (mlir::Operation* def = v.getDefiningOp()) {
    auto view = mlir::dyn_cast<mlir::ViewLikeOpInterface>(def);
    if (!view) break;
    v = view.getViewSource();
  }
  return v;
}

int64_t buffer_bytes(mlir::MemRefType type, mlir::Operation* op) {
  if (!type.hasStaticShape())
    fail_stage("plan", "a buffer of dynamic shape is allocated by " + op_text(op));
  mlir::Type e = type.getElementType();
  if (!e.isIntOrIndexOrFloat())
    fail_stage("plan",
               "a buffer of element type other than numbers is allocated by " + op_text(op));
  int64_t elem = e.isIndex()      ? 8
                 : e.isInteger(1) ? 1
                                  : static_cast<int64_t>((e.getIntOrFloatBitWidth() + 7) / 8);
  return std::max<int64_t>(type.getNumElements() * elem, 1);
}

int64_t constant_dim(mlir::Value v, mlir::Operation* launch) {
  auto c = mlir::getConstantIntValue(v);
  if (!c || *c <= 0 || *c > (int64_t{1} << 31) - 1)
    fail_stage("plan", "a launch dimension is not a positive constant in " + op_text(launch));
  return *c;
}

// The host function after outlining, read as a plan: allocations become temporaries,
// gpu.launch_func becomes a launch; anything else left on the host is an error.
CudaFunctionPlan read_plan(mlir::func::FuncOp fn) {
  CudaFunctionPlan plan;
  plan.name = fn.getName().str();
  plan.arguments = static_cast<int>(fn.getNumArguments());
  llvm::DenseMap<mlir::Value, int> buffers;
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    buffers[fn.getArgument(i)] = static_cast<int>(i);
  for (mlir::Operation& op : fn.getBody().front()) {
    if (auto alloc = mlir::dyn_cast<mlir::memref::AllocOp>(op)) {
      buffers[alloc.getResult()] = plan.arguments + static_cast<int>(plan.temporaries.size());
      plan.temporaries.push_back(buffer_bytes(alloc.getType(), &op));
    } else if (auto launch = mlir::dyn_cast<mlir::gpu::LaunchFuncOp>(op)) {
      CudaLaunch l;
      l.kernel = launch.getKernelName().str();
      mlir::gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      mlir::gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      l.grid = {constant_dim(grid.x, &op), constant_dim(grid.y, &op), constant_dim(grid.z, &op)};
      l.block = {constant_dim(block.x, &op), constant_dim(block.y, &op),
                 constant_dim(block.z, &op)};
      if (launch.getDynamicSharedMemorySize())
        fail_stage("plan", "dynamic shared memory is not supported: " + op_text(&op));
      for (mlir::Value operand : launch.getKernelOperands()) {
        if (!mlir::isa<mlir::MemRefType>(operand.getType()))
          fail_stage("plan", "kernel '" + l.kernel +
                                 "' takes a host value that is not a "
                                 "buffer (" +
                                 op_text(&op) + ")");
        auto it = buffers.find(root_buffer(operand));
        if (it == buffers.end())
          fail_stage("plan", "kernel '" + l.kernel +
                                 "' uses a buffer that is neither an "
                                 "argument nor an allocation (" +
                                 op_text(&op) + ")");
        l.buffers.push_back(it->second);
      }
      plan.launches.push_back(std::move(l));
    } else if (!is_host_op(&op)) {
      fail_stage("plan", "host code is left after outlining: " + op_text(&op));
    }
  }
  return plan;
}

// Outlining makes one gpu.module per kernel (named uniquely; the kernels inside may share a
// name); they all move into one, each kernel renamed after its module, so that one PTX
// module holds every kernel and one copy of each global (the status word).
void merge_kernel_modules(mlir::ModuleOp module) {
  llvm::SmallVector<mlir::gpu::GPUModuleOp> modules(module.getOps<mlir::gpu::GPUModuleOp>());
  mlir::OpBuilder b = mlir::OpBuilder::atBlockEnd(module.getBody());
  auto merged = b.create<mlir::gpu::GPUModuleOp>(module.getLoc(), kKernelModule);
  mlir::SymbolTable table(merged);
  std::map<std::pair<std::string, std::string>, std::string> renamed;  // (module, kernel)
  for (mlir::gpu::GPUModuleOp m : modules) {
    llvm::SmallVector<mlir::Operation*> ops;
    for (mlir::Operation& op : m.getBody()->without_terminator()) ops.push_back(&op);
    for (mlir::Operation* op : ops) {
      auto name = op->getAttrOfType<mlir::StringAttr>(mlir::SymbolTable::getSymbolAttrName());
      if (auto kernel = mlir::dyn_cast<mlir::gpu::GPUFuncOp>(op)) {
        std::string unique = m.getName().str();
        if (kernel.getName() != m.getName() && table.lookup(unique))
          unique += "_" + kernel.getName().str();
        if (table.lookup(unique)) fail_stage("kernels", "two kernels are named '" + unique + "'");
        renamed[{m.getName().str(), kernel.getName().str()}] = unique;
        kernel.setName(unique);
      } else if (name && table.lookup(name)) {
        op->erase();  // a global already there
        continue;
      }
      op->moveBefore(merged.getBody()->getTerminator());
      table.insert(op);
    }
  }
  module.walk([&](mlir::gpu::LaunchFuncOp launch) {
    auto it = renamed.find({launch.getKernelModuleName().str(), launch.getKernelName().str()});
    if (it == renamed.end())
      fail_stage("kernels", "a launch names an unknown kernel: " + op_text(launch));
    launch.setKernelAttr(
        mlir::SymbolRefAttr::get(b.getStringAttr(kKernelModule),
                                 {mlir::FlatSymbolRefAttr::get(b.getStringAttr(it->second))}));
  });
  for (mlir::gpu::GPUModuleOp m : modules) m.erase();
}

// Buffers a kernel allocates (a loop's carried values, a row copied before it is updated)
// come from CUDA's device heap (malloc and free in PTX); kernels call no host functions.
void check_kernels(mlir::gpu::GPUModuleOp kernels) {
  // convert-gpu-to-nvvm calls free (and malloc) without declaring them (LLVM 19).
  bool allocates = false;
  kernels.walk([&](mlir::Operation* op) {
    if (mlir::isa<mlir::memref::AllocOp, mlir::memref::DeallocOp>(op)) allocates = true;
  });
  if (allocates) {
    mlir::MLIRContext* ctx = kernels.getContext();
    mlir::OpBuilder b = mlir::OpBuilder::atBlockBegin(kernels.getBody());
    auto ptr = mlir::LLVM::LLVMPointerType::get(ctx);
    b.create<mlir::LLVM::LLVMFuncOp>(kernels.getLoc(), "malloc",
                                     mlir::LLVM::LLVMFunctionType::get(ptr, {b.getI64Type()}));
    b.create<mlir::LLVM::LLVMFuncOp>(
        kernels.getLoc(), "free",
        mlir::LLVM::LLVMFunctionType::get(mlir::LLVM::LLVMVoidType::get(ctx), {ptr}));
  }
  // Helpers the kernels call (the normal quantile of random_normal) came along with them;
  // the C library functions those call are libdevice's (__nv_erfc for erfc).
  static const llvm::StringSet<> libm = {
      "erf",   "erfc",   "erff", "erfcf", "exp",  "expf",  "expm1", "expm1f", "log",   "logf",
      "log1p", "log1pf", "sqrt", "sqrtf", "tanh", "tanhf", "pow",   "powf",   "floor", "floorf",
      "fabs",  "fabsf",  "sin",  "sinf",  "cos",  "cosf",  "atan2", "atan2f", "fmod",  "fmodf"};
  mlir::SymbolTable table(kernels);
  for (auto fn : llvm::make_early_inc_range(kernels.getOps<mlir::func::FuncOp>())) {
    fn->removeAttr("llvm.emit_c_interface");
    if (!fn.isExternal()) continue;
    if (!libm.contains(fn.getName()))
      fail_stage("kernels", "a kernel calls '" + fn.getName().str() +
                                "', which has no device "
                                "version (not supported on CUDA yet)");
    const std::string device_name = "__nv_" + fn.getName().str();
    if (mlir::failed(table.rename(fn, mlir::StringAttr::get(fn.getContext(), device_name))))
      fail_stage("kernels", "cannot rename '" + fn.getName().str() + "' to " + device_name);
  }
}

std::unique_ptr<llvm::TargetMachine> nvptx_target_machine(const CudaOptions& options) {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
  const std::string triple = "nvptx64-nvidia-cuda";
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) fail_stage("ptx", "this LLVM has no NVPTX backend: " + error);
  llvm::CodeGenOptLevel level = options.opt_level == 0   ? llvm::CodeGenOptLevel::None
                                : options.opt_level == 1 ? llvm::CodeGenOptLevel::Less
                                : options.opt_level == 2 ? llvm::CodeGenOptLevel::Default
                                                         : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(triple, options.ptx_arch, "+ptx75", llvm::TargetOptions(),
                                  std::nullopt, std::nullopt, level));
  if (!tm) fail_stage("ptx", "cannot create an NVPTX target machine for " + options.ptx_arch);
  return tm;
}

// libdevice (math functions as __nv_*): $KILN_LIBDEVICE, $CUDA_PATH's, the build's, then
// /usr/local/cuda's.
std::string find_libdevice() {
  std::vector<std::string> candidates;
  if (const char* p = std::getenv("KILN_LIBDEVICE")) candidates.push_back(p);
  if (const char* p = std::getenv("CUDA_PATH"))
    candidates.push_back(std::string(p) + "/nvvm/libdevice/libdevice.10.bc");
#ifdef KILN_CUDA_LIBDEVICE
  candidates.push_back(KILN_CUDA_LIBDEVICE);
#endif
  candidates.push_back("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc");
  for (const std::string& c : candidates)
    if (!c.empty() && std::filesystem::exists(c)) return c;
  return "";
}

void link_libdevice(llvm::Module& m) {
  bool needs = false;
  for (llvm::Function& f : m)
    if (f.isDeclaration() && f.getName().starts_with("__nv_")) needs = true;
  if (!needs) return;
  std::string path = find_libdevice();
  if (path.empty())
    fail_stage("ptx",
               "the kernels call CUDA math functions but libdevice.10.bc was not found "
               "(set KILN_LIBDEVICE or CUDA_PATH)");
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) fail_stage("ptx", "cannot read '" + path + "': " + buffer.getError().message());
  auto lib = llvm::parseBitcodeFile((*buffer)->getMemBufferRef(), m.getContext());
  if (!lib) fail_stage("ptx", "cannot parse '" + path + "': " + llvm::toString(lib.takeError()));
  (*lib)->setTargetTriple(m.getTargetTriple());
  (*lib)->setDataLayout(m.getDataLayout());
  if (llvm::Linker::linkModules(m, std::move(*lib), llvm::Linker::LinkOnlyNeeded))
    fail_stage("ptx", "cannot link '" + path + "'");
  // libdevice's functions are only for these kernels: internal, so unused ones go away.
  for (llvm::Function& f : m)
    if (!f.isDeclaration() && f.getName().starts_with("__nv_"))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
}

}  // namespace

bool is_cuda_arch(const std::string& arch) { return arch == "sm_80" || arch == "sm_90"; }

void CudaPipeline::dump_text(const std::string& stage, const std::string& text,
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
  os << text;
}

void CudaPipeline::dump_module(const std::string& stage, mlir::ModuleOp module) {
  std::string text;
  if (!options_.dump_ir_dir.empty()) {
    llvm::raw_string_ostream os(text);
    module->print(os);
  }
  dump_text(stage, text, ".mlir");
}

void CudaPipeline::run_stage(const std::string& stage, mlir::ModuleOp module,
                             const std::function<void(mlir::OpPassManager&)>& build, bool dump) {
  auto pm = mlir::PassManager::on<mlir::ModuleOp>(module.getContext());
  build(pm);
  DiagnosticText diags(module.getContext());
  if (mlir::failed(pm.run(module))) fail_stage(stage, "\n" + diags.text());
  if (dump) dump_module(stage, module);
}

CudaProgram CudaPipeline::compile(mlir::ModuleOp module, std::vector<CheckSite>& sites) {
  if (!is_cuda_arch(options_.ptx_arch))
    fail_stage("target", "unknown CUDA architecture '" + options_.ptx_arch + "' (sm_80, sm_90)");
  mlir::MLIRContext* ctx = module.getContext();
  // The rewrites between passes build gpu, memref and arith ops themselves.
  ctx->loadDialect<mlir::gpu::GPUDialect, mlir::memref::MemRefDialect, mlir::arith::ArithDialect,
                   mlir::scf::SCFDialect, mlir::LLVM::LLVMDialect>();
  dump_module("traced", module);
  mlir::kiln::removeRuntimeAttributes(module);
  run_stage(
      "canonicalized", module,
      [](mlir::OpPassManager& pm) {
        pm.addPass(mlir::createCanonicalizerPass());
        pm.addPass(mlir::createCSEPass());
      },
      /*dump=*/false);
  sites = assign_check_sites(module);
  dump_module("canonicalized", module);
#ifdef KILN_HAVE_KILN_TO_LINALG
  run_stage("kiln-to-linalg", module, [](mlir::OpPassManager& pm) {
    // Gathers as one data-parallel loop nest: a kernel maps it onto threads.
    pm.addPass(createConvertKilnToLinalgPass(KilnToLinalgOptions{.gather_rows = false}));
    pm.addPass(mlir::createCanonicalizerPass());
  });
#endif
  // Chains of elementwise ops become one linalg op, so one kernel: each element still goes
  // through the same operations in the same order. Not into ops without a parallel dim (a
  // full reduction runs on one thread; the elementwise work before it stays parallel).
  {
    mlir::RewritePatternSet patterns(ctx);
    mlir::linalg::populateElementwiseOpsFusionPatterns(patterns, [](mlir::OpOperand* fused) {
      auto consumer = mlir::dyn_cast<mlir::linalg::LinalgOp>(fused->getOwner());
      return consumer && consumer.getNumParallelLoops() > 0;
    });
    DiagnosticText diags(ctx);
    if (mlir::failed(mlir::applyPatternsAndFoldGreedily(module, std::move(patterns))))
      fail_stage("fused", "the elementwise fusion did not converge\n" + diags.text());
    dump_module("fused", module);
  }
  {
    DiagnosticText diags(ctx);
    if (mlir::failed(update_variables_in_place(module)) || mlir::failed(mlir::verify(module)))
      fail_stage("variables-in-place", "\n" + diags.text());
    copy_aliased_results(module);
  }
  // As on the CPU. Buffers a loop yields (kiln.loop's carried values) are allocated in its
  // kernel and freed there by deallocation; the function's own temporaries become device
  // buffers the runtime allocates once per instance (their deallocation is dropped).
  run_stage("bufferized", module, [](mlir::OpPassManager& pm) {
    mlir::bufferization::OneShotBufferizationOptions bufferize;
    bufferize.bufferizeFunctionBoundaries = true;
    bufferize.setFunctionBoundaryTypeConversion(
        mlir::bufferization::LayoutMapOption::IdentityLayoutMap);
    bufferize.memCpyFn = linalg_copy;
    bufferize.allowReturnAllocsFromLoops = true;
    pm.addPass(mlir::bufferization::createEmptyTensorEliminationPass());
    pm.addPass(mlir::bufferization::createOneShotBufferizePass(bufferize));
    // Bufferized scf.forall (top_k's rows) as scf.parallel, like linalg's parallel loops.
    pm.addPass(mlir::createForallToParallelLoopPass());
    mlir::bufferization::BufferResultsToOutParamsOpts out_params;
    out_params.hoistStaticAllocs = true;
    out_params.memCpyFn = linalg_copy;
    pm.addPass(mlir::bufferization::createBufferResultsToOutParamsPass(out_params));
    pm.addPass(mlir::createCanonicalizerPass());
    mlir::bufferization::BufferDeallocationPipelineOptions dealloc;
    mlir::bufferization::buildBufferDeallocationPipeline(pm, dealloc);
    pm.addPass(mlir::createBufferizationToMemRefPass());
    // Helpers (deallocation's dealloc_helper, the normal quantile) are inlined here, where
    // the func dialect allows it: kernels cannot take their dynamically shaped arguments.
    pm.addPass(mlir::createInlinerPass());
    pm.addPass(mlir::createSymbolDCEPass());
    pm.addPass(mlir::createCanonicalizerPass());
  });
  for (auto fn : module.getOps<mlir::func::FuncOp>()) drop_planned_deallocations(fn);

  run_stage(
      "parallel-loops", module,
      [](mlir::OpPassManager& pm) {
        pm.addNestedPass<mlir::func::FuncOp>(mlir::createConvertLinalgToParallelLoopsPass());
        pm.addPass(mlir::createCanonicalizerPass());
      },
      /*dump=*/false);
  // The functions the runtime calls; private ones are helpers the kernels call.
  auto entry_functions = [&] {
    llvm::SmallVector<mlir::func::FuncOp> fns;
    for (auto fn : module.getOps<mlir::func::FuncOp>())
      if (!fn.isExternal() && !fn.isPrivate()) fns.push_back(fn);
    return fns;
  };
  for (auto fn : entry_functions()) {
    make_serial_kernels(fn);
    collapse_parallel_loops(fn);
  }
  dump_module("parallel-loops", module);

  const int64_t block = std::clamp(options_.block_size, 32, 1024);
  run_stage(
      "gpu-launch", module,
      [&](mlir::OpPassManager& pm) {
        pm.addNestedPass<mlir::func::FuncOp>(
            mlir::createParallelLoopTilingPass({block}, /*noMinMaxBounds=*/true));
        pm.addNestedPass<mlir::func::FuncOp>(mlir::createGpuMapParallelLoopsPass());
        pm.addPass(mlir::createParallelLoopToGpuPass());
        pm.addPass(mlir::createLowerAffinePass());
        pm.addPass(mlir::createCanonicalizerPass());
      },
      /*dump=*/false);
  for (auto fn : entry_functions()) {
    // Constants (scalars, the dense tensors bufferization made globals) move into the
    // kernels; outlining copies the globals they name into the kernel module.
    fn.walk([](mlir::gpu::LaunchOp launch) {
      (void)mlir::sinkOperationsIntoLaunchOp(launch, [](mlir::Operation* op) {
        return mlir::isa<mlir::arith::ConstantOp, mlir::memref::GetGlobalOp>(op);
      });
    });
  }
  dump_module("gpu-launch", module);

  run_stage(
      "kernels", module,
      [](mlir::OpPassManager& pm) {
        pm.addPass(mlir::createGpuKernelOutliningPass());
        pm.addPass(mlir::createCanonicalizerPass());
        pm.addPass(mlir::createCSEPass());
      },
      /*dump=*/false);
  merge_kernel_modules(module);
  dump_module("kernels", module);

  CudaProgram program;
  program.ptx_arch = options_.ptx_arch;
  for (auto fn : entry_functions()) program.functions.push_back(read_plan(fn));

  auto kernels = *module.getOps<mlir::gpu::GPUModuleOp>().begin();
  check_kernels(kernels);
  run_stage("nvvm", module, [](mlir::OpPassManager& pm) {
    mlir::OpPassManager& gpu = pm.nest<mlir::gpu::GPUModuleOp>();
    gpu.addPass(mlir::memref::createExpandStridedMetadataPass());
    gpu.addPass(mlir::createLowerAffinePass());
    gpu.addPass(mlir::createConvertSCFToCFPass());
    mlir::ConvertGpuOpsToNVVMOpsOptions nvvm;
    nvvm.indexBitwidth = 64;
    nvvm.useBarePtrCallConv = true;  // each buffer is one pointer; shapes are static
    gpu.addPass(mlir::createConvertGpuOpsToNVVMOps(nvvm));
    gpu.addPass(mlir::createReconcileUnrealizedCastsPass());
    gpu.addPass(mlir::createCanonicalizerPass());
    gpu.addPass(mlir::createCSEPass());
  });
  {
    llvm::raw_string_ostream os(program.mlir);
    module->print(os);
  }

  // LLVM IR of the kernel module, libdevice linked in, optimized and emitted as PTX.
  auto tm = nvptx_target_machine(options_);
  llvm::LLVMContext llvm_ctx;
  DiagnosticText diags(ctx);
  std::unique_ptr<llvm::Module> m = mlir::translateModuleToLLVMIR(kernels, llvm_ctx, kKernelModule);
  if (!m) fail_stage("llvm-ir", "\n" + diags.text());
  m->setTargetTriple(tm->getTargetTriple().getTriple());
  m->setDataLayout(tm->createDataLayout());
  link_libdevice(*m);
  if (llvm::GlobalVariable* status = m->getGlobalVariable(kStatusGlobal, /*AllowInternal=*/true)) {
    status->setLinkage(llvm::GlobalValue::ExternalLinkage);  // cuModuleGetGlobal finds it
    program.status_symbol = kStatusGlobal;
  }
  auto optimize = mlir::makeOptimizingTransformer(
      static_cast<unsigned>(std::clamp(options_.opt_level, 0, 3)), /*sizeLevel=*/0, tm.get());
  if (llvm::Error e = optimize(m.get())) fail_stage("llvm-optimize", llvm::toString(std::move(e)));
  {
    std::string ir;
    llvm::raw_string_ostream os(ir);
    m->print(os, nullptr);
    dump_text("kernels", ir, ".ll");
  }
  {
    llvm::SmallVector<char, 0> buffer;
    llvm::raw_svector_ostream os(buffer);
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
      fail_stage("ptx", "the NVPTX target cannot emit PTX");
    codegen.run(*m);
    program.ptx.assign(buffer.begin(), buffer.end());
  }
  dump_text("kernels", program.ptx, ".ptx");
  return program;
}

}  // namespace kiln::compiler
