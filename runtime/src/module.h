// Loaded modules: the verified description of an artifact's functions and variables, and
// their code, either loaded from the artifact (an ELF shared object, mapped through a
// memory file and dlopen after the whole artifact is verified) or linked into the program.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/runtime.h"
#include "kiln/runtime_static.h"
#include "runtime/src/cuda_program.h"

namespace kiln::fb {
struct Artifact;
}  // namespace kiln::fb

namespace kiln::rt {

struct Spec {
  std::string name;
  // The checkpoint metadata key of the vocabulary whose ids this integer tensor holds
  // (artifact.fbs TensorSpec.vocabulary); empty if none.
  std::string vocabulary;
  kiln_dtype dtype = KILN_F32;
  std::vector<int64_t> shape;
  int64_t elements = 1;
  size_t bytes = 0;
  std::string str() const;  // "f32[190]"
  kiln_tensor_view view(void* data = nullptr) const;
};

struct Function {
  struct Arg {
    Spec spec;
    bool variable = false;
    bool read = true;           // false: the function overwrites it before any read
    size_t variable_index = 0;  // into Module::variables, for variables
  };
  std::string name, symbol;
  std::vector<Arg> args;
  std::vector<size_t> inputs;  // indices into args of the non-variable arguments
  std::vector<Spec> outputs;
  std::vector<std::string> updates;
  bool batched = false;
  // Memory plan: > 0: the entry point takes an arena of this many bytes (64-byte aligned)
  // after the outputs.
  uint64_t arena_bytes = 0, sum_temporaries_bytes = 0, peak_live_bytes = 0;
  uint32_t heap_temporaries = 0;
  void (*entry)(void**) = nullptr;
};

struct Site {
  std::string op, api, file;
  uint32_t line = 0;
};

struct BuildInfo {
  std::string compiler_version, target, cpu, features, flags, source;
  int opt_level = 0;
  int64_t created_unix = 0;
};

class Module {
 public:
  static std::unique_ptr<Module> load(const std::string& path);
  static std::unique_ptr<Module> load_static(const kiln_static_model& model);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& origin() const { return origin_; }
  const std::vector<Function>& functions() const { return functions_; }
  const std::vector<Spec>& variables() const { return variables_; }
  const std::vector<Site>& sites() const { return sites_; }
  const BuildInfo& build() const { return build_; }
  size_t code_size() const { return code_size_; }
  bool linked_in() const { return handle_ == nullptr; }
  const Function* find(std::string_view name) const;  // allocates nothing
  int64_t variable_index(const std::string& name) const;

  // Runs `fn` with packed arguments, then turns a set status word into an error (the
  // eager message, with the user's source line). Calls into one module are serialized.
  void invoke(const Function& fn, void** packed) const;
  // Throws the error a set status word [site, position, value, bound] stands for.
  [[noreturn]] void raise_check_failure(const Function& fn, const int64_t words[4]) const;
  // The kernels and launch plans of a CUDA artifact; null for CPU code.
  const CudaCode* cuda() const { return cuda_.get(); }

 private:
  Module() = default;
  void describe(const fb::Artifact& artifact);
  void bind(void* (*lookup)(void* context, const char* name), void* context);

  std::string origin_;
  std::vector<Function> functions_;
  std::vector<Spec> variables_;
  std::vector<Site> sites_;
  BuildInfo build_;
  std::string status_symbol_;
  int64_t* status_ = nullptr;
  size_t code_size_ = 0;
  void* handle_ = nullptr;  // dlopen handle of an artifact's code
  int code_fd_ = -1;        // the memory file it was loaded from (open while loaded)
  std::shared_ptr<const CudaCode> cuda_;
  mutable std::mutex call_mutex_;
};

// Verifies an artifact held in memory: size and identifier, the FlatBuffers verifier, then
// every semantic rule (signatures, variables, error sites, the code's ELF header and
// checksum). Throws kiln::rt::Error naming `origin`, the field and the numbers. With
// `require_code` false an empty code blob is accepted (the description executables embed).
const fb::Artifact& verify_artifact(const uint8_t* data, size_t size, const std::string& origin,
                                    bool require_code = true);

// Whether this CPU can run code built for `cpu` with `features` (LLVM's names); when it
// cannot, `missing` names what it lacks.
bool cpu_supports(const std::string& cpu, const std::string& features, std::string* missing);

}  // namespace kiln::rt
