// kiln-inspect for checkpoints: verifies the file exactly as the runtime does, then prints its
// step, producer, metadata and every tensor (kind, dtype, shape, bytes, offset, checksum).
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "runtime/src/checkpoint.h"
#include "runtime/src/status.h"
#include "tools/inspect.h"

namespace kiln::tools {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

std::string type_of(const rt::CheckpointTensor& t) {
  std::string s = std::string(kiln_dtype_name(t.dtype)) + "[";
  for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + "]";
}

void print_text(const rt::Checkpoint& c, std::ostream& out) {
  out << "checkpoint " << c.origin() << "\n"
      << "  format version: " << c.format_version() << "\n"
      << "  step: " << c.step() << "\n"
      << "  producer: " << c.producer() << "\n"
      << "  metadata (" << c.metadata().size() << "):\n";
  for (const auto& [key, value] : c.metadata()) out << "    " << key << " = " << value << "\n";
  out << "  tensors (" << c.tensors().size() << "):\n";
  for (const rt::CheckpointTensor& t : c.tensors())
    out << "    " << t.name << ": " << rt::tensor_kind_name(t.kind) << " " << type_of(t) << ", "
        << t.length << " bytes at offset " << t.offset << ", checksum " << hex(t.checksum) << "\n";
}

nlohmann::json to_json(const rt::Checkpoint& c) {
  nlohmann::json j;
  j["file"] = c.origin();
  j["type"] = "checkpoint";
  j["format_version"] = c.format_version();
  j["step"] = c.step();
  j["producer"] = c.producer();
  j["metadata"] = nlohmann::json::object();
  for (const auto& [key, value] : c.metadata()) j["metadata"][key] = value;
  j["tensors"] = nlohmann::json::array();
  for (const rt::CheckpointTensor& t : c.tensors())
    j["tensors"].push_back({{"name", t.name},
                            {"kind", rt::tensor_kind_name(t.kind)},
                            {"dtype", kiln_dtype_name(t.dtype)},
                            {"shape", t.shape},
                            {"bytes", t.length},
                            {"offset", t.offset},
                            {"checksum", hex(t.checksum)}});
  return j;
}

}  // namespace

int inspect_checkpoint(const std::string& path, bool json, std::ostream& out, std::ostream& err) {
  std::unique_ptr<rt::Checkpoint> checkpoint;
  try {
    checkpoint = rt::Checkpoint::open(path);
  } catch (const rt::Error& e) {
    err << "kiln-inspect: " << e.what() << "\n";
    return 1;
  }
  if (json)
    out << to_json(*checkpoint).dump(2) << "\n";
  else
    print_text(*checkpoint, out);
  return 0;
}

}  // namespace kiln::tools
