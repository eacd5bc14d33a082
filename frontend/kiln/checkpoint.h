// Saving and restoring variables, as tf.train.Checkpoint / tf.compat.v1.train.Saver do:
//
//   kiln::save_checkpoint("run.kckpt", model.variables(),
//                         kiln::CheckpointOptions().with_step(step).with_optimizer(&adam));
//   ...
//   kiln::restore_checkpoint("run.kckpt", fresh.variables(),
//                            kiln::RestoreOptions().with_optimizer(&fresh_adam));
//
// Checkpoints are keyed by variable name and use the one file format of the runtime
// (runtime/schemas/checkpoint.fbs), so eager code, kiln::function-compiled code and standalone
// programs read each other's checkpoints. Files are written atomically and verified in full
// before anything is read; a restore that does not match changes nothing and reports every
// missing, unexpected and mismatched name at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/optim/optimizer.h"
#include "kiln/random.h"
#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln::rt {
class Checkpoint;
}

namespace kiln {

struct CheckpointOptions {
  int64_t step = 0;                             // the training step the checkpoint is taken at
  std::map<std::string, std::string> metadata;  // free-form key/values
  // Its variables() (the step count and every slot) are saved as optimizer slots.
  const optim::Optimizer* optimizer = nullptr;
  std::vector<Generator> generators;  // their states are saved as RNG states

  CheckpointOptions& with_step(int64_t s) {
    step = s;
    return *this;
  }
  CheckpointOptions& with_metadata(const std::string& key, std::string value) {
    metadata[key] = std::move(value);
    return *this;
  }
  CheckpointOptions& with_optimizer(const optim::Optimizer* o) {
    optimizer = o;
    return *this;
  }
  CheckpointOptions& with_generator(const Generator& g) {
    generators.push_back(g);
    return *this;
  }
};

struct RestoreOptions {
  // Restores its step count and, for the trainable variables restored, its slots (created
  // first with Optimizer::build when the optimizer is fresh).
  optim::Optimizer* optimizer = nullptr;
  std::vector<Generator> generators;  // restored from the RNG states of the same names
  // Variables in the checkpoint that are not being restored are an error unless this is set
  // (optimizer slots and RNG states never are).
  bool allow_unexpected = false;

  RestoreOptions& with_optimizer(optim::Optimizer* o) {
    optimizer = o;
    return *this;
  }
  RestoreOptions& with_generator(const Generator& g) {
    generators.push_back(g);
    return *this;
  }
  RestoreOptions& with_allow_unexpected(bool allow) {
    allow_unexpected = allow;
    return *this;
  }
};

// Writes `variables` (and the options' optimizer state and generators) to `path` atomically:
// a previous file at `path` survives any failure or crash during the save. Names must be unique.
void save_checkpoint(const std::string& path, const std::vector<Variable>& variables,
                     const CheckpointOptions& options = {}, const Loc& loc = Loc::current());

// An opened, verified checkpoint. Cheap to copy (copies share the mapping).
class CheckpointFile {
 public:
  const std::string& path() const;
  int64_t step() const;
  const std::string& producer() const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Every tensor's name, in file order.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;
  // A copy of tensor `name`; an error naming the file if there is none.
  Tensor tensor(const std::string& name, const Loc& loc = Loc::current()) const;
  // The runtime's view of the file (kinds, checksums, offsets).
  const rt::Checkpoint& contents() const { return *checkpoint_; }

 private:
  friend CheckpointFile load_checkpoint(const std::string& path, const Loc& loc);
  explicit CheckpointFile(std::shared_ptr<const rt::Checkpoint> checkpoint);

  std::shared_ptr<const rt::Checkpoint> checkpoint_;
  std::map<std::string, std::string> metadata_;
};

// Opens and verifies the checkpoint at `path`; a bad file is a kiln::Error naming the file,
// the tensor and the field.
CheckpointFile load_checkpoint(const std::string& path, const Loc& loc = Loc::current());

// Assigns every variable (and the options' optimizer state and generators) the checkpoint's
// tensor of the same name. If any name is missing, unexpected or of another dtype, shape or
// kind, throws one kiln::Error listing all of them and changes no variable.
void restore_checkpoint(const CheckpointFile& checkpoint, const std::vector<Variable>& variables,
                        const RestoreOptions& options = {}, const Loc& loc = Loc::current());
void restore_checkpoint(const std::string& path, const std::vector<Variable>& variables,
                        const RestoreOptions& options = {}, const Loc& loc = Loc::current());

}  // namespace kiln
