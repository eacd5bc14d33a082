// Artifact verification and module loading. Nothing in an artifact is trusted until all of
// it has been checked: the FlatBuffers verifier first, then every rule the runtime relies
// on, then the code's checksum; only then is the code written to a memory file and loaded.
#include "runtime/src/module.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/file_util.h"
#include "runtime/src/status.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr size_t kMaxTensorBytes = size_t{1} << 40;  // 1 TiB: larger is certainly corrupt

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

// Checks one tensor spec and fills `out`; `where` names it ("function 'predict' input 0").
Spec check_spec(const fb::TensorSpec* spec, const std::string& where) {
  if (!spec) bad_input(where + ": missing tensor spec");
  Spec s;
  s.name = spec->name() ? spec->name()->str() : "";
  if (s.name.empty()) bad_input(where + ": empty name");
  int dtype = static_cast<int>(spec->dtype());
  if (dtype < 0 || dtype > static_cast<int>(KILN_BOOL))
    bad_input(where + " ('" + s.name + "'): unknown dtype " + std::to_string(dtype));
  s.dtype = static_cast<kiln_dtype>(dtype);
  if (spec->vocabulary()) {
    s.vocabulary = spec->vocabulary()->str();
    if (s.vocabulary.empty()) bad_input(where + " ('" + s.name + "'): empty vocabulary key");
    if (s.dtype != KILN_I64 && s.dtype != KILN_I32)
      bad_input(where + " ('" + s.name + "'): a vocabulary ('" + s.vocabulary +
                "') on a tensor of " + kiln_dtype_name(s.dtype) + ", not of ids (i32, i64)");
  }
  size_t rank = spec->shape() ? spec->shape()->size() : 0;
  // FlatBuffers 2.0's verifier checks vectors for 4-byte alignment only; an 8-byte dim
  // read from a 4-byte boundary is undefined behaviour. Writers align [long] to 8.
  if (rank > 0 && reinterpret_cast<uintptr_t>(spec->shape()->Data()) % alignof(int64_t) != 0)
    bad_input(where + ": the shape's data is not 8-byte aligned (a damaged file)");
  if (rank > KILN_MAX_RANK)
    bad_input(where + " ('" + s.name + "'): rank " + std::to_string(rank) + " exceeds " +
              std::to_string(KILN_MAX_RANK));
  size_t bytes = kiln_dtype_size(s.dtype);
  int64_t elements = 1;
  for (size_t i = 0; i < rank; ++i) {
    int64_t d = spec->shape()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (d < 0)
      bad_input(where + " ('" + s.name + "'): dim " + std::to_string(i) + " is " +
                std::to_string(d));
    s.shape.push_back(d);
    if (d != 0 && (static_cast<uint64_t>(elements) > kMaxTensorBytes / static_cast<uint64_t>(d) ||
                   bytes > kMaxTensorBytes / static_cast<size_t>(d)))
      bad_input(where + " ('" + s.name + "'): shape " + s.str() + " is larger than 1 TiB");
    elements *= d;
    bytes *= static_cast<size_t>(d);
  }
  s.elements = elements;
  s.bytes = bytes;
  return s;
}

// An ELF64 little-endian x86-64 shared object, as far as its identification header goes
// (the dynamic loader checks the rest).
void check_elf(const flatbuffers::Vector<uint8_t>& code, const std::string& origin) {
  const uint8_t* p = code.data();
  if (code.size() < 64 || std::memcmp(p, "\x7f" "ELF", 4) != 0)
    bad_input(origin + ": code is not an ELF file (" + std::to_string(code.size()) + " bytes)");
  if (p[4] != 2 || p[5] != 1)
    bad_input(origin + ": code is not a 64-bit little-endian ELF file");
  uint16_t type = static_cast<uint16_t>(p[16] | (p[17] << 8));
  uint16_t machine = static_cast<uint16_t>(p[18] | (p[19] << 8));
  if (type != 3) bad_input(origin + ": code is ELF type " + std::to_string(type) + ", not a shared object (3)");
  if (machine != 62)
    bad_input(origin + ": code is for ELF machine " + std::to_string(machine) +
              ", this runtime runs x86-64 (62)");
}

}  // namespace

std::string Spec::str() const {
  std::string s = std::string(kiln_dtype_name(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

kiln_tensor_view Spec::view(void* data) const {
  kiln_tensor_view v{};
  v.dtype = dtype;
  v.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) v.shape[i] = shape[i];
  v.data = data;
  return v;
}

const fb::Artifact& verify_artifact(const uint8_t* data, size_t size, const std::string& origin,
                                    bool require_code) {
  if (size < 8)
    bad_input(origin + ": truncated: " + std::to_string(size) +
              " bytes, an artifact has at least 8");
  if (!fb::ArtifactBufferHasIdentifier(data)) {
    std::string id(reinterpret_cast<const char*>(data) + 4, 4);
    for (char& c : id)
      if (c < 32 || c > 126) c = '?';
    bad_input(origin + ": not a Kiln artifact (identifier '" + id + "', expected 'KILN')");
  }
  flatbuffers::Verifier::Options options;
  options.max_depth = 16;
  options.max_tables = 1u << 20;
  flatbuffers::Verifier verifier(data, size, options);
  if (!fb::VerifyArtifactBuffer(verifier))
    bad_input(origin + ": corrupt artifact: the FlatBuffers verifier rejects it (truncated or "
              "damaged; " + std::to_string(size) + " bytes)");
  const fb::Artifact& a = *fb::GetArtifact(data);
  if (a.format_version() != kFormatVersion)
    bad_input(origin + ": format version " + std::to_string(a.format_version()) +
              ", this runtime reads version " + std::to_string(kFormatVersion));

  std::map<std::string, Spec> variables;
  if (a.variables())
    for (flatbuffers::uoffset_t i = 0; i < a.variables()->size(); ++i) {
      Spec s = check_spec(a.variables()->Get(i)->spec(), origin + ": variable " + std::to_string(i));
      if (!variables.emplace(s.name, s).second)
        bad_input(origin + ": variable " + std::to_string(i) + " ('" + s.name + "') appears twice");
    }
  if (!a.functions() || a.functions()->size() == 0) bad_input(origin + ": the artifact has no functions");
  std::set<std::string> names, symbols;
  for (flatbuffers::uoffset_t i = 0; i < a.functions()->size(); ++i) {
    const fb::Function& f = *a.functions()->Get(i);
    std::string name = f.name()->str();
    std::string where = origin + ": function " + std::to_string(i) + " ('" + name + "')";
    if (name.empty() || !names.insert(name).second)
      bad_input(where + ": the name is empty or not unique");
    if (f.symbol()->size() == 0 || !symbols.insert(f.symbol()->str()).second)
      bad_input(where + ": the symbol is empty or not unique");
    std::set<std::string> passed;
    size_t n_args = f.arguments() ? f.arguments()->size() : 0;
    for (flatbuffers::uoffset_t k = 0; k < n_args; ++k) {
      const fb::Argument& arg = *f.arguments()->Get(k);
      Spec s = check_spec(arg.spec(), where + " argument " + std::to_string(k));
      if (arg.variable()) {
        auto it = variables.find(s.name);
        if (it == variables.end())
          bad_input(where + " argument " + std::to_string(k) + ": variable '" + s.name +
                    "' is not in the artifact's variable list");
        if (it->second.dtype != s.dtype || it->second.shape != s.shape)
          bad_input(where + " argument " + std::to_string(k) + ": variable '" + s.name + "' is " +
                    s.str() + " here but " + it->second.str() + " in the variable list");
        if (!passed.insert(s.name).second)
          bad_input(where + ": variable '" + s.name + "' is passed twice");
      } else if (f.batched() && (s.shape.empty() || s.shape[0] != 1)) {
        bad_input(where + " is batched but input '" + s.name + "' is " + s.str() +
                  " (leading dim must be 1)");
      }
    }
    size_t n_out = f.outputs() ? f.outputs()->size() : 0;
    for (flatbuffers::uoffset_t k = 0; k < n_out; ++k) {
      Spec s = check_spec(f.outputs()->Get(k), where + " output " + std::to_string(k));
      if (f.batched() && (s.shape.empty() || s.shape[0] != 1))
        bad_input(where + " is batched but output '" + s.name + "' is " + s.str() +
                  " (leading dim must be 1)");
    }
    // An arena is allocated once per instance: past 1 TiB the artifact is not plausible.
    if (f.arena_bytes() > (uint64_t{1} << 40))
      bad_input(where + ": its arena of " + std::to_string(f.arena_bytes()) +
                " bytes is larger than 1 TiB");
    if (f.updates())
      for (flatbuffers::uoffset_t k = 0; k < f.updates()->size(); ++k) {
        std::string u = f.updates()->Get(k)->str();
        if (!passed.count(u))
          bad_input(where + ": updates variable '" + u + "', which is not one of its arguments");
        if (f.batched()) bad_input(where + " is batched but updates variable '" + u + "'");
      }
  }
  if (a.error_sites())
    for (flatbuffers::uoffset_t i = 0; i < a.error_sites()->size(); ++i)
      if (a.error_sites()->Get(i)->id() != i + 1)
        bad_input(origin + ": error site " + std::to_string(i) + " has id " +
                  std::to_string(a.error_sites()->Get(i)->id()) + ", expected " +
                  std::to_string(i + 1));
  bool has_sites = a.error_sites() && a.error_sites()->size() > 0;
  if (has_sites && (!a.status_symbol() || a.status_symbol()->size() == 0))
    bad_input(origin + ": the artifact has error sites but no status symbol");
  if (a.code_format() != fb::CodeFormat::ElfSharedObject)
    bad_input(origin + ": unknown code format " + std::to_string(static_cast<int>(a.code_format())));
  size_t code_size = a.code() ? a.code()->size() : 0;
  if (a.cuda()) {  // kernels in the CUDA section, no host code
    if (code_size != 0) bad_input(origin + ": a CUDA artifact must not carry host code");
    (void)verify_cuda_program(a, origin);
  } else if (require_code) {
    if (code_size == 0) bad_input(origin + ": the artifact has no code");
    check_elf(*a.code(), origin);
  } else if (code_size != 0) {
    bad_input(origin + ": a linked-in module's description must not carry code");
  }
  uint64_t hash = xxh64(code_size ? a.code()->data() : nullptr, code_size);
  if (hash != a.code_checksum())
    bad_input(origin + ": code checksum mismatch: stored " + hex64(a.code_checksum()) +
              ", the " + std::to_string(code_size) + " code bytes hash to " + hex64(hash));
  return a;
}

bool cpu_supports(const std::string& cpu, const std::string& features, std::string* missing) {
  __builtin_cpu_init();
  struct Feature {
    const char* llvm_name;
    bool present;
  };
  const Feature table[] = {
      {"sse4.1", __builtin_cpu_supports("sse4.1") != 0},
      {"sse4.2", __builtin_cpu_supports("sse4.2") != 0},
      {"popcnt", __builtin_cpu_supports("popcnt") != 0},
      {"avx", __builtin_cpu_supports("avx") != 0},
      {"avx2", __builtin_cpu_supports("avx2") != 0},
      {"fma", __builtin_cpu_supports("fma") != 0},
      {"bmi", __builtin_cpu_supports("bmi") != 0},
      {"bmi2", __builtin_cpu_supports("bmi2") != 0},
      {"avx512f", __builtin_cpu_supports("avx512f") != 0},
      {"avx512bw", __builtin_cpu_supports("avx512bw") != 0},
      {"avx512cd", __builtin_cpu_supports("avx512cd") != 0},
      {"avx512dq", __builtin_cpu_supports("avx512dq") != 0},
      {"avx512vl", __builtin_cpu_supports("avx512vl") != 0},
  };
  std::vector<std::string> required;
  // The x86-64 micro-architecture levels, as LLVM defines them (the features that matter
  // for generated code).
  if (cpu == "x86-64-v2" || cpu == "x86-64-v3" || cpu == "x86-64-v4")
    required = {"sse4.1", "sse4.2", "popcnt"};
  if (cpu == "x86-64-v3" || cpu == "x86-64-v4")
    required.insert(required.end(), {"avx", "avx2", "fma", "bmi", "bmi2"});
  if (cpu == "x86-64-v4")
    required.insert(required.end(), {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"});
  // Explicit features: "+avx2,+fma,-avx512f,...".
  size_t start = 0;
  while (start < features.size()) {
    size_t end = features.find(',', start);
    if (end == std::string::npos) end = features.size();
    std::string f = features.substr(start, end - start);
    if (f.size() > 1 && f[0] == '+') required.push_back(f.substr(1));
    start = end + 1;
  }
  std::string lacking;
  for (const std::string& r : required)
    for (const Feature& f : table)
      if (r == f.llvm_name && !f.present && lacking.find(r) == std::string::npos)
        lacking += (lacking.empty() ? "" : ", ") + r;
  if (missing) *missing = lacking;
  return lacking.empty();
}

Module::~Module() {
  if (handle_) dlclose(handle_);
  if (code_fd_ >= 0) close(code_fd_);
}

void Module::describe(const fb::Artifact& a) {
  if (a.variables())
    for (const fb::Variable* v : *a.variables()) variables_.push_back(check_spec(v->spec(), origin_));
  for (const fb::Function* f : *a.functions()) {
    Function fn;
    fn.name = f->name()->str();
    fn.symbol = f->symbol()->str();
    fn.batched = f->batched();
    fn.arena_bytes = f->arena_bytes();
    fn.sum_temporaries_bytes = f->sum_temporaries_bytes();
    fn.peak_live_bytes = f->peak_live_bytes();
    fn.heap_temporaries = f->heap_temporaries();
    if (f->arguments())
      for (const fb::Argument* arg : *f->arguments()) {
        Function::Arg a2;
        a2.spec = check_spec(arg->spec(), origin_);
        a2.variable = arg->variable();
        a2.read = arg->read();
        if (a2.variable) a2.variable_index = static_cast<size_t>(variable_index(a2.spec.name));
        else fn.inputs.push_back(fn.args.size());
        fn.args.push_back(std::move(a2));
      }
    if (f->outputs())
      for (const fb::TensorSpec* o : *f->outputs()) fn.outputs.push_back(check_spec(o, origin_));
    if (f->updates())
      for (const flatbuffers::String* u : *f->updates()) fn.updates.push_back(u->str());
    functions_.push_back(std::move(fn));
  }
  if (a.error_sites())
    for (const fb::ErrorSite* s : *a.error_sites())
      sites_.push_back(Site{s->op() ? s->op()->str() : "", s->api() ? s->api()->str() : "",
                            s->file() ? s->file()->str() : "", s->line()});
  status_symbol_ = a.status_symbol() ? a.status_symbol()->str() : "";
  if (const fb::BuildInfo* b = a.build()) {
    auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
    build_ = BuildInfo{str(b->compiler_version()), str(b->target()),  str(b->cpu()),
                       str(b->features()),         str(b->flags()),   str(b->source()),
                       b->opt_level(),             b->created_unix()};
  }
}

void Module::bind(void* (*lookup)(void* context, const char* name), void* context) {
  for (Function& fn : functions_) {
    void* address = lookup(context, fn.symbol.c_str());
    if (!address)
      bad_input(origin_ + ": the code has no symbol '" + fn.symbol + "' for function '" +
                fn.name + "'");
    fn.entry = reinterpret_cast<void (*)(void**)>(address);
  }
  if (!status_symbol_.empty()) {
    status_ = static_cast<int64_t*>(lookup(context, status_symbol_.c_str()));
    if (!status_) bad_input(origin_ + ": the code has no status symbol '" + status_symbol_ + "'");
    std::fill(status_, status_ + 4, 0);
  }
}

std::unique_ptr<Module> Module::load(const std::string& path) {
  std::unique_ptr<Module> m(new Module());
  m->origin_ = path;
  MappedFile file = MappedFile::open(path, /*populate=*/true);
  const fb::Artifact& a = verify_artifact(file.data(), file.size(), path);
  m->describe(a);
  m->build_.source = m->build_.source.empty() ? path : m->build_.source;
  if (a.cuda()) {  // run by a CUDA executor (cuda_executor.cc); nothing to load here
    m->cuda_ = std::make_shared<const CudaCode>(verify_cuda_program(a, path));
    return m;
  }
  std::string missing;
  if (!cpu_supports(m->build_.cpu, m->build_.features, &missing))
    bad_input(path + ": compiled for CPU '" + m->build_.cpu + "', which needs " + missing +
              "; this CPU lacks it (recompile with kiln-compile --target=x86-64 or "
              "--target=x86-64-v3)");
  m->code_size_ = a.code()->size();

  // The verified code, through a memory file: dlopen needs a path, and no file on disk
  // should outlive the process or be swapped underneath it.
  int fd = memfd_create("kiln-artifact-code", MFD_CLOEXEC);
  if (fd < 0) internal_error(path + ": memfd_create failed: " + std::strerror(errno));
  try {
    write_all(fd, a.code()->data(), a.code()->size(), path + " (code)");
  } catch (...) {
    close(fd);
    throw;
  }
  // The memory file stays open while the module lives: dlopen returns an already loaded
  // object whose path matches, so two live modules must never share a /proc/self/fd name.
  m->code_fd_ = fd;
  std::string fd_path = "/proc/self/fd/" + std::to_string(fd);
  m->handle_ = dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->handle_) {
    const char* why = dlerror();
    bad_input(path + ": cannot load the code: " + (why ? why : "unknown dlopen error"));
  }
  m->bind([](void* handle, const char* name) { return dlsym(handle, name); }, m->handle_);
  return m;
}

std::unique_ptr<Module> Module::load_static(const kiln_static_model& model) {
  std::unique_ptr<Module> m(new Module());
  m->origin_ = "linked-in module";
  const fb::Artifact& a =
      verify_artifact(model.description, model.description_size, m->origin_, /*require_code=*/false);
  m->describe(a);
  if (!m->build_.source.empty()) m->origin_ = m->build_.source + " (linked in)";
  m->bind(
      [](void* context, const char* name) -> void* {
        const auto* sm = static_cast<const kiln_static_model*>(context);
        for (size_t i = 0; i < sm->symbol_count; ++i)
          if (std::strcmp(sm->symbols[i].name, name) == 0) return sm->symbols[i].address;
        return nullptr;
      },
      const_cast<kiln_static_model*>(&model));
  return m;
}

const Function* Module::find(std::string_view name) const {
  for (const Function& f : functions_)
    if (f.name == name) return &f;
  return nullptr;
}

int64_t Module::variable_index(const std::string& name) const {
  for (size_t i = 0; i < variables_.size(); ++i)
    if (variables_[i].name == name) return static_cast<int64_t>(i);
  return -1;
}

void Module::invoke(const Function& fn, void** packed) const {
  if (!fn.entry)
    bad_input(origin_ + " is compiled for " + build_.target +
              ": run it on a CUDA device (kiln-run --device cuda)");
  std::lock_guard<std::mutex> lock(call_mutex_);
  fn.entry(packed);
  if (!status_ || status_[0] == 0) return;
  const int64_t words[4] = {status_[0], status_[1], status_[2], status_[3]};
  std::fill(status_, status_ + 4, 0);
  raise_check_failure(fn, words);
}

void Module::raise_check_failure(const Function& fn, const int64_t words[4]) const {
  int64_t site = words[0], position = words[1], value = words[2], bound = words[3];
  if (site < 1 || static_cast<size_t>(site) > sites_.size())
    internal_error(origin_ + ": compiled code reported an error at unknown site " +
                   std::to_string(site));
  const Site& s = sites_[static_cast<size_t>(site - 1)];
  std::string what = s.op == "divide"
                         ? "integer division by zero (divisor element " +
                               std::to_string(position) + ")"
                         : "indices[" + std::to_string(position) + "] = " + std::to_string(value) +
                               " is not in [0, " + std::to_string(bound) + ")";
  std::string message = s.op + ": " + what;
  if (!s.file.empty()) message += " \u2014 at " + s.file + ":" + std::to_string(s.line);
  if (!s.api.empty()) message += " in " + s.api;
  bad_input(message + " (function '" + fn.name + "')");
}

}  // namespace kiln::rt
