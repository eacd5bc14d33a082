// Checkpoints (.kckpt, runtime/schemas/checkpoint.fbs): reading with full verification before
// anything is used, and writing atomically. Behind the kiln_checkpoint_* C API and used
// directly by the front end, the tools and the loaders of compiled artifacts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kiln/runtime.h"
#include "runtime/src/file_util.h"

namespace kiln::rt {

inline constexpr char kCheckpointMagic[8] = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
inline constexpr uint32_t kCheckpointFormatVersion = 1;  // the only version there is so far
inline constexpr size_t kCheckpointHeaderSize = 64;
inline constexpr size_t kCheckpointAlignment = 64;  // of every tensor's data

// "f32", ... / "variable", "optimizer_slot", "rng_state", "data".
const char* tensor_kind_name(kiln_tensor_kind kind);

// One tensor of a verified checkpoint. `data` points into the checkpoint's bytes.
struct CheckpointTensor {
  std::string name;
  kiln_dtype dtype;
  kiln_tensor_kind kind;
  std::vector<int64_t> shape;  // empty for a scalar
  const uint8_t* data;         // `length` bytes, 64-byte aligned when the file is mapped
  uint64_t offset;             // in the file
  uint64_t length;
  uint64_t checksum;  // XXH64, verified
};

// A checkpoint whose every byte has been checked: the header, the FlatBuffers verifier, the
// semantic rules (known dtypes and kinds, ranks, lengths, in-range, aligned, disjoint data,
// unique names and keys) and each tensor's checksum. Immutable, so it can be shared by threads.
// Any rejection throws Error(KILN_BAD_INPUT) whose message starts with the origin (the path)
// and names the field, the tensor (index and name) and the numbers.
class Checkpoint {
 public:
  // Maps `path` (MAP_PRIVATE | MAP_POPULATE) and verifies it.
  static std::unique_ptr<Checkpoint> open(const std::string& path);
  // Verifies `size` bytes at `data`, which must outlive the result; `origin` names them in
  // messages. Every input is either accepted or rejected with an Error: none crashes, hangs
  // or allocates more than a small multiple of `size`.
  static std::unique_ptr<Checkpoint> from_bytes(const uint8_t* data, size_t size,
                                                std::string origin);

  const std::string& origin() const { return origin_; }
  uint32_t format_version() const { return format_version_; }
  int64_t step() const { return step_; }
  const std::string& producer() const { return producer_; }
  const std::vector<CheckpointTensor>& tensors() const { return tensors_; }
  // The tensor named `name`, or null.
  const CheckpointTensor* find(std::string_view name) const;
  // Index in tensors() of `name`, or -1.
  int64_t find_index(std::string_view name) const;
  // Key/value pairs in file order.
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }

 private:
  Checkpoint() = default;
  void verify(const uint8_t* data, size_t size);

  MappedFile file_;  // empty for from_bytes
  std::string origin_;
  uint32_t format_version_ = 0;
  int64_t step_ = 0;
  std::string producer_;
  std::vector<CheckpointTensor> tensors_;
  std::unordered_map<std::string_view, size_t> index_;  // views of tensors_[i].name
  std::vector<std::pair<std::string, std::string>> metadata_;
};

// Collects tensors (copied) and metadata, then writes a checkpoint file. The layout puts each
// tensor's data at the next 64-byte boundary after the previous one, in the order added.
class CheckpointWriter {
 public:
  // Copies product(shape) * size(dtype) bytes from `data`. Throws Error(KILN_BAD_INPUT) for an
  // empty or duplicate name, an unknown dtype or kind, a rank over 8 or a negative dim.
  void add(const std::string& name, kiln_tensor_kind kind, kiln_dtype dtype,
           const std::vector<int64_t>& shape, const void* data);
  void set_step(int64_t step) { step_ = step; }
  void set_producer(std::string producer) { producer_ = std::move(producer); }
  // Sets or replaces `key`.
  void set_metadata(const std::string& key, std::string value);

  // The whole file, in memory (tests, fuzz seeds).
  std::vector<uint8_t> to_bytes() const;
  // Writes the file atomically (write_file_atomically).
  void save(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    kiln_tensor_kind kind;
    kiln_dtype dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> data;
  };
  // Emits the file's bytes in order, through `sink(data, size)`.
  template <typename Sink>
  void write(Sink&& sink) const;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> names_;
  int64_t step_ = 0;
  std::string producer_ = "kiln " KILN_RUNTIME_VERSION;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

}  // namespace kiln::rt

// The C API's handles are these objects.
struct kiln_checkpoint_s {
  std::unique_ptr<kiln::rt::Checkpoint> checkpoint;
};

struct kiln_checkpoint_writer_s {
  kiln::rt::CheckpointWriter writer;
};
