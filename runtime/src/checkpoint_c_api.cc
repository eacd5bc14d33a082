// The kiln_checkpoint_* and kiln_checkpoint_writer_* functions of the C API, over
// kiln::rt::Checkpoint and kiln::rt::CheckpointWriter.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "runtime/src/checkpoint.h"
#include "runtime/src/status.h"

using kiln::rt::guard;
using kiln::rt::usage_error;

namespace {

void require(const void* p, const char* function, const char* argument) {
  if (p == nullptr) usage_error(std::string(function) + ": " + argument + " is NULL");
}

}  // namespace

extern "C" {

kiln_status kiln_checkpoint_open(const char* path, kiln_checkpoint** out) {
  return guard([&] {
    require(path, "kiln_checkpoint_open", "path");
    require(out, "kiln_checkpoint_open", "out");
    *out = nullptr;
    auto checkpoint = std::make_unique<kiln_checkpoint_s>();
    checkpoint->checkpoint = kiln::rt::Checkpoint::open(path);
    *out = checkpoint.release();
  });
}

void kiln_checkpoint_close(kiln_checkpoint* checkpoint) { delete checkpoint; }

int64_t kiln_checkpoint_step(const kiln_checkpoint* checkpoint) {
  return checkpoint ? checkpoint->checkpoint->step() : 0;
}

const char* kiln_checkpoint_producer(const kiln_checkpoint* checkpoint) {
  return checkpoint ? checkpoint->checkpoint->producer().c_str() : "";
}

uint32_t kiln_checkpoint_format_version(const kiln_checkpoint* checkpoint) {
  return checkpoint ? checkpoint->checkpoint->format_version() : 0;
}

size_t kiln_checkpoint_tensor_count(const kiln_checkpoint* checkpoint) {
  return checkpoint ? checkpoint->checkpoint->tensors().size() : 0;
}

kiln_status kiln_checkpoint_tensor(const kiln_checkpoint* checkpoint, size_t index,
                                   const char** name, kiln_tensor_kind* kind, uint64_t* checksum,
                                   kiln_tensor_view* view) {
  return guard([&] {
    require(checkpoint, "kiln_checkpoint_tensor", "checkpoint");
    const auto& tensors = checkpoint->checkpoint->tensors();
    if (index >= tensors.size())
      usage_error("kiln_checkpoint_tensor: index " + std::to_string(index) +
                  " is out of range: " + checkpoint->checkpoint->origin() + " has " +
                  std::to_string(tensors.size()) + " tensors");
    const kiln::rt::CheckpointTensor& t = tensors[index];
    if (name) *name = t.name.c_str();
    if (kind) *kind = t.kind;
    if (checksum) *checksum = t.checksum;
    if (view) {
      *view = kiln_tensor_view{};
      view->dtype = t.dtype;
      view->rank = static_cast<int32_t>(t.shape.size());
      std::copy(t.shape.begin(), t.shape.end(), view->shape);
      // Read-only in fact (the mapping is PROT_READ); the view type is shared with outputs.
      view->data = const_cast<uint8_t*>(t.data);
    }
  });
}

int64_t kiln_checkpoint_find(const kiln_checkpoint* checkpoint, const char* name) {
  if (checkpoint == nullptr || name == nullptr) return -1;
  return checkpoint->checkpoint->find_index(name);
}

size_t kiln_checkpoint_metadata_count(const kiln_checkpoint* checkpoint) {
  return checkpoint ? checkpoint->checkpoint->metadata().size() : 0;
}

kiln_status kiln_checkpoint_metadata(const kiln_checkpoint* checkpoint, size_t index,
                                     const char** key, const char** value) {
  return guard([&] {
    require(checkpoint, "kiln_checkpoint_metadata", "checkpoint");
    const auto& metadata = checkpoint->checkpoint->metadata();
    if (index >= metadata.size())
      usage_error("kiln_checkpoint_metadata: index " + std::to_string(index) +
                  " is out of range: " + checkpoint->checkpoint->origin() + " has " +
                  std::to_string(metadata.size()) + " metadata entries");
    if (key) *key = metadata[index].first.c_str();
    if (value) *value = metadata[index].second.c_str();
  });
}

kiln_status kiln_checkpoint_writer_create(kiln_checkpoint_writer** out) {
  return guard([&] {
    require(out, "kiln_checkpoint_writer_create", "out");
    *out = new kiln_checkpoint_writer_s();
  });
}

void kiln_checkpoint_writer_free(kiln_checkpoint_writer* writer) { delete writer; }

kiln_status kiln_checkpoint_writer_add(kiln_checkpoint_writer* writer, const char* name,
                                       kiln_tensor_kind kind, const kiln_tensor_view* tensor) {
  return guard([&] {
    require(writer, "kiln_checkpoint_writer_add", "writer");
    require(name, "kiln_checkpoint_writer_add", "name");
    require(tensor, "kiln_checkpoint_writer_add", "tensor");
    if (tensor->rank < 0 || tensor->rank > KILN_MAX_RANK)
      kiln::rt::bad_input(std::string("checkpoint tensor '") + name + "': rank " +
                          std::to_string(tensor->rank) + " is not in [0, " +
                          std::to_string(KILN_MAX_RANK) + "]");
    std::vector<int64_t> shape(tensor->shape, tensor->shape + tensor->rank);
    writer->writer.add(name, kind, tensor->dtype, shape, tensor->data);
  });
}

void kiln_checkpoint_writer_set_step(kiln_checkpoint_writer* writer, int64_t step) {
  if (writer) writer->writer.set_step(step);
}

kiln_status kiln_checkpoint_writer_set_producer(kiln_checkpoint_writer* writer,
                                                const char* producer) {
  return guard([&] {
    require(writer, "kiln_checkpoint_writer_set_producer", "writer");
    require(producer, "kiln_checkpoint_writer_set_producer", "producer");
    writer->writer.set_producer(producer);
  });
}

kiln_status kiln_checkpoint_writer_set_metadata(kiln_checkpoint_writer* writer, const char* key,
                                                const char* value) {
  return guard([&] {
    require(writer, "kiln_checkpoint_writer_set_metadata", "writer");
    require(key, "kiln_checkpoint_writer_set_metadata", "key");
    require(value, "kiln_checkpoint_writer_set_metadata", "value");
    writer->writer.set_metadata(key, value);
  });
}

kiln_status kiln_checkpoint_writer_save(const kiln_checkpoint_writer* writer, const char* path) {
  return guard([&] {
    require(writer, "kiln_checkpoint_writer_save", "writer");
    require(path, "kiln_checkpoint_writer_save", "path");
    writer->writer.save(path);
  });
}

}  // extern "C"
