// The module, instance and result parts of the C API: a module's variables live in the
// instance (64-byte-aligned buffers the code updates in place); calls pass memref
// descriptors to the code's packed entry points, mapping batched functions over rows.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kiln/runtime.h"
#include "kiln/runtime_static.h"
#include "runtime/src/cuda_executor.h"
#include "runtime/src/module.h"
#include "runtime/src/status.h"

using kiln::rt::Module;
using kiln::rt::Spec;

namespace {

// Zero-filled, 64-byte-aligned storage (at least one byte, so that empty tensors have a
// valid pointer).
class Buffer {
 public:
  explicit Buffer(size_t bytes) : size_(bytes) {
    size_t rounded = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
    data_ = static_cast<uint8_t*>(std::aligned_alloc(64, rounded));
    if (!data_) throw std::bad_alloc();
    std::memset(data_, 0, rounded);
  }
  ~Buffer() { std::free(data_); }
  Buffer(Buffer&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer& operator=(Buffer&&) = delete;
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_;
  size_t size_;
};

// A ranked memref descriptor as MLIR's C interface lays it out: allocated and aligned
// pointers, offset, sizes[rank], strides[rank].
void fill_descriptor(std::vector<int64_t>& d, const void* data, const std::vector<int64_t>& shape) {
  d.assign(3 + 2 * shape.size(), 0);
  auto p = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
  d[0] = d[1] = p;
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    d[3 + i] = shape[i];
    d[3 + shape.size() + i] = stride;
    stride *= shape[i];
  }
}

void set_pointer(std::vector<int64_t>& d, const void* data) {
  d[0] = d[1] = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
}

std::string shape_str(const kiln_tensor_view& v) {
  std::string s = std::string(kiln_dtype_name(v.dtype)) + "[";
  for (int i = 0; i < v.rank && i < KILN_MAX_RANK; ++i)
    s += (i ? ", " : "") + std::to_string(v.shape[i]);
  return s + "]";
}

#define KILN_REQUIRE(cond, what) \
  if (!(cond)) kiln::rt::usage_error(what)

}  // namespace

struct kiln_module_s {
  std::unique_ptr<Module> module;
};

struct kiln_instance_s {
  const Module* module = nullptr;
  std::vector<Buffer> variables;
  // What each variable is saved as: the kind it was restored with; otherwise a variable no
  // function reads before writing (an accumulator) is data, the rest model variables.
  std::vector<kiln_tensor_kind> kinds;
  // The temporaries of every call: the largest memory-planned arena of the module's
  // functions (calls on one instance never overlap). Null when no function has one.
  std::unique_ptr<Buffer> arena;
  // Descriptor storage every call reuses, sized for the largest signature, so that a call
  // allocates nothing.
  std::vector<std::vector<int64_t>> descriptors;
  std::vector<void*> pointers, packed;
  // Set by kiln_instance_create_on_device("cuda"): variables live on the GPU, `variables`
  // are their host copies.
  std::unique_ptr<kiln::rt::CudaExecutor> cuda;
};

struct kiln_result_s {
  std::vector<Spec> specs;
  std::vector<Buffer> buffers;
};

extern "C" {

kiln_status kiln_module_load(const char* path, kiln_module** out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(path && out, "kiln_module_load: path and out must not be NULL");
    *out = nullptr;
    auto m = std::make_unique<kiln_module_s>();
    m->module = Module::load(path);
    *out = m.release();
  });
}

kiln_status kiln_module_load_static(const kiln_static_model* model, kiln_module** out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(model && out, "kiln_module_load_static: model and out must not be NULL");
    *out = nullptr;
    auto m = std::make_unique<kiln_module_s>();
    m->module = Module::load_static(*model);
    *out = m.release();
  });
}

void kiln_module_free(kiln_module* module) { delete module; }

size_t kiln_module_function_count(const kiln_module* module) {
  return module ? module->module->functions().size() : 0;
}

const char* kiln_module_function_name(const kiln_module* module, size_t index) {
  if (!module || index >= module->module->functions().size()) return nullptr;
  return module->module->functions()[index].name.c_str();
}

int64_t kiln_module_find_function(const kiln_module* module, const char* name) {
  if (!module || !name) return -1;
  const auto& fns = module->module->functions();
  for (size_t i = 0; i < fns.size(); ++i)
    if (fns[i].name == name) return static_cast<int64_t>(i);
  return -1;
}

size_t kiln_module_function_input_count(const kiln_module* module, size_t index) {
  if (!module || index >= module->module->functions().size()) return 0;
  return module->module->functions()[index].inputs.size();
}

size_t kiln_module_function_output_count(const kiln_module* module, size_t index) {
  if (!module || index >= module->module->functions().size()) return 0;
  return module->module->functions()[index].outputs.size();
}

kiln_status kiln_module_function_input(const kiln_module* module, size_t index, size_t input,
                                       const char** name, kiln_tensor_view* spec) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(module && index < module->module->functions().size(),
                 "kiln_module_function_input: no function " + std::to_string(index));
    const auto& fn = module->module->functions()[index];
    KILN_REQUIRE(input < fn.inputs.size(), "kiln_module_function_input: function '" + fn.name +
                                               "' has " + std::to_string(fn.inputs.size()) +
                                               " inputs, not " + std::to_string(input + 1));
    const Spec& s = fn.args[fn.inputs[input]].spec;
    if (name) *name = s.name.c_str();
    if (spec) *spec = s.view();
  });
}

kiln_status kiln_module_function_output(const kiln_module* module, size_t index, size_t output,
                                        const char** name, kiln_tensor_view* spec) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(module && index < module->module->functions().size(),
                 "kiln_module_function_output: no function " + std::to_string(index));
    const auto& fn = module->module->functions()[index];
    KILN_REQUIRE(output < fn.outputs.size(), "kiln_module_function_output: function '" + fn.name +
                                                 "' has " + std::to_string(fn.outputs.size()) +
                                                 " outputs");
    if (name) *name = fn.outputs[output].name.c_str();
    if (spec) *spec = fn.outputs[output].view();
  });
}

const char* kiln_module_function_input_vocabulary(const kiln_module* module, size_t index,
                                                  size_t input) {
  if (!module || index >= module->module->functions().size()) return nullptr;
  const auto& fn = module->module->functions()[index];
  if (input >= fn.inputs.size()) return nullptr;
  const std::string& key = fn.args[fn.inputs[input]].spec.vocabulary;
  return key.empty() ? nullptr : key.c_str();
}

const char* kiln_module_function_output_vocabulary(const kiln_module* module, size_t index,
                                                   size_t output) {
  if (!module || index >= module->module->functions().size()) return nullptr;
  const auto& fn = module->module->functions()[index];
  if (output >= fn.outputs.size()) return nullptr;
  const std::string& key = fn.outputs[output].vocabulary;
  return key.empty() ? nullptr : key.c_str();
}

int kiln_module_function_is_batched(const kiln_module* module, size_t index) {
  if (!module || index >= module->module->functions().size()) return 0;
  return module->module->functions()[index].batched ? 1 : 0;
}

size_t kiln_module_variable_count(const kiln_module* module) {
  return module ? module->module->variables().size() : 0;
}

kiln_status kiln_module_variable(const kiln_module* module, size_t index, const char** name,
                                 kiln_tensor_view* spec) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(module && index < module->module->variables().size(),
                 "kiln_module_variable: no variable " + std::to_string(index));
    const Spec& s = module->module->variables()[index];
    if (name) *name = s.name.c_str();
    if (spec) *spec = s.view();
  });
}

kiln_status kiln_instance_create(const kiln_module* module, kiln_instance** out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(module && out, "kiln_instance_create: module and out must not be NULL");
    *out = nullptr;
    auto inst = std::make_unique<kiln_instance_s>();
    inst->module = module->module.get();
    for (const Spec& v : inst->module->variables()) {
      inst->variables.emplace_back(v.bytes);
      inst->kinds.push_back(KILN_KIND_DATA);
    }
    uint64_t arena_bytes = 0;
    size_t slots = 0;
    for (const kiln::rt::Function& fn : inst->module->functions()) {
      for (const auto& arg : fn.args)
        if (arg.variable && arg.read) inst->kinds[arg.variable_index] = KILN_KIND_VARIABLE;
      arena_bytes = std::max(arena_bytes, fn.arena_bytes);
      slots = std::max(slots, fn.args.size() + fn.outputs.size() + 1);
    }
    if (arena_bytes > 0) inst->arena = std::make_unique<Buffer>(arena_bytes);
    inst->descriptors.resize(slots);
    for (auto& d : inst->descriptors) d.reserve(3 + 2 * KILN_MAX_RANK);
    inst->pointers.resize(slots);
    inst->packed.resize(slots);
    *out = inst.release();
  });
}

void kiln_instance_free(kiln_instance* instance) { delete instance; }

kiln_status kiln_instance_restore(kiln_instance* instance, const kiln_checkpoint* checkpoint,
                                  const char* function) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(instance && checkpoint, "kiln_instance_restore: NULL argument");
    const Module& m = *instance->module;
    const auto& vars = m.variables();
    // The variables some function (or `function`) reads: those the checkpoint must hold.
    std::vector<bool> required(vars.size(), false);
    if (function && !m.find(function))
      kiln::rt::usage_error(m.origin() + " has no function '" + function + "'");
    for (const kiln::rt::Function& fn : m.functions())
      if (!function || fn.name == function)
        for (const auto& arg : fn.args)
          if (arg.variable && arg.read) required[arg.variable_index] = true;
    std::vector<std::string> missing, mismatched, unexpected;
    std::vector<kiln_tensor_view> sources(vars.size());
    std::vector<bool> found(vars.size(), false);
    std::vector<kiln_tensor_kind> kinds = instance->kinds;
    for (size_t i = 0; i < vars.size(); ++i) {
      int64_t k = kiln_checkpoint_find(checkpoint, vars[i].name.c_str());
      if (k < 0) {
        if (required[i]) missing.push_back(vars[i].name);
        continue;
      }
      kiln_tensor_view v{};
      if (kiln_status s = kiln_checkpoint_tensor(checkpoint, static_cast<size_t>(k), nullptr,
                                                 &kinds[i], nullptr, &v)) {
        std::string why = kiln_status_message(s);
        kiln_status_free(s);
        kiln::rt::internal_error(why);
      }
      bool same = v.dtype == vars[i].dtype && v.rank == static_cast<int32_t>(vars[i].shape.size());
      for (int d = 0; same && d < v.rank; ++d) same = v.shape[d] == vars[i].shape[d];
      if (!same)
        mismatched.push_back(vars[i].name + ": checkpoint has " + shape_str(v) +
                             ", the module needs " + vars[i].str());
      sources[i] = v;
      found[i] = true;
    }
    for (size_t k = 0; k < kiln_checkpoint_tensor_count(checkpoint); ++k) {
      const char* name = nullptr;
      kiln_tensor_kind kind = KILN_KIND_VARIABLE;
      if (kiln_status s = kiln_checkpoint_tensor(checkpoint, k, &name, &kind, nullptr, nullptr)) {
        kiln_status_free(s);
        continue;
      }
      if (kind == KILN_KIND_VARIABLE && m.variable_index(name) < 0) unexpected.push_back(name);
    }
    if (!missing.empty() || !mismatched.empty() || !unexpected.empty()) {
      auto list = [](const std::vector<std::string>& xs) {
        std::string s;
        for (const std::string& x : xs) s += (s.empty() ? "" : ", ") + x;
        return s;
      };
      std::string message = "the checkpoint does not match the module " + m.origin() +
                            (function ? std::string(" (function '") + function + "')" : "") + ":";
      if (!missing.empty()) message += "\n  missing from the checkpoint: " + list(missing);
      if (!unexpected.empty()) message += "\n  not in the module: " + list(unexpected);
      for (const std::string& entry : mismatched) message += "\n  mismatched: " + entry;
      kiln::rt::bad_input(message);
    }
    if (instance->cuda) instance->cuda->sync_to_host();  // variables it does not restore
    for (size_t i = 0; i < vars.size(); ++i)
      if (found[i]) std::memcpy(instance->variables[i].data(), sources[i].data, vars[i].bytes);
    instance->kinds = kinds;
    if (instance->cuda) instance->cuda->host_changed();
  });
}

kiln_status kiln_instance_save(const kiln_instance* instance, const char* path, int64_t step) {
  kiln_checkpoint_writer* writer = nullptr;
  kiln_status status = kiln::rt::guard([&] {
    KILN_REQUIRE(instance && path, "kiln_instance_save: NULL argument");
    auto check = [](kiln_status s) {
      if (!s) return;
      std::string why = kiln_status_message(s);
      kiln_status_code code = kiln_status_get_code(s);
      kiln_status_free(s);
      throw kiln::rt::Error(code, why);
    };
    check(kiln_checkpoint_writer_create(&writer));
    if (instance->cuda) instance->cuda->sync_to_host();
    const auto& vars = instance->module->variables();
    for (size_t i = 0; i < vars.size(); ++i) {
      kiln_tensor_view v = vars[i].view(instance->variables[i].data());
      check(kiln_checkpoint_writer_add(writer, vars[i].name.c_str(), instance->kinds[i], &v));
    }
    kiln_checkpoint_writer_set_step(writer, step);
    check(kiln_checkpoint_writer_set_producer(writer, "kiln runtime " KILN_RUNTIME_VERSION));
    check(
        kiln_checkpoint_writer_set_metadata(writer, "module", instance->module->origin().c_str()));
    check(kiln_checkpoint_writer_save(writer, path));
  });
  kiln_checkpoint_writer_free(writer);
  return status;
}

kiln_status kiln_instance_variable(kiln_instance* instance, const char* name,
                                   kiln_tensor_view* out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(instance && name && out, "kiln_instance_variable: NULL argument");
    int64_t i = instance->module->variable_index(name);
    if (i < 0) kiln::rt::usage_error(std::string("the module has no variable '") + name + "'");
    const Spec& s = instance->module->variables()[static_cast<size_t>(i)];
    if (instance->cuda) {  // the view is writable: the host copy becomes the newer one
      instance->cuda->sync_to_host();
      instance->cuda->host_changed();
    }
    *out = s.view(instance->variables[static_cast<size_t>(i)].data());
  });
}

namespace {

const kiln::rt::Function& find_function(const Module& m, const char* function) {
  const kiln::rt::Function* fn = m.find(function);
  if (!fn) {
    std::string names;
    for (const auto& f : m.functions()) names += (names.empty() ? "" : ", ") + f.name;
    kiln::rt::usage_error(m.origin() + " has no function '" + function + "' (it has: " + names +
                          ")");
  }
  return *fn;
}

// Checks the inputs against the signature; returns the number of rows (1 unless batched).
int64_t check_inputs(const kiln::rt::Function& fn, const kiln_tensor_view* inputs,
                     size_t input_count) {
  if (input_count != fn.inputs.size())
    kiln::rt::bad_input("function '" + fn.name + "' takes " + std::to_string(fn.inputs.size()) +
                        " inputs, " + std::to_string(input_count) + " were given");
  // Rows: batched functions run once per row of their inputs (all with the same count).
  int64_t rows = 1;
  for (size_t k = 0; k < input_count; ++k) {
    const Spec& s = fn.args[fn.inputs[k]].spec;
    const kiln_tensor_view& x = inputs[k];
    bool same = x.dtype == s.dtype && x.rank == static_cast<int32_t>(s.shape.size()) &&
                (x.data || s.bytes == 0);
    for (size_t d = fn.batched ? 1 : 0; same && d < s.shape.size(); ++d)
      same = x.shape[d] == s.shape[d];
    if (same && fn.batched) {
      if (x.shape[0] < 0)
        same = false;
      else if (k == 0)
        rows = x.shape[0];
      else if (x.shape[0] != rows)
        kiln::rt::bad_input("input '" + s.name + "' of '" + fn.name + "' has " +
                            std::to_string(x.shape[0]) + " rows, input '" +
                            fn.args[fn.inputs[0]].spec.name + "' has " + std::to_string(rows));
    }
    if (!same) {
      std::string expected = s.str();
      if (fn.batched) expected.replace(expected.find('[') + 1, 1, "N");
      kiln::rt::bad_input("input '" + s.name + "' of '" + fn.name + "' is " + shape_str(x) +
                          (x.data || s.bytes == 0 ? "" : " without data") +
                          ", the function takes " + expected);
    }
  }
  return rows;
}

// Runs `fn` over `rows` rows, writing output o to outputs[o].data (rows * the traced
// output's bytes). Uses only the instance's own storage: nothing is allocated.
void run(kiln_instance* instance, const kiln::rt::Function& fn, const kiln_tensor_view* inputs,
         size_t input_count, int64_t rows, const kiln_tensor_view* outputs) {
  const Module& m = *instance->module;
  // Descriptors: the arguments in order, one out-parameter per output, then the arena.
  const size_t n = fn.args.size() + fn.outputs.size() + (fn.arena_bytes > 0 ? 1 : 0);
  auto& descriptors = instance->descriptors;
  for (size_t a = 0; a < fn.args.size(); ++a) {
    const auto& arg = fn.args[a];
    const void* data = arg.variable ? instance->variables[arg.variable_index].data() : nullptr;
    fill_descriptor(descriptors[a], data, arg.spec.shape);
  }
  for (size_t o = 0; o < fn.outputs.size(); ++o)
    fill_descriptor(descriptors[fn.args.size() + o], nullptr, fn.outputs[o].shape);
  if (fn.arena_bytes > 0) {
    std::vector<int64_t>& d = descriptors[n - 1];
    d.assign(5, 0);
    d[0] = d[1] = static_cast<int64_t>(reinterpret_cast<intptr_t>(instance->arena->data()));
    d[3] = static_cast<int64_t>(fn.arena_bytes);
    d[4] = 1;
  }
  for (size_t i = 0; i < n; ++i) {
    instance->pointers[i] = descriptors[i].data();
    instance->packed[i] = &instance->pointers[i];
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < input_count; ++k) {
      const Spec& s = fn.args[fn.inputs[k]].spec;
      set_pointer(descriptors[fn.inputs[k]],
                  static_cast<const uint8_t*>(inputs[k].data) + static_cast<size_t>(r) * s.bytes);
    }
    for (size_t o = 0; o < fn.outputs.size(); ++o)
      set_pointer(
          descriptors[fn.args.size() + o],
          static_cast<uint8_t*>(outputs[o].data) + static_cast<size_t>(r) * fn.outputs[o].bytes);
    if (instance->cuda) {
      std::vector<const void*> in;
      std::vector<void*> outs;
      for (size_t k = 0; k < input_count; ++k)
        in.push_back(reinterpret_cast<const void*>(descriptors[fn.inputs[k]][1]));
      for (size_t o = 0; o < fn.outputs.size(); ++o)
        outs.push_back(reinterpret_cast<void*>(descriptors[fn.args.size() + o][1]));
      instance->cuda->call(fn, in, outs);
    } else {
      m.invoke(fn, instance->packed.data());
    }
  }
}

}  // namespace

kiln_status kiln_instance_call(kiln_instance* instance, const char* function,
                               const kiln_tensor_view* inputs, size_t input_count,
                               kiln_result** out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(instance && function && out && (inputs || input_count == 0),
                 "kiln_instance_call: NULL argument");
    *out = nullptr;
    const kiln::rt::Function& fn = find_function(*instance->module, function);
    const int64_t rows = check_inputs(fn, inputs, input_count);
    auto result = std::make_unique<kiln_result_s>();
    std::vector<kiln_tensor_view> views;
    for (const Spec& o : fn.outputs) {
      Spec s = o;
      if (fn.batched) {
        s.shape[0] = rows;
        s.elements = s.elements * rows;
        s.bytes = s.bytes * static_cast<size_t>(rows);
      }
      result->buffers.emplace_back(s.bytes);
      views.push_back(s.view(result->buffers.back().data()));
      result->specs.push_back(std::move(s));
    }
    run(instance, fn, inputs, input_count, rows, views.data());
    *out = result.release();
  });
}

kiln_status kiln_instance_call_into(kiln_instance* instance, const char* function,
                                    const kiln_tensor_view* inputs, size_t input_count,
                                    const kiln_tensor_view* outputs, size_t output_count) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(
        instance && function && (inputs || input_count == 0) && (outputs || output_count == 0),
        "kiln_instance_call_into: NULL argument");
    const kiln::rt::Function& fn = find_function(*instance->module, function);
    const int64_t rows = check_inputs(fn, inputs, input_count);
    if (output_count != fn.outputs.size())
      kiln::rt::bad_input("function '" + fn.name + "' has " + std::to_string(fn.outputs.size()) +
                          " outputs, " + std::to_string(output_count) + " were given");
    for (size_t o = 0; o < output_count; ++o) {
      const Spec& s = fn.outputs[o];
      const kiln_tensor_view& y = outputs[o];
      bool same = y.dtype == s.dtype && y.rank == static_cast<int32_t>(s.shape.size()) &&
                  (y.data || s.bytes == 0);
      for (size_t d = 0; same && d < s.shape.size(); ++d)
        same = y.shape[d] == (fn.batched && d == 0 ? rows : s.shape[d]);
      if (!same) {
        std::string expected = s.str();
        if (fn.batched) expected.replace(expected.find('[') + 1, 1, std::to_string(rows));
        kiln::rt::bad_input("output '" + s.name + "' of '" + fn.name + "' is given as " +
                            shape_str(y) + (y.data || s.bytes == 0 ? "" : " without data") +
                            ", the function writes " + expected);
      }
    }
    run(instance, fn, inputs, input_count, rows, outputs);
  });
}

size_t kiln_result_output_count(const kiln_result* result) {
  return result ? result->specs.size() : 0;
}

kiln_status kiln_result_output(const kiln_result* result, size_t index, kiln_tensor_view* out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(result && out, "kiln_result_output: NULL argument");
    KILN_REQUIRE(index < result->specs.size(), "kiln_result_output: the result has " +
                                                   std::to_string(result->specs.size()) +
                                                   " outputs, not " + std::to_string(index + 1));
    *out = result->specs[index].view(result->buffers[index].data());
  });
}

void kiln_result_free(kiln_result* result) { delete result; }

kiln_status kiln_instance_create_on_device(const kiln_module* module, const char* device,
                                           kiln_instance** out) {
  return kiln::rt::guard([&] {
    KILN_REQUIRE(module && device && out, "kiln_instance_create_on_device: NULL argument");
    *out = nullptr;
    const std::string name = device;
    if (name != "cpu" && name != "cuda")
      kiln::rt::usage_error("unknown device '" + name + "' (expected cpu or cuda)");
    kiln_instance* inst = nullptr;
    if (kiln_status s = kiln_instance_create(module, &inst)) {
      kiln::rt::Error e(kiln_status_get_code(s), kiln_status_message(s));
      kiln_status_free(s);
      throw e;
    }
    std::unique_ptr<kiln_instance> owned(inst);
    if (name == "cuda") {
      std::vector<uint8_t*> host;
      for (const Buffer& b : owned->variables) host.push_back(b.data());
      owned->cuda = std::make_unique<kiln::rt::CudaExecutor>(*owned->module, std::move(host));
    } else if (owned->module->cuda()) {
      kiln::rt::bad_input(owned->module->origin() + " is compiled for " +
                          owned->module->build().target + ": run it with --device cuda");
    }
    *out = owned.release();
  });
}

const char* kiln_instance_device(const kiln_instance* instance) {
  if (!instance) return "";
  return instance->cuda ? instance->cuda->loaded().c_str() : "cpu";
}

}  // extern "C"
