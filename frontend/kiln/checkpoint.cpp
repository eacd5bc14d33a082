// The eager checkpoint API over the runtime's verified reader and atomic writer.
#include "kiln/checkpoint.h"

#include <cstring>
#include <set>
#include <unordered_map>

#include "runtime/src/checkpoint.h"
#include "runtime/src/status.h"

namespace kiln {
namespace {

kiln_dtype to_runtime(DType dt) {
  switch (dt) {
    case DType::f32:
      return KILN_F32;
    case DType::f64:
      return KILN_F64;
    case DType::i32:
      return KILN_I32;
    case DType::i64:
      return KILN_I64;
    case DType::b8:
      return KILN_BOOL;
  }
  __builtin_unreachable();
}

DType from_runtime(kiln_dtype dt) {
  switch (dt) {
    case KILN_F32:
      return DType::f32;
    case KILN_F64:
      return DType::f64;
    case KILN_I32:
      return DType::i32;
    case KILN_I64:
      return DType::i64;
    case KILN_BOOL:
      return DType::b8;
  }
  __builtin_unreachable();  // a verified checkpoint has known dtypes only
}

// "f32[2, 3]", "i64[]": the runtime's notation, the same for both sides of a mismatch.
std::string type_str(kiln_dtype dtype, const std::vector<int64_t>& shape) {
  std::string s = std::string(kiln_dtype_name(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

// Bytes of a bool tensor from a file may be any value; kiln's bools are 0 or 1.
void copy_elements(void* dst, const void* src, size_t bytes, DType dtype) {
  if (dtype != DType::b8) {
    std::memcpy(dst, src, bytes);
    return;
  }
  const uint8_t* in = static_cast<const uint8_t*>(src);
  uint8_t* out = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < bytes; ++i) out[i] = in[i] != 0;
}

struct Entry {
  Variable variable;
  kiln_tensor_kind kind;
};

// Everything a save or restore covers, in order: variables, optimizer state, generators.
std::vector<Entry> entries(const std::vector<Variable>& variables,
                           const optim::Optimizer* optimizer,
                           const std::vector<Generator>& generators, const char* api) {
  std::vector<Entry> out;
  for (const Variable& v : variables) out.push_back({v, KILN_KIND_VARIABLE});
  if (optimizer != nullptr)
    for (const Variable& v : optimizer->variables()) out.push_back({v, KILN_KIND_OPTIMIZER_SLOT});
  for (const Generator& g : generators) out.push_back({g.state(), KILN_KIND_RNG_STATE});
  std::unordered_map<std::string, uint64_t> ids;
  std::vector<Entry> unique;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].variable.defined())
      detail::fail(api, "variable " + std::to_string(i) + " to checkpoint is undefined");
    auto [it, inserted] = ids.emplace(out[i].variable.name(), out[i].variable.id());
    if (inserted) {
      unique.push_back(out[i]);
    } else if (it->second != out[i].variable.id()) {
      detail::fail(api, "two different variables are named '" + it->first +
                            "'; checkpoints key variables by name");
    }
  }
  return unique;
}

}  // namespace

void save_checkpoint(const std::string& path, const std::vector<Variable>& variables,
                     const CheckpointOptions& options, const Loc& loc) {
  detail::ApiScope scope("save_checkpoint", loc);
  rt::CheckpointWriter writer;
  writer.set_step(options.step);
  writer.set_producer("kiln " KILN_RUNTIME_VERSION " (eager)");
  for (const auto& [key, value] : options.metadata) writer.set_metadata(key, value);
  try {
    for (const Entry& e :
         entries(variables, options.optimizer, options.generators, "save_checkpoint")) {
      const Tensor& t = e.variable.storage();
      if (t.is_symbolic())
        detail::fail("save_checkpoint", "variable '" + e.variable.name() +
                                            "' holds a traced value; save outside traced code");
      writer.add(e.variable.name(), e.kind, to_runtime(t.dtype()), t.shape().vec(), t.raw());
    }
    writer.save(path);
  } catch (const rt::Error& e) {
    detail::fail("save_checkpoint", e.what());
  }
}

CheckpointFile::CheckpointFile(std::shared_ptr<const rt::Checkpoint> checkpoint)
    : checkpoint_(std::move(checkpoint)),
      metadata_(checkpoint_->metadata().begin(), checkpoint_->metadata().end()) {}

const std::string& CheckpointFile::path() const { return checkpoint_->origin(); }
int64_t CheckpointFile::step() const { return checkpoint_->step(); }
const std::string& CheckpointFile::producer() const { return checkpoint_->producer(); }

std::vector<std::string> CheckpointFile::names() const {
  std::vector<std::string> out;
  for (const rt::CheckpointTensor& t : checkpoint_->tensors()) out.push_back(t.name);
  return out;
}

bool CheckpointFile::contains(const std::string& name) const {
  return checkpoint_->find(name) != nullptr;
}

Tensor CheckpointFile::tensor(const std::string& name, const Loc& loc) const {
  detail::ApiScope scope("CheckpointFile::tensor", loc);
  const rt::CheckpointTensor* t = checkpoint_->find(name);
  if (t == nullptr) detail::fail("tensor", path() + " has no tensor '" + name + "'");
  DType dtype = from_runtime(t->dtype);
  Tensor out = Tensor::empty(Shape(t->shape), dtype);
  copy_elements(out.raw(), t->data, t->length, dtype);
  return out;
}

CheckpointFile load_checkpoint(const std::string& path, const Loc& loc) {
  detail::ApiScope scope("load_checkpoint", loc);
  try {
    return CheckpointFile(rt::Checkpoint::open(path));
  } catch (const rt::Error& e) {
    detail::fail("load_checkpoint", e.what());
  }
}

void restore_checkpoint(const CheckpointFile& checkpoint, const std::vector<Variable>& variables,
                        const RestoreOptions& options, const Loc& loc) {
  detail::ApiScope scope("restore_checkpoint", loc);
  // A fresh optimizer has no slots yet; they are created as its first update would create
  // them, so a failed restore leaves the optimizer behaving as before.
  if (options.optimizer != nullptr) {
    std::vector<Variable> trainable;
    for (const Variable& v : variables)
      if (v.defined() && v.trainable()) trainable.push_back(v);
    options.optimizer->build(trainable);
  }
  std::vector<Entry> targets =
      entries(variables, options.optimizer, options.generators, "restore_checkpoint");

  const rt::Checkpoint& file = checkpoint.contents();
  std::vector<std::string> missing, unexpected, mismatched;
  std::vector<const rt::CheckpointTensor*> sources;
  std::set<std::string> restored;
  for (const Entry& e : targets) {
    const std::string& name = e.variable.name();
    restored.insert(name);
    const rt::CheckpointTensor* t = file.find(name);
    sources.push_back(t);
    if (t == nullptr) {
      missing.push_back("'" + name + "'");
      continue;
    }
    const Tensor& storage = e.variable.storage();
    std::string want = type_str(to_runtime(storage.dtype()), storage.shape().vec());
    std::string have = type_str(t->dtype, t->shape);
    if (want != have)
      mismatched.push_back(name + ": checkpoint has " + have + ", variable is " + want);
    else if (t->kind != e.kind)
      mismatched.push_back(name + ": checkpoint has it as " + rt::tensor_kind_name(t->kind) +
                           ", restoring it as " + rt::tensor_kind_name(e.kind));
  }
  if (!options.allow_unexpected)
    for (const rt::CheckpointTensor& t : file.tensors())
      if (t.kind == KILN_KIND_VARIABLE && restored.count(t.name) == 0) unexpected.push_back(t.name);

  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string message = checkpoint.path() + " does not match the variables to restore";
    if (!missing.empty()) {
      message += "; missing from the checkpoint: ";
      for (size_t i = 0; i < missing.size(); ++i) message += (i ? ", " : "") + missing[i];
    }
    if (!unexpected.empty())
      message += "; in the checkpoint but not restored (pass them, or allow_unexpected): " +
                 quoted_list(unexpected);
    if (!mismatched.empty()) {
      message += "; mismatched: ";
      for (size_t i = 0; i < mismatched.size(); ++i) message += (i ? "; " : "") + mismatched[i];
    }
    detail::fail("restore_checkpoint", message);
  }

  // Everything matched: copy into the variables' storage in place, as compiled code updates
  // them, so that buffers shared with compiled functions stay the same buffers.
  for (size_t i = 0; i < targets.size(); ++i) {
    Variable v = targets[i].variable;
    Tensor& storage = v.mutable_storage();
    copy_elements(storage.raw(), sources[i]->data, sources[i]->length, storage.dtype());
  }
}

void restore_checkpoint(const std::string& path, const std::vector<Variable>& variables,
                        const RestoreOptions& options, const Loc& loc) {
  detail::ApiScope scope("restore_checkpoint", loc);
  restore_checkpoint(load_checkpoint(path, loc), variables, options, loc);
}

}  // namespace kiln
