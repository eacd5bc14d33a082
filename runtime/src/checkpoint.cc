// Reading and writing checkpoints. Verification follows the order the format's trust needs:
// header, footer range, footer checksum, FlatBuffers identifier and verifier, semantic checks
// of every tensor (overflow-checked), and last the data checksums, so that nothing in the
// file is trusted before the check that vouches for it has passed.
#include "runtime/src/checkpoint.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "kiln/schemas/checkpoint_generated.h"
#include "runtime/src/status.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt {
namespace {

// Header field offsets (checkpoint.fbs).
constexpr size_t kVersionAt = 8;
constexpr size_t kReservedAt = 12;
constexpr size_t kFooterOffsetAt = 16;
constexpr size_t kFooterSizeAt = 24;
constexpr size_t kFooterChecksumAt = 32;
// Our schema nests three tables deep; anything deeper is not a checkpoint footer.
constexpr uint32_t kMaxFooterDepth = 8;

uint32_t read_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return flatbuffers::EndianScalar(v);
}

uint64_t read_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return flatbuffers::EndianScalar(v);
}

void put_u32(uint8_t* p, uint32_t v) {
  v = flatbuffers::EndianScalar(v);
  std::memcpy(p, &v, sizeof v);
}

void put_u64(uint8_t* p, uint64_t v) {
  v = flatbuffers::EndianScalar(v);
  std::memcpy(p, &v, sizeof v);
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Printable form of bytes that should have been an identifier.
std::string quoted(const uint8_t* p, size_t n) {
  std::string s = "\"";
  for (size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
      s += static_cast<char>(p[i]);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", p[i]);
      s += buf;
    }
  }
  return s + "\"";
}

bool known_dtype(int v) { return v >= KILN_F32 && v <= KILN_BOOL; }
bool known_kind(int v) { return v >= KILN_KIND_VARIABLE && v <= KILN_KIND_DATA; }

// "tensor 1 ('bias')", as every per-tensor message starts.
std::string tensor_label(size_t index, const std::string& name) {
  return "tensor " + std::to_string(index) + " ('" + name + "')";
}

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

}  // namespace

const char* tensor_kind_name(kiln_tensor_kind kind) {
  switch (kind) {
    case KILN_KIND_VARIABLE:
      return "variable";
    case KILN_KIND_OPTIMIZER_SLOT:
      return "optimizer_slot";
    case KILN_KIND_RNG_STATE:
      return "rng_state";
    case KILN_KIND_DATA:
      return "data";
  }
  return "?";
}

std::unique_ptr<Checkpoint> Checkpoint::open(const std::string& path) {
  std::unique_ptr<Checkpoint> c(new Checkpoint());
  c->file_ = MappedFile::open(path, /*populate=*/true);
  c->origin_ = path;
  c->verify(c->file_.data(), c->file_.size());
  return c;
}

std::unique_ptr<Checkpoint> Checkpoint::from_bytes(const uint8_t* data, size_t size,
                                                   std::string origin) {
  std::unique_ptr<Checkpoint> c(new Checkpoint());
  c->origin_ = std::move(origin);
  c->verify(data, size);
  return c;
}

const CheckpointTensor* Checkpoint::find(std::string_view name) const {
  int64_t i = find_index(name);
  return i < 0 ? nullptr : &tensors_[static_cast<size_t>(i)];
}

int64_t Checkpoint::find_index(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

void Checkpoint::verify(const uint8_t* data, size_t size) {
  const std::string& o = origin_;
  // Header.
  size_t magic_bytes = std::min(size, sizeof kCheckpointMagic);
  if (magic_bytes == 0 || std::memcmp(data, kCheckpointMagic, magic_bytes) != 0)
    bad_input(o + ": not a Kiln checkpoint: starts with " + quoted(data, magic_bytes) +
              ", expected \"KILNCKPT\"");
  if (size < kCheckpointHeaderSize)
    bad_input(o + ": truncated in the header: the file has " + std::to_string(size) +
              " bytes, the header alone needs " + std::to_string(kCheckpointHeaderSize));
  uint32_t version = read_u32(data + kVersionAt);
  if (version != kCheckpointFormatVersion)
    bad_input(o + ": format version " + std::to_string(version) +
              " is not supported (this runtime reads version " +
              std::to_string(kCheckpointFormatVersion) + ")");
  if (uint32_t reserved = read_u32(data + kReservedAt); reserved != 0)
    bad_input(o + ": header: reserved field is " + std::to_string(reserved) + ", expected 0");
  uint64_t footer_offset = read_u64(data + kFooterOffsetAt);
  uint64_t footer_size = read_u64(data + kFooterSizeAt);
  uint64_t footer_checksum = read_u64(data + kFooterChecksumAt);
  if (footer_offset < kCheckpointHeaderSize)
    bad_input(o + ": footer offset " + std::to_string(footer_offset) +
              " is inside the header (the footer must start at or after 64)");
  uint64_t footer_end;
  if (__builtin_add_overflow(footer_offset, footer_size, &footer_end))
    bad_input(o + ": footer [" + std::to_string(footer_offset) + ", +" +
              std::to_string(footer_size) + ") overflows 64 bits");
  if (footer_end > size)
    bad_input(o + ": truncated: the header says the file is " + std::to_string(footer_end) +
              " bytes (footer at [" + std::to_string(footer_offset) + ", " +
              std::to_string(footer_end) + ")), but it has " + std::to_string(size));
  if (footer_end < size)
    bad_input(o + ": " + std::to_string(size - footer_end) +
              " unexpected bytes after the footer, which ends at " + std::to_string(footer_end) +
              " (the file has " + std::to_string(size) + ")");
  const uint8_t* footer = data + footer_offset;
  if (uint64_t h = xxh64(footer, footer_size); h != footer_checksum)
    bad_input(o + ": footer checksum mismatch: stored " + hex(footer_checksum) +
              ", footer bytes hash to " + hex(h));

  // Footer: identifier, then the verifier. The FlatBuffers accessors read scalars in place,
  // so a footer that is not 8-byte aligned in memory (from_bytes) is read from a copy.
  std::vector<uint64_t> aligned_copy;
  if (reinterpret_cast<uintptr_t>(footer) % alignof(uint64_t) != 0) {
    aligned_copy.resize((footer_size + 7) / 8);
    std::memcpy(aligned_copy.data(), footer, footer_size);
    footer = reinterpret_cast<const uint8_t*>(aligned_copy.data());
  }
  if (footer_size < 8)
    bad_input(o + ": footer of " + std::to_string(footer_size) +
              " bytes is too small to be a FlatBuffer (at least 8)");
  if (!flatbuffers::BufferHasIdentifier(footer, fb::CheckpointIdentifier()))
    bad_input(o + ": footer has FlatBuffers identifier " + quoted(footer + 4, 4) + ", expected \"" +
              fb::CheckpointIdentifier() + "\"");
  // Every table takes at least 4 distinct bytes, so this bounds the verifier's work even when
  // a malicious footer points many offsets at one table.
  auto max_tables = static_cast<flatbuffers::uoffset_t>(footer_size / 4 + 1);
  if (footer_size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    bad_input(o + ": footer of " + std::to_string(footer_size) +
              " bytes is larger than a FlatBuffer can be (2 GiB)");
  flatbuffers::Verifier verifier(footer, footer_size, kMaxFooterDepth, max_tables);
  if (!fb::VerifyCheckpointBuffer(verifier))
    bad_input(o + ": footer at [" + std::to_string(footer_offset) + ", " +
              std::to_string(footer_end) + ") fails the FlatBuffers verifier");
  const fb::Checkpoint* root = fb::GetCheckpoint(footer);

  // Semantics.
  if (root->format_version() != version)
    bad_input(o + ": footer: format_version " + std::to_string(root->format_version()) +
              " differs from the header's " + std::to_string(version));
  format_version_ = version;
  step_ = root->step();
  producer_ = root->producer() ? root->producer()->str() : "";

  size_t count = root->tensors() ? root->tensors()->size() : 0;
  tensors_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const fb::Tensor* t = root->tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
    CheckpointTensor ct{};
    // name and key are required fields, so the verifier has made sure they are there.
    const flatbuffers::String* name = t->name();
    ct.name = name != nullptr ? name->str() : "";
    std::string label = o + ": " + tensor_label(i, ct.name);
    if (ct.name.empty()) bad_input(o + ": tensor " + std::to_string(i) + ": empty name");
    int dtype = static_cast<int>(t->dtype());
    if (!known_dtype(dtype))
      bad_input(label + ": dtype " + std::to_string(dtype) +
                " is not known (0..4: f32, f64, i32, i64, bool)");
    int kind = static_cast<int>(t->kind());
    if (!known_kind(kind))
      bad_input(label + ": kind " + std::to_string(kind) +
                " is not known (0..3: variable, optimizer_slot, rng_state, data)");
    ct.dtype = static_cast<kiln_dtype>(dtype);
    ct.kind = static_cast<kiln_tensor_kind>(kind);
    const flatbuffers::Vector<int64_t>* shape = t->shape();
    size_t rank = shape != nullptr ? shape->size() : 0;
    if (rank > KILN_MAX_RANK)
      bad_input(label + ": rank " + std::to_string(rank) + " exceeds the maximum " +
                std::to_string(KILN_MAX_RANK));
    uint64_t elements = 1;
    bool overflow = false;
    for (size_t d = 0; d < rank; ++d) {
      // FlatBuffers 2.0's verifier aligns vectors to 4 bytes only, so the dims are read
      // bytewise rather than as int64_t in place.
      int64_t dim = static_cast<int64_t>(read_u64(shape->Data() + d * sizeof(int64_t)));
      ct.shape.push_back(dim);
      if (dim < 0)
        bad_input(label + ": shape[" + std::to_string(d) + "] = " + std::to_string(dim) +
                  " is negative");
      overflow |= __builtin_mul_overflow(elements, static_cast<uint64_t>(dim), &elements);
    }
    uint64_t expected_length;
    overflow |= __builtin_mul_overflow(elements, kiln_dtype_size(ct.dtype), &expected_length);
    if (overflow)
      bad_input(label + ": shape " + shape_str(ct.shape) + " of " + kiln_dtype_name(ct.dtype) +
                " has more bytes than fit in 64 bits");
    ct.offset = t->offset();
    ct.length = t->length();
    if (ct.length != expected_length)
      bad_input(label + ": length " + std::to_string(ct.length) + " does not match shape " +
                shape_str(ct.shape) + " of " + kiln_dtype_name(ct.dtype) + " (" +
                std::to_string(expected_length) + " bytes)");
    if (ct.offset % kCheckpointAlignment != 0)
      bad_input(label + ": offset " + std::to_string(ct.offset) + " is not a multiple of " +
                std::to_string(kCheckpointAlignment));
    if (ct.offset < kCheckpointHeaderSize)
      bad_input(label + ": offset " + std::to_string(ct.offset) +
                " is inside the header (data starts at 64)");
    uint64_t end;
    if (__builtin_add_overflow(ct.offset, ct.length, &end) || end > footer_offset)
      bad_input(label + ": data [" + std::to_string(ct.offset) + ", +" + std::to_string(ct.length) +
                ") extends past the data section, which ends at " + std::to_string(footer_offset));
    ct.data = data + ct.offset;
    ct.checksum = t->checksum();
    tensors_.push_back(std::move(ct));
  }

  for (size_t i = 0; i < tensors_.size(); ++i) {
    auto [it, inserted] = index_.emplace(tensors_[i].name, i);
    if (!inserted)
      bad_input(o + ": " + tensor_label(i, tensors_[i].name) + ": duplicate name (also tensor " +
                std::to_string(it->second) + ")");
  }

  // Disjoint data: sorted by offset, each non-empty range must end before the next starts.
  std::vector<size_t> by_offset;
  for (size_t i = 0; i < tensors_.size(); ++i)
    if (tensors_[i].length > 0) by_offset.push_back(i);
  std::sort(by_offset.begin(), by_offset.end(), [&](size_t a, size_t b) {
    return tensors_[a].offset < tensors_[b].offset ||
           (tensors_[a].offset == tensors_[b].offset && a < b);
  });
  for (size_t k = 1; k < by_offset.size(); ++k) {
    const CheckpointTensor& prev = tensors_[by_offset[k - 1]];
    const CheckpointTensor& cur = tensors_[by_offset[k]];
    if (cur.offset < prev.offset + prev.length)
      bad_input(o + ": " + tensor_label(by_offset[k], cur.name) + ": data [" +
                std::to_string(cur.offset) + ", " + std::to_string(cur.offset + cur.length) +
                ") overlaps " + tensor_label(by_offset[k - 1], prev.name) + " at [" +
                std::to_string(prev.offset) + ", " + std::to_string(prev.offset + prev.length) +
                ")");
  }

  size_t metadata_count = root->metadata() ? root->metadata()->size() : 0;
  std::unordered_map<std::string_view, size_t> keys;
  metadata_.reserve(metadata_count);
  for (size_t i = 0; i < metadata_count; ++i) {
    const fb::KeyValue* kv = root->metadata()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const flatbuffers::String* key_string = kv->key();
    std::string_view key = key_string != nullptr ? key_string->string_view() : "";
    auto [it, inserted] = keys.emplace(key, i);
    if (!inserted)
      bad_input(o + ": metadata " + std::to_string(i) + ": duplicate key '" + std::string(key) +
                "' (also metadata " + std::to_string(it->second) + ")");
    metadata_.emplace_back(std::string(key), kv->value() ? kv->value()->str() : "");
  }

  for (size_t i = 0; i < tensors_.size(); ++i) {
    const CheckpointTensor& t = tensors_[i];
    uint64_t h = xxh64(t.data, t.length);
    if (h != t.checksum)
      bad_input(o + ": " + tensor_label(i, t.name) + ": checksum mismatch: stored " +
                hex(t.checksum) + ", data hashes to " + hex(h));
  }
}

void CheckpointWriter::add(const std::string& name, kiln_tensor_kind kind, kiln_dtype dtype,
                           const std::vector<int64_t>& shape, const void* data) {
  std::string label = "checkpoint tensor '" + name + "'";
  if (name.empty()) bad_input("checkpoint tensor: empty name");
  if (names_.count(name) != 0) bad_input(label + ": a tensor of that name was already added");
  if (!known_kind(kind)) bad_input(label + ": unknown kind " + std::to_string(kind));
  if (!known_dtype(dtype)) bad_input(label + ": unknown dtype " + std::to_string(dtype));
  if (shape.size() > KILN_MAX_RANK)
    bad_input(label + ": rank " + std::to_string(shape.size()) + " exceeds the maximum " +
              std::to_string(KILN_MAX_RANK));
  uint64_t bytes = kiln_dtype_size(dtype);
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0)
      bad_input(label + ": shape[" + std::to_string(d) + "] = " + std::to_string(shape[d]) +
                " is negative");
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(shape[d]), &bytes))
      bad_input(label + ": shape " + shape_str(shape) + " has more bytes than fit in 64 bits");
  }
  if (bytes > 0 && data == nullptr) bad_input(label + ": data is null");
  const uint8_t* p = static_cast<const uint8_t*>(data);
  entries_.push_back(Entry{name, kind, dtype, shape, std::vector<uint8_t>(p, p + bytes)});
  names_.emplace(name, entries_.size() - 1);
}

void CheckpointWriter::set_metadata(const std::string& key, std::string value) {
  for (auto& [k, v] : metadata_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  metadata_.emplace_back(key, std::move(value));
}

template <typename Sink>
void CheckpointWriter::write(Sink&& sink) const {
  // The data offsets are known before the footer is built (the footer goes last), so the
  // header, the data and the footer are written in one pass.
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  uint64_t offset = kCheckpointHeaderSize;
  for (const Entry& e : entries_) {
    uint64_t length = e.data.size();
    tensors.push_back(
        fb::CreateTensor(fbb, fbb.CreateString(e.name), static_cast<fb::DType>(e.dtype),
                         static_cast<fb::TensorKind>(e.kind), fbb.CreateVector(e.shape), offset,
                         length, xxh64(e.data.data(), length)));
    offset = round_up(offset + length, kCheckpointAlignment);
  }
  const uint64_t footer_offset = offset;
  std::vector<flatbuffers::Offset<fb::KeyValue>> metadata;
  for (const auto& [k, v] : metadata_)
    metadata.push_back(fb::CreateKeyValue(fbb, fbb.CreateString(k), fbb.CreateString(v)));
  auto root =
      fb::CreateCheckpoint(fbb, kCheckpointFormatVersion, step_, fbb.CreateString(producer_),
                           fbb.CreateVector(tensors), fbb.CreateVector(metadata));
  fb::FinishCheckpointBuffer(fbb, root);

  uint8_t header[kCheckpointHeaderSize] = {};
  std::memcpy(header, kCheckpointMagic, sizeof kCheckpointMagic);
  put_u32(header + kVersionAt, kCheckpointFormatVersion);
  put_u64(header + kFooterOffsetAt, footer_offset);
  put_u64(header + kFooterSizeAt, fbb.GetSize());
  put_u64(header + kFooterChecksumAt, xxh64(fbb.GetBufferPointer(), fbb.GetSize()));
  sink(header, sizeof header);
  static const uint8_t kZeros[kCheckpointAlignment] = {};
  for (const Entry& e : entries_) {
    sink(e.data.data(), e.data.size());
    size_t pad = round_up(e.data.size(), kCheckpointAlignment) - e.data.size();
    sink(kZeros, pad);
  }
  sink(fbb.GetBufferPointer(), fbb.GetSize());
}

std::vector<uint8_t> CheckpointWriter::to_bytes() const {
  std::vector<uint8_t> bytes;
  write([&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  });
  return bytes;
}

void CheckpointWriter::save(const std::string& path) const {
  write_file_atomically(
      path, [&](int fd) { write([&](const void* p, size_t n) { write_all(fd, p, n, path); }); });
}

}  // namespace kiln::rt
