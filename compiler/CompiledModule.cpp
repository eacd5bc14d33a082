// kiln::compile and CompiledModule::call: the calling convention between kiln tensors
// and the JIT-compiled code (memref descriptors through the C interface), and the
// translation of the run-time status into eager-style errors.
#include "compiler/CompiledModule.h"

#include <cstdlib>
#include <map>
#include <mutex>

#include "compiler/Pipelines/CpuPipeline.h"
#include "kiln/trace/traced_module_impl.h"
#include "llvm/Support/Error.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

namespace kiln {
namespace {

// How one compiled function is called: its arguments (inputs and variables, in the
// traced order), then one out-parameter per output.
struct FunctionAbi {
  struct Arg {
    std::string variable;  // empty for an input
    TensorSpec spec;
  };
  std::vector<Arg> args;
  std::vector<TensorSpec> outputs;
  std::vector<std::string> updated;  // variables the function updates (in place)
  int64_t arena_bytes = 0;  // > 0: one more argument after the outputs (memory plan)
};

DType dtype_of_element(mlir::Type t) {
  if (t.isF32()) return f32;
  if (t.isF64()) return f64;
  if (t.isInteger(1)) return boolean;
  if (t.isInteger(32)) return i32;
  if (t.isInteger(64)) return i64;
  detail::fail("compile", "unsupported element type in a traced function signature");
}

TensorSpec spec_of_type(mlir::Type t) {
  auto rt = mlir::dyn_cast<mlir::RankedTensorType>(t);
  if (!rt) detail::fail("compile", "traced function arguments and results must be ranked tensors");
  return TensorSpec{Shape(std::span<const int64_t>(rt.getShape().begin(), rt.getShape().end())),
                    dtype_of_element(rt.getElementType())};
}

std::map<std::string, FunctionAbi> abi_of(mlir::ModuleOp module) {
  std::map<std::string, FunctionAbi> fns;
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    if (fn.isExternal()) continue;
    FunctionAbi abi;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto var = fn.getArgAttrOfType<mlir::StringAttr>(i, "kiln.variable");
      abi.args.push_back({var ? var.str() : std::string(), spec_of_type(fn.getArgumentTypes()[i])});
    }
    for (unsigned r = 0; r < fn.getNumResults(); ++r) {
      if (auto var = fn.getResultAttrOfType<mlir::StringAttr>(r, "kiln.variable"))
        abi.updated.push_back(var.str());
      else
        abi.outputs.push_back(spec_of_type(fn.getResultTypes()[r]));
    }
    fns[fn.getName().str()] = std::move(abi);
  }
  return fns;
}

// A ranked memref descriptor as the C interface lays it out: allocated and aligned
// pointers, offset, sizes[rank], strides[rank] (all 8 bytes wide on 64-bit hosts).
std::vector<int64_t> memref_descriptor(const void* data, const Shape& shape) {
  auto p = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
  std::vector<int64_t> d{p, p, 0};
  for (int i = 0; i < shape.rank(); ++i) d.push_back(shape[i]);
  std::vector<int64_t> strides(static_cast<size_t>(shape.rank()));
  int64_t stride = 1;
  for (int i = shape.rank() - 1; i >= 0; --i) {
    strides[static_cast<size_t>(i)] = stride;
    stride *= shape[i];
  }
  d.insert(d.end(), strides.begin(), strides.end());
  return d;
}

// 64-byte-aligned memory for one call's temporaries.
struct Arena {
  explicit Arena(int64_t bytes)
      : data(static_cast<std::byte*>(std::aligned_alloc(64, static_cast<size_t>((bytes + 63) / 64 * 64)))) {
    if (!data) throw std::bad_alloc();
  }
  ~Arena() { std::free(data); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  std::byte* data;
};

}  // namespace

struct CompiledModule::Impl {
  std::unique_ptr<mlir::ExecutionEngine> engine;
  // Arenas not in use, per function: a call takes one (or makes the first) and gives it
  // back, so that concurrent calls never share temporaries and steady-state calls allocate
  // no arena.
  std::mutex arenas_mutex;
  std::map<std::string, std::vector<std::unique_ptr<Arena>>> free_arenas;
  std::map<std::string, FunctionAbi> functions;
  std::vector<compiler::CheckSite> sites;
  int64_t* status = nullptr;  // @__kiln_status: [site, position, value, bound]; null if none

  // Throws the eager-style error for a set status, after clearing it.
  void raise_status() const {
    int64_t site = status[0], position = status[1], value = status[2], bound = status[3];
    status[0] = status[1] = status[2] = status[3] = 0;
    if (site < 1 || static_cast<size_t>(site) > sites.size())
      throw Error("call", "compiled code reported an error at unknown site " + std::to_string(site),
                  "", 0, "");
    const compiler::CheckSite& s = sites[static_cast<size_t>(site - 1)];
    std::string what =
        s.op == "divide"
            ? "integer division by zero (divisor element " + std::to_string(position) + ")"
            : "indices[" + std::to_string(position) + "] = " + std::to_string(value) +
                  " is not in [0, " + std::to_string(bound) + ")";
    throw Error(s.op, what, s.file, s.line, s.api);
  }
};

CompiledModule::CompiledModule() : impl_(std::make_shared<Impl>()) {}
CompiledModule::~CompiledModule() = default;
CompiledModule::CompiledModule(const CompiledModule&) = default;
CompiledModule& CompiledModule::operator=(const CompiledModule&) = default;

std::vector<std::string> CompiledModule::function_names() const {
  std::vector<std::string> names;
  for (const auto& [name, abi] : impl_->functions) names.push_back(name);
  return names;
}

CallResult CompiledModule::call(const std::string& name, const std::vector<Tensor>& inputs,
                                const std::vector<Variable>& variables, const Loc& loc) const {
  detail::ApiScope scope("call", loc);
  auto fn = impl_->functions.find(name);
  if (fn == impl_->functions.end())
    detail::fail("call", "the compiled module has no function '" + name + "'");
  const FunctionAbi& abi = fn->second;
  std::map<std::string, Variable> by_name;
  for (const Variable& v : variables) by_name[v.name()] = v;

  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(abi.args.size() + abi.outputs.size());
  size_t next_input = 0;
  for (const FunctionAbi::Arg& arg : abi.args) {
    if (!arg.variable.empty()) {
      auto it = by_name.find(arg.variable);
      if (it == by_name.end())
        detail::fail("call", "function '" + name + "' needs variable '" + arg.variable +
                                 "', which was not passed");
      Variable& v = it->second;
      if (!(TensorSpec{v.shape(), v.dtype()} == arg.spec))
        detail::fail("call", "variable '" + arg.variable + "' is " +
                                 TensorSpec{v.shape(), v.dtype()}.str() + ", function '" + name +
                                 "' was compiled for " + arg.spec.str());
      descriptors.push_back(memref_descriptor(v.mutable_storage().raw(), arg.spec.shape));
    } else {
      if (next_input >= inputs.size())
        detail::fail("call", "function '" + name + "' takes more inputs than the " +
                                 std::to_string(inputs.size()) + " passed");
      const Tensor& x = inputs[next_input];
      if (!x.defined() || !(spec_of(x) == arg.spec))
        detail::fail("call", "input " + std::to_string(next_input) + " of '" + name + "' is " +
                                 (x.defined() ? spec_of(x).str() : "undefined") +
                                 ", the function was compiled for " + arg.spec.str());
      descriptors.push_back(memref_descriptor(x.raw(), arg.spec.shape));
      ++next_input;
    }
  }
  if (next_input != inputs.size())
    detail::fail("call", "function '" + name + "' takes " + std::to_string(next_input) +
                             " inputs, " + std::to_string(inputs.size()) + " were passed");
  CallResult result;
  for (const TensorSpec& out : abi.outputs) {
    result.outputs.push_back(Tensor::empty(out.shape, out.dtype));
    descriptors.push_back(memref_descriptor(result.outputs.back().raw(), out.shape));
  }

  std::unique_ptr<Arena> arena;
  if (abi.arena_bytes > 0) {
    {
      std::lock_guard<std::mutex> lock(impl_->arenas_mutex);
      auto& pool = impl_->free_arenas[name];
      if (!pool.empty()) {
        arena = std::move(pool.back());
        pool.pop_back();
      }
    }
    if (!arena) arena = std::make_unique<Arena>(abi.arena_bytes);
    descriptors.push_back(memref_descriptor(arena->data, Shape{abi.arena_bytes}));
  }

  // The packed interface: one pointer per argument of _mlir_ciface_<name>, each of which
  // is a pointer to a descriptor.
  std::vector<void*> descriptor_ptrs, packed;
  for (auto& d : descriptors) descriptor_ptrs.push_back(d.data());
  for (void*& p : descriptor_ptrs) packed.push_back(&p);
  llvm::Error error = impl_->engine->invokePacked("_mlir_ciface_" + name, packed);
  if (arena) {
    std::lock_guard<std::mutex> lock(impl_->arenas_mutex);
    impl_->free_arenas[name].push_back(std::move(arena));
  }
  if (error) detail::fail("call", "cannot run '" + name + "': " + llvm::toString(std::move(error)));
  if (impl_->status && impl_->status[0] != 0) impl_->raise_status();

  for (const std::string& var : abi.updated) {
    const Tensor& storage = by_name.at(var).storage();
    result.variables[var] = Tensor::alias(storage, storage.shape());
  }
  return result;
}

CompiledModule compile(const TracedModule& module, const compiler::CompileOptions& options,
                       const Loc& loc) {
  detail::ApiScope scope("compile", loc);
  mlir::DialectRegistry registry;
  compiler::register_cpu_pipeline_dialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // The traced module lives in its own context: re-read it (with its locations) here.
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> m =
      mlir::parseSourceString<mlir::ModuleOp>(module.mlir(/*with_locations=*/true), config);
  if (!m) detail::fail("compile", "internal error: could not re-read the traced module");

  CompiledModule compiled;
  CompiledModule::Impl& impl = *compiled.impl_;
  impl.functions = abi_of(*m);
  compiler::CpuPipeline pipeline(options);
  impl.sites = pipeline.lower_to_llvm_dialect(*m);
  for (auto& [name, abi] : impl.functions)
    if (const compiler::FunctionReport* r = pipeline.report().find(name))
      abi.arena_bytes = r->memory.arena_bytes;
  bool has_status = m->lookupSymbol("__kiln_status") != nullptr;
  impl.engine = pipeline.jit_compile(*m);
  if (has_status) {
    auto status = impl.engine->lookup("__kiln_status");
    if (!status) detail::fail("compile", "internal error: " + llvm::toString(status.takeError()));
    impl.status = static_cast<int64_t*>(*status);
    impl.status[0] = impl.status[1] = impl.status[2] = impl.status[3] = 0;
  }
  return compiled;
}

}  // namespace kiln
