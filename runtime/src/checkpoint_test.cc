// Checkpoints: round trips of every dtype, kind and rank; the malformed corpus (one case per
// validation rule, each a valid file patched, each with its exact message); the C API; atomic
// saves under SIGKILL; and failed saves that leave the previous file alone.
#include "runtime/src/checkpoint.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiln/schemas/checkpoint_generated.h"
#include "runtime/src/status.h"
#include "runtime/src/test_util.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Bytes = std::vector<uint8_t>;

using test_support::TempDir;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT) << e.what();
    return e.what();
  }
  return "(accepted)";
}

Bytes pattern_bytes(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + seed);
  return b;
}

// ---- round trips ----------------------------------------------------------------------

TEST(Checkpoint, RoundTripsEveryDtypeKindAndRank) {
  CheckpointWriter w;
  struct Want {
    std::string name;
    kiln_tensor_kind kind;
    kiln_dtype dtype;
    std::vector<int64_t> shape;
    Bytes data;
  };
  std::vector<Want> want;
  const kiln_dtype dtypes[] = {KILN_F32, KILN_F64, KILN_I32, KILN_I64, KILN_BOOL};
  const kiln_tensor_kind kinds[] = {KILN_KIND_VARIABLE, KILN_KIND_OPTIMIZER_SLOT,
                                    KILN_KIND_RNG_STATE, KILN_KIND_DATA};
  for (int rank = 0; rank <= KILN_MAX_RANK; ++rank) {
    for (kiln_dtype dt : dtypes) {
      std::vector<int64_t> shape;
      for (int d = 0; d < rank; ++d) shape.push_back(d % 3 == 0 ? 2 : 1);
      size_t n = kiln_dtype_size(dt);
      for (int64_t s : shape) n *= static_cast<size_t>(s);
      kiln_tensor_kind kind = kinds[(rank + dt) % 4];
      std::string name = "model/r" + std::to_string(rank) + "_" + kiln_dtype_name(dt);
      want.push_back({name, kind, dt, shape, pattern_bytes(n, static_cast<uint8_t>(rank))});
    }
  }
  want.push_back({"empty/zero_dim", KILN_KIND_DATA, KILN_F32, {3, 0, 2}, {}});
  want.push_back({"empty/vector", KILN_KIND_VARIABLE, KILN_I64, {0}, {}});
  for (const Want& t : want) w.add(t.name, t.kind, t.dtype, t.shape, t.data.data());
  w.set_step(1234567890123);
  w.set_producer("checkpoint_test");
  w.set_metadata("loss", "huber");
  w.set_metadata("lr", "0.1");
  w.set_metadata("loss", "squared");  // replaces
  w.set_metadata("", "an empty key is allowed");

  TempDir dir;
  std::string path = dir.file("all.kckpt");
  w.save(path);
  std::unique_ptr<Checkpoint> c = Checkpoint::open(path);
  EXPECT_EQ(c->format_version(), 1u);
  EXPECT_EQ(c->step(), 1234567890123);
  EXPECT_EQ(c->producer(), "checkpoint_test");
  using KV = std::pair<std::string, std::string>;
  EXPECT_EQ(c->metadata(),
            (std::vector<KV>{{"loss", "squared"}, {"lr", "0.1"}, {"", "an empty key is allowed"}}));
  ASSERT_EQ(c->tensors().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const CheckpointTensor& t = c->tensors()[i];
    SCOPED_TRACE(want[i].name);
    EXPECT_EQ(t.name, want[i].name);
    EXPECT_EQ(t.kind, want[i].kind);
    EXPECT_EQ(t.dtype, want[i].dtype);
    EXPECT_EQ(t.shape, want[i].shape);
    ASSERT_EQ(t.length, want[i].data.size());
    EXPECT_EQ(Bytes(t.data, t.data + t.length), want[i].data);
    EXPECT_EQ(t.offset % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 64, 0u);  // zero-copy reads are aligned
    EXPECT_EQ(t.checksum, xxh64(want[i].data.data(), want[i].data.size()));
    EXPECT_EQ(c->find(want[i].name), &t);
  }
  EXPECT_EQ(c->find("nope"), nullptr);
  EXPECT_EQ(c->find_index("nope"), -1);
  // The same bytes in memory as on disk.
  Bytes bytes = w.to_bytes();
  EXPECT_EQ(Checkpoint::from_bytes(bytes.data(), bytes.size(), "mem")->tensors().size(),
            want.size());
}

TEST(Checkpoint, EmptyCheckpointRoundTrips) {
  Bytes bytes = CheckpointWriter().to_bytes();
  std::unique_ptr<Checkpoint> c = Checkpoint::from_bytes(bytes.data(), bytes.size(), "empty");
  EXPECT_TRUE(c->tensors().empty());
  EXPECT_EQ(c->step(), 0);
  EXPECT_EQ(c->producer(), "kiln " KILN_RUNTIME_VERSION);
}

TEST(CheckpointWriter, RejectsBadTensors) {
  CheckpointWriter w;
  float x = 1;
  w.add("a", KILN_KIND_VARIABLE, KILN_F32, {}, &x);
  EXPECT_EQ(message_of([&] { w.add("a", KILN_KIND_VARIABLE, KILN_F32, {}, &x); }),
            "checkpoint tensor 'a': a tensor of that name was already added");
  EXPECT_EQ(message_of([&] { w.add("", KILN_KIND_VARIABLE, KILN_F32, {}, &x); }),
            "checkpoint tensor: empty name");
  EXPECT_EQ(message_of([&] {
              w.add("b", KILN_KIND_VARIABLE, KILN_F32, {1, -1}, &x);
            }),
            "checkpoint tensor 'b': shape[1] = -1 is negative");
  EXPECT_EQ(message_of([&] {
              w.add("b", KILN_KIND_VARIABLE, KILN_F32, {1, 1, 1, 1, 1, 1, 1, 1, 1}, &x);
            }),
            "checkpoint tensor 'b': rank 9 exceeds the maximum 8");
  EXPECT_EQ(message_of([&] {
              w.add("b", KILN_KIND_VARIABLE, KILN_F32, {int64_t{1} << 62, int64_t{1} << 62}, &x);
            }),
            "checkpoint tensor 'b': shape [4611686018427387904, 4611686018427387904] has more "
            "bytes than fit in 64 bits");
  EXPECT_EQ(message_of([&] { w.add("b", static_cast<kiln_tensor_kind>(9), KILN_F32, {}, &x); }),
            "checkpoint tensor 'b': unknown kind 9");
  EXPECT_EQ(message_of([&] { w.add("b", KILN_KIND_DATA, static_cast<kiln_dtype>(7), {}, &x); }),
            "checkpoint tensor 'b': unknown dtype 7");
}

// ---- the malformed corpus -------------------------------------------------------------

// A tensor entry of a footer, with room for values no writer would produce.
struct Spec {
  std::string name;
  int dtype;
  int kind;
  std::vector<int64_t> shape;
  uint64_t offset, length, checksum;
};

// The valid file every case patches: weight f32[2,3] at [64, 88), bias f32[3] at [128, 140),
// the footer at 192.
struct Base {
  Bytes bytes;
  std::vector<Spec> specs;
  uint64_t footer_offset, footer_size;
};

Base make_base() {
  CheckpointWriter w;
  Bytes weight = pattern_bytes(24, 1), bias = pattern_bytes(12, 2);
  w.add("weight", KILN_KIND_VARIABLE, KILN_F32, {2, 3}, weight.data());
  w.add("bias", KILN_KIND_VARIABLE, KILN_F32, {3}, bias.data());
  w.set_step(7);
  w.set_metadata("loss", "huber");
  Base b;
  b.bytes = w.to_bytes();
  std::unique_ptr<Checkpoint> c = Checkpoint::from_bytes(b.bytes.data(), b.bytes.size(), "base");
  for (const CheckpointTensor& t : c->tensors())
    b.specs.push_back({t.name, t.dtype, t.kind, t.shape, t.offset, t.length, t.checksum});
  std::memcpy(&b.footer_offset, b.bytes.data() + 16, 8);
  std::memcpy(&b.footer_size, b.bytes.data() + 24, 8);
  return b;
}

void set_u64(Bytes& b, size_t at, uint64_t v) { std::memcpy(b.data() + at, &v, 8); }
void set_u32(Bytes& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

// Replaces the footer of `base` with `footer` and fixes the header (offset, size, checksum).
Bytes with_footer_bytes(const Base& base, const Bytes& footer) {
  Bytes out(base.bytes.begin(), base.bytes.begin() + static_cast<ptrdiff_t>(base.footer_offset));
  out.insert(out.end(), footer.begin(), footer.end());
  set_u64(out, 24, footer.size());
  set_u64(out, 32, xxh64(footer.data(), footer.size()));
  return out;
}

// A footer built directly with the FlatBuffers builder from `specs` and metadata.
Bytes with_footer(const Base& base, const std::vector<Spec>& specs,
                  const std::vector<std::pair<std::string, std::string>>& metadata = {},
                  uint32_t format_version = 1) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (const Spec& s : specs)
    tensors.push_back(fb::CreateTensor(fbb, fbb.CreateString(s.name),
                                       static_cast<fb::DType>(s.dtype),
                                       static_cast<fb::TensorKind>(s.kind),
                                       fbb.CreateVector(s.shape), s.offset, s.length, s.checksum));
  std::vector<flatbuffers::Offset<fb::KeyValue>> kvs;
  for (const auto& [k, v] : metadata)
    kvs.push_back(fb::CreateKeyValue(fbb, fbb.CreateString(k), fbb.CreateString(v)));
  fb::FinishCheckpointBuffer(
      fbb, fb::CreateCheckpoint(fbb, format_version, 7, 0, fbb.CreateVector(tensors),
                                fbb.CreateVector(kvs)));
  return with_footer_bytes(base,
                           Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()));
}

struct MalformedCase {
  const char* rule;
  std::function<Bytes(const Base&)> make;
  std::function<std::string(const Base&)> message;  // the exact message, after "bad.kckpt: "
};

std::string n(uint64_t v) { return std::to_string(v); }

std::vector<MalformedCase> malformed_corpus() {
  auto specs_with = [](const Base& b, const std::function<void(std::vector<Spec>&)>& edit) {
    std::vector<Spec> specs = b.specs;
    edit(specs);
    return with_footer(b, specs);
  };
  auto file_size = [](const Base& b) { return b.footer_offset + b.footer_size; };
  return {
      {"empty file", [](const Base&) { return Bytes{}; },
       [](const Base&) {
         return std::string("not a Kiln checkpoint: starts with \"\", expected \"KILNCKPT\"");
       }},
      {"wrong magic",
       [](const Base& b) {
         Bytes x = b.bytes;
         std::memcpy(x.data(), "KILNXXXX", 8);
         return x;
       },
       [](const Base&) {
         return std::string(
             "not a Kiln checkpoint: starts with \"KILNXXXX\", expected \"KILNCKPT\"");
       }},
      {"truncated in the header",
       [](const Base& b) { return Bytes(b.bytes.begin(), b.bytes.begin() + 40); },
       [](const Base&) {
         return std::string(
             "truncated in the header: the file has 40 bytes, the header alone needs 64");
       }},
      {"truncated in the data",
       [](const Base& b) { return Bytes(b.bytes.begin(), b.bytes.begin() + 100); },
       [=](const Base& b) {
         return "truncated: the header says the file is " + n(file_size(b)) +
                " bytes (footer at [" + n(b.footer_offset) + ", " + n(file_size(b)) +
                ")), but it has 100";
       }},
      {"truncated in the footer",
       [](const Base& b) { return Bytes(b.bytes.begin(), b.bytes.end() - 10); },
       [=](const Base& b) {
         return "truncated: the header says the file is " + n(file_size(b)) +
                " bytes (footer at [" + n(b.footer_offset) + ", " + n(file_size(b)) +
                ")), but it has " + n(file_size(b) - 10);
       }},
      {"bytes after the footer",
       [](const Base& b) {
         Bytes x = b.bytes;
         x.resize(x.size() + 3);
         return x;
       },
       [=](const Base& b) {
         return "3 unexpected bytes after the footer, which ends at " + n(file_size(b)) +
                " (the file has " + n(file_size(b) + 3) + ")";
       }},
      {"bad version",
       [](const Base& b) {
         Bytes x = b.bytes;
         set_u32(x, 8, 2);
         return x;
       },
       [](const Base&) {
         return std::string("format version 2 is not supported (this runtime reads version 1)");
       }},
      {"reserved header field",
       [](const Base& b) {
         Bytes x = b.bytes;
         set_u32(x, 12, 5);
         return x;
       },
       [](const Base&) { return std::string("header: reserved field is 5, expected 0"); }},
      {"footer offset inside the header",
       [](const Base& b) {
         Bytes x = b.bytes;
         set_u64(x, 16, 8);
         return x;
       },
       [](const Base&) {
         return std::string(
             "footer offset 8 is inside the header (the footer must start at or after 64)");
       }},
      {"footer range overflows",
       [](const Base& b) {
         Bytes x = b.bytes;
         set_u64(x, 24, ~uint64_t{0});
         return x;
       },
       [](const Base& b) {
         return "footer [" + n(b.footer_offset) + ", +18446744073709551615) overflows 64 bits";
       }},
      {"footer offset past the end",
       [](const Base& b) {
         Bytes x = b.bytes;
         set_u64(x, 16, 1 << 20);
         return x;
       },
       [](const Base& b) {
         return "truncated: the header says the file is " + n((1 << 20) + b.footer_size) +
                " bytes (footer at [1048576, " + n((1 << 20) + b.footer_size) + ")), but it has " +
                n(b.bytes.size());
       }},
      {"footer checksum mismatch",
       [](const Base& b) {
         Bytes x = b.bytes;
         x[b.footer_offset + 20] ^= 0xff;
         return x;
       },
       [](const Base& b) {
         Bytes x = b.bytes;
         x[b.footer_offset + 20] ^= 0xff;
         uint64_t stored;
         std::memcpy(&stored, x.data() + 32, 8);
         char buf[100];
         std::snprintf(
             buf, sizeof buf,
             "footer checksum mismatch: stored 0x%016llx, footer bytes hash to 0x%016llx",
             static_cast<unsigned long long>(stored),
             static_cast<unsigned long long>(xxh64(x.data() + b.footer_offset, b.footer_size)));
         return std::string(buf);
       }},
      {"footer too small",
       [](const Base& b) {
         return with_footer_bytes(b, Bytes{1, 2, 3, 4});
       },
       [](const Base&) {
         return std::string("footer of 4 bytes is too small to be a FlatBuffer (at least 8)");
       }},
      {"wrong FlatBuffers identifier",
       [](const Base& b) {
         Bytes footer(b.bytes.begin() + static_cast<ptrdiff_t>(b.footer_offset), b.bytes.end());
         std::memcpy(footer.data() + 4, "KILN", 4);
         return with_footer_bytes(b, footer);
       },
       [](const Base&) {
         return std::string("footer has FlatBuffers identifier \"KILN\", expected \"KCKP\"");
       }},
      {"footer fails the verifier",
       [](const Base& b) {
         Bytes footer(b.bytes.begin() + static_cast<ptrdiff_t>(b.footer_offset), b.bytes.end());
         set_u32(footer, 0, 0x7ffffff0);  // the root table offset, far outside the footer
         return with_footer_bytes(b, footer);
       },
       [=](const Base& b) {
         return "footer at [" + n(b.footer_offset) + ", " + n(file_size(b)) +
                ") fails the FlatBuffers verifier";
       }},
      {"footer version differs", [](const Base& b) { return with_footer(b, b.specs, {}, 3); },
       [](const Base&) {
         return std::string("footer: format_version 3 differs from the header's 1");
       }},
      {"empty name", [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].name = ""; }); },
       [](const Base&) { return std::string("tensor 1: empty name"); }},
      {"unknown dtype",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].dtype = 9; }); },
       [](const Base&) {
         return std::string(
             "tensor 1 ('bias'): dtype 9 is not known (0..4: f32, f64, i32, i64, bool)");
       }},
      {"unknown kind",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[0].kind = -2; }); },
       [](const Base&) {
         return std::string(
             "tensor 0 ('weight'): kind -2 is not known (0..3: variable, optimizer_slot, "
             "rng_state, data)");
       }},
      {"rank 9",
       [=](const Base& b) {
         return specs_with(b, [](auto& s) { s[0].shape = {2, 3, 1, 1, 1, 1, 1, 1, 1}; });
       },
       [](const Base&) {
         return std::string("tensor 0 ('weight'): rank 9 exceeds the maximum 8");
       }},
      {"negative dim",
       [=](const Base& b) { return specs_with(b, [](auto& s) {
                              s[0].shape = {2, -3};
                            }); },
       [](const Base&) { return std::string("tensor 0 ('weight'): shape[1] = -3 is negative"); }},
      {"huge dims overflow",
       [=](const Base& b) {
         return specs_with(b, [](auto& s) { s[0].shape = {int64_t{1} << 62, int64_t{1} << 62}; });
       },
       [](const Base&) {
         return std::string(
             "tensor 0 ('weight'): shape [4611686018427387904, 4611686018427387904] of f32 has "
             "more bytes than fit in 64 bits");
       }},
      {"elements times dtype size overflows",
       [=](const Base& b) {
         return specs_with(b, [](auto& s) { s[0].shape = {int64_t{1} << 62}; });
       },
       [](const Base&) {
         return std::string(
             "tensor 0 ('weight'): shape [4611686018427387904] of f32 has more bytes than fit in "
             "64 bits");
       }},
      {"length mismatch",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].length = 16; }); },
       [](const Base&) {
         return std::string(
             "tensor 1 ('bias'): length 16 does not match shape [3] of f32 (12 bytes)");
       }},
      {"misaligned offset",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].offset = 132; }); },
       [](const Base&) {
         return std::string("tensor 1 ('bias'): offset 132 is not a multiple of 64");
       }},
      {"offset inside the header",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[0].offset = 0; }); },
       [](const Base&) {
         return std::string(
             "tensor 0 ('weight'): offset 0 is inside the header (data starts at 64)");
       }},
      {"data past the footer offset",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].offset = 192; }); },
       [](const Base&) {
         return std::string(
             "tensor 1 ('bias'): data [192, +12) extends past the data section, which ends at 192");
       }},
      {"data offset overflows",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].offset = ~uint64_t{63}; }); },
       [](const Base&) {
         return std::string(
             "tensor 1 ('bias'): data [18446744073709551552, +12) extends past the data section, "
             "which ends at 192");
       }},
      {"overlapping tensors",
       [=](const Base& b) {
         return specs_with(b, [](auto& s) {
           s[0].shape = {16};  // weight now covers [64, 128 + 4 + ...)
           s[0].length = 64;
           s[1].offset = 64;
         });
       },
       [](const Base&) {
         return std::string(
             "tensor 1 ('bias'): data [64, 76) overlaps tensor 0 ('weight') at [64, 128)");
       }},
      {"overlap that starts later",
       [=](const Base& b) {
         return specs_with(b, [](auto& s) {
           s[0].shape = {20};
           s[0].length = 80;  // [64, 144) runs into bias at [128, 140)
         });
       },
       [](const Base&) {
         return std::string(
             "tensor 1 ('bias'): data [128, 140) overlaps tensor 0 ('weight') at [64, 144)");
       }},
      {"duplicate names",
       [=](const Base& b) { return specs_with(b, [](auto& s) { s[1].name = "weight"; }); },
       [](const Base&) {
         return std::string("tensor 1 ('weight'): duplicate name (also tensor 0)");
       }},
      {"duplicate metadata keys",
       [](const Base& b) {
         return with_footer(b, b.specs, {{"lr", "1"}, {"loss", "x"}, {"lr", "2"}});
       },
       [](const Base&) { return std::string("metadata 2: duplicate key 'lr' (also metadata 0)"); }},
      {"data checksum mismatch",
       [](const Base& b) {
         Bytes x = b.bytes;
         x[130] ^= 1;
         return x;
       },
       [](const Base& b) {
         Bytes x = b.bytes;
         x[130] ^= 1;
         char buf[120];
         std::snprintf(
             buf, sizeof buf,
             "tensor 1 ('bias'): checksum mismatch: stored 0x%016llx, data hashes to 0x%016llx",
             static_cast<unsigned long long>(b.specs[1].checksum),
             static_cast<unsigned long long>(xxh64(x.data() + 128, 12)));
         return std::string(buf);
       }},
  };
}

TEST(CheckpointMalformed, EveryRuleRejectsWithItsMessage) {
  Base base = make_base();
  ASSERT_EQ(base.specs[0].offset, 64u);
  ASSERT_EQ(base.specs[1].offset, 128u);
  ASSERT_EQ(base.footer_offset, 192u);
  for (const MalformedCase& c : malformed_corpus()) {
    SCOPED_TRACE(c.rule);
    Bytes bytes = c.make(base);
    EXPECT_EQ(message_of([&] { Checkpoint::from_bytes(bytes.data(), bytes.size(), "bad.kckpt"); }),
              "bad.kckpt: " + c.message(base));
  }
}

TEST(CheckpointMalformed, FilesAreNamedByPath) {
  Base base = make_base();
  TempDir dir;
  std::string path = dir.file("huber.kckpt");
  Bytes bytes = base.bytes;
  bytes[70] ^= 1;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_THAT(message_of([&] { Checkpoint::open(path); }),
              HasSubstr(path + ": tensor 0 ('weight'): checksum mismatch: stored 0x"));
  EXPECT_EQ(message_of([&] { Checkpoint::open(dir.file("missing.kckpt")); }),
            dir.file("missing.kckpt") + ": cannot open: No such file or directory");
}

// Every prefix and every single-byte change of a valid file is rejected or accepted without
// crashing (a cheap, deterministic cousin of the fuzz target).
TEST(CheckpointMalformed, EveryPrefixAndByteFlipIsHandled) {
  Base base = make_base();
  for (size_t len = 0; len < base.bytes.size(); ++len) {
    Bytes prefix(base.bytes.begin(), base.bytes.begin() + static_cast<ptrdiff_t>(len));
    EXPECT_THAT(message_of([&] { Checkpoint::from_bytes(prefix.data(), prefix.size(), "p"); }),
                HasSubstr("p: "))
        << len;
  }
  for (size_t i = 0; i < base.bytes.size(); ++i) {
    Bytes x = base.bytes;
    x[i] ^= 0x5a;
    try {
      Checkpoint::from_bytes(x.data(), x.size(), "flip");
      // Only padding bytes may change without notice.
      EXPECT_TRUE((i >= 40 && i < 64) || (i >= 88 && i < 128) || (i >= 140 && i < 192)) << i;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), KILN_BAD_INPUT);
    }
  }
}

// FlatBuffers 2.0's verifier accepts a [long] vector on a 4-byte boundary; such a shape is
// read bytewise (no misaligned 8-byte load) and means what it says.
TEST(CheckpointMalformed, ShapeVectorOnAFourByteBoundaryIsReadSafely) {
  Base base = make_base();
  bool misaligned_seen = false;
  for (int pad = 0; pad < 2; ++pad) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    for (size_t i = 0; i < base.specs.size(); ++i) {
      const Spec& s = base.specs[i];
      auto name = fbb.CreateString(s.name);
      for (int k = 0; k < pad; ++k) fbb.PushElement<uint32_t>(0);
      // The dims as 32-bit halves in a vector aligned to 4 only, its length in 64-bit dims.
      fbb.StartVector(s.shape.size() * 2, sizeof(uint32_t));
      for (size_t d = s.shape.size(); d-- > 0;) {
        fbb.PushElement<uint32_t>(static_cast<uint32_t>(static_cast<uint64_t>(s.shape[d]) >> 32));
        fbb.PushElement<uint32_t>(static_cast<uint32_t>(s.shape[d]));
      }
      flatbuffers::Offset<flatbuffers::Vector<int64_t>> shape(fbb.EndVector(s.shape.size()));
      tensors.push_back(fb::CreateTensor(fbb, name, static_cast<fb::DType>(s.dtype),
                                         static_cast<fb::TensorKind>(s.kind), shape, s.offset,
                                         s.length, s.checksum));
    }
    fb::FinishCheckpointBuffer(fbb, fb::CreateCheckpoint(fbb, 1, 7, 0, fbb.CreateVector(tensors)));
    Bytes footer(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    Bytes bytes = with_footer_bytes(base, footer);
    std::unique_ptr<Checkpoint> c = Checkpoint::from_bytes(bytes.data(), bytes.size(), "pad");
    EXPECT_EQ(c->tensors()[0].shape, (std::vector<int64_t>{2, 3})) << pad;
    EXPECT_EQ(c->tensors()[1].shape, (std::vector<int64_t>{3})) << pad;
    const fb::Checkpoint* root = fb::GetCheckpoint(footer.data());
    misaligned_seen |=
        reinterpret_cast<uintptr_t>(root->tensors()->Get(0)->shape()->Data()) % 8 != 0;
  }
  EXPECT_TRUE(misaligned_seen) << "one of the paddings puts a shape on a 4-byte boundary";
}

TEST(CheckpointMalformed, UnalignedBytesAreReadSafely) {
  Base base = make_base();
  Bytes shifted(base.bytes.size() + 1);
  std::memcpy(shifted.data() + 1, base.bytes.data(), base.bytes.size());
  std::unique_ptr<Checkpoint> c =
      Checkpoint::from_bytes(shifted.data() + 1, base.bytes.size(), "odd");
  EXPECT_EQ(c->tensors()[1].name, "bias");
}

// ---- the C API ------------------------------------------------------------------------

TEST(CheckpointCApi, WritesReadsAndReportsStatus) {
  TempDir dir;
  std::string path = dir.file("c.kckpt");
  kiln_checkpoint_writer* w = nullptr;
  ASSERT_EQ(kiln_checkpoint_writer_create(&w), nullptr);
  float values[6] = {1, 2, 3, 4, 5, 6};
  kiln_tensor_view v{KILN_F32, 2, {2, 3}, values};
  ASSERT_EQ(kiln_checkpoint_writer_add(w, "model/w", KILN_KIND_VARIABLE, &v), nullptr);
  kiln_status s = kiln_checkpoint_writer_add(w, "model/w", KILN_KIND_VARIABLE, &v);
  EXPECT_EQ(kiln_status_get_code(s), KILN_BAD_INPUT);
  EXPECT_STREQ(kiln_status_message(s),
               "checkpoint tensor 'model/w': a tensor of that name was already added");
  kiln_status_free(s);
  kiln_tensor_view bad_rank{KILN_F32, 9, {}, values};
  s = kiln_checkpoint_writer_add(w, "x", KILN_KIND_VARIABLE, &bad_rank);
  EXPECT_STREQ(kiln_status_message(s), "checkpoint tensor 'x': rank 9 is not in [0, 8]");
  kiln_status_free(s);
  kiln_checkpoint_writer_set_step(w, 42);
  ASSERT_EQ(kiln_checkpoint_writer_set_producer(w, "c api"), nullptr);
  ASSERT_EQ(kiln_checkpoint_writer_set_metadata(w, "k", "v"), nullptr);
  ASSERT_EQ(kiln_checkpoint_writer_save(w, path.c_str()), nullptr);
  kiln_checkpoint_writer_free(w);

  kiln_checkpoint* c = nullptr;
  ASSERT_EQ(kiln_checkpoint_open(path.c_str(), &c), nullptr);
  EXPECT_EQ(kiln_checkpoint_step(c), 42);
  EXPECT_STREQ(kiln_checkpoint_producer(c), "c api");
  EXPECT_EQ(kiln_checkpoint_format_version(c), 1u);
  ASSERT_EQ(kiln_checkpoint_tensor_count(c), 1u);
  EXPECT_EQ(kiln_checkpoint_find(c, "model/w"), 0);
  EXPECT_EQ(kiln_checkpoint_find(c, "other"), -1);
  const char* name = nullptr;
  kiln_tensor_kind kind;
  uint64_t checksum = 0;
  kiln_tensor_view out;
  ASSERT_EQ(kiln_checkpoint_tensor(c, 0, &name, &kind, &checksum, &out), nullptr);
  EXPECT_STREQ(name, "model/w");
  EXPECT_EQ(kind, KILN_KIND_VARIABLE);
  EXPECT_EQ(checksum, xxh64(values, sizeof values));
  EXPECT_EQ(out.rank, 2);
  EXPECT_EQ(out.shape[1], 3);
  EXPECT_EQ(std::memcmp(out.data, values, sizeof values), 0);
  ASSERT_EQ(kiln_checkpoint_tensor(c, 0, nullptr, nullptr, nullptr, nullptr), nullptr);
  s = kiln_checkpoint_tensor(c, 1, &name, nullptr, nullptr, nullptr);
  EXPECT_EQ(kiln_status_get_code(s), KILN_USAGE);
  EXPECT_STREQ(
      kiln_status_message(s),
      ("kiln_checkpoint_tensor: index 1 is out of range: " + path + " has 1 tensors").c_str());
  kiln_status_free(s);
  ASSERT_EQ(kiln_checkpoint_metadata_count(c), 1u);
  const char *key = nullptr, *value = nullptr;
  ASSERT_EQ(kiln_checkpoint_metadata(c, 0, &key, &value), nullptr);
  EXPECT_STREQ(key, "k");
  EXPECT_STREQ(value, "v");
  kiln_checkpoint_close(c);

  s = kiln_checkpoint_open(nullptr, &c);
  EXPECT_EQ(kiln_status_get_code(s), KILN_USAGE);
  EXPECT_STREQ(kiln_status_message(s), "kiln_checkpoint_open: path is NULL");
  kiln_status_free(s);
  s = kiln_checkpoint_open(dir.file("missing").c_str(), &c);
  EXPECT_EQ(kiln_status_get_code(s), KILN_BAD_INPUT);
  EXPECT_EQ(c, nullptr);
  kiln_status_free(s);
  kiln_checkpoint_close(nullptr);
  kiln_checkpoint_writer_free(nullptr);
}

// ---- atomic saves ---------------------------------------------------------------------

// Two versions of one checkpoint, a few MB each, that differ in every tensor.
CheckpointWriter version(uint8_t tag) {
  CheckpointWriter w;
  Bytes big = pattern_bytes(3 << 20, tag),
        small = pattern_bytes(1000, static_cast<uint8_t>(tag + 1));
  w.add("big", KILN_KIND_VARIABLE, KILN_I32, {3 << 18}, big.data());
  w.add("small", KILN_KIND_VARIABLE, KILN_BOOL, {1000}, small.data());
  w.set_step(tag);
  return w;
}

bool same_tensors(const Checkpoint& c, const Bytes& file) {
  std::unique_ptr<Checkpoint> want = Checkpoint::from_bytes(file.data(), file.size(), "want");
  if (c.tensors().size() != want->tensors().size()) return false;
  for (size_t i = 0; i < c.tensors().size(); ++i) {
    const CheckpointTensor &a = c.tensors()[i], &b = want->tensors()[i];
    if (a.name != b.name || a.length != b.length || std::memcmp(a.data, b.data, a.length) != 0)
      return false;
  }
  return true;
}

// A child saves A and B alternately to one path as fast as it can; the parent SIGKILLs it at
// varying moments. Whatever the moment, the path holds a complete A or B. The killed save
// may leave its temporary ("<path>.tmp-XXXXXX") behind: at most one, which is removed here.
TEST(CheckpointCrashSafety, KilledSavesNeverDamageThePreviousCheckpoint) {
  TempDir dir;
  std::string path = dir.file("run.kckpt");
  CheckpointWriter a = version(10), b = version(20);
  Bytes a_bytes = a.to_bytes(), b_bytes = b.to_bytes();
  a.save(path);
  std::mt19937 rng(5);
  int saw_a = 0, saw_b = 0;
  for (int iteration = 0; iteration < 24; ++iteration) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (uint64_t i = 0;; ++i) {
        try {
          (i % 2 == 0 ? b : a).save(path);
        } catch (...) {
          ::_exit(3);
        }
      }
    }
    int delay_us = static_cast<int>(rng() % 20001);  // 0-20 ms
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the saving child exited on its own: " << status;

    std::unique_ptr<Checkpoint> c = Checkpoint::open(path);
    bool is_a = same_tensors(*c, a_bytes), is_b = same_tensors(*c, b_bytes);
    EXPECT_TRUE(is_a || is_b) << "iteration " << iteration << " after " << delay_us << " us";
    saw_a += is_a;
    saw_b += is_b;
    int temporaries = 0;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      if (entry.path() == path) continue;
      EXPECT_THAT(entry.path().string(), HasSubstr(path + ".tmp-"));
      ++temporaries;
      fs::remove(entry.path());
    }
    EXPECT_LE(temporaries, 1) << "iteration " << iteration;
  }
  EXPECT_GT(saw_a + saw_b, 0);
}

TEST(CheckpointCrashSafety, FailedSaveLeavesTheTargetUnchanged) {
  TempDir dir;
  std::string missing = dir.file("no-such-dir/ck.kckpt");
  CheckpointWriter w = version(1);
  EXPECT_EQ(message_of([&] { w.save(missing); }), missing + ": cannot create a temporary file in " +
                                                      dir.file("no-such-dir") +
                                                      ": No such file or directory");

  // A target that is a directory: the data is written, the rename fails, and the
  // temporary goes away.
  std::string target = dir.file("target");
  fs::create_directories(target + "/keep");
  EXPECT_THAT(message_of([&] { w.save(target); }), HasSubstr(target + ": cannot rename "));
  EXPECT_TRUE(fs::is_directory(target + "/keep"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// /proc accepts no new files, even from root: a read-only directory with a file in it.
TEST(CheckpointCrashSafety, ReadOnlyFileSystemLeavesTheTargetUnchanged) {
  std::string before = file_text("/proc/version");
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(message_of([&] { version(2).save("/proc/version"); }),
            "/proc/version: cannot create a temporary file in /proc: No such file or directory");
  EXPECT_EQ(file_text("/proc/version"), before);
}

TEST(CheckpointCrashSafety, ReadOnlyDirectoryLeavesTheTargetUnchanged) {
  TempDir dir;
  std::string path = dir.file("ck.kckpt");
  version(1).save(path);
  // Readable and searchable by everyone (the unprivileged child included), writable by none.
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec |
                                  fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  std::string message =
      test_support::error_message_unprivileged([&] { version(2).save(path); });
  fs::permissions(dir.path(), fs::perms::owner_all);
  EXPECT_THAT(message, HasSubstr(path + ": cannot create a temporary file in " + dir.path() +
                                 ": Permission denied"));
  EXPECT_EQ(Checkpoint::open(path)->step(), 1);
}

}  // namespace
}  // namespace kiln::rt
