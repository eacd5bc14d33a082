// Test support for the runtime's artifact tests (module_test.cc, module_load_test.cc): a
// builder of artifact FlatBuffers whose every field a test can set, a valid baseline with a
// fake ELF header as code, and small helpers (verification messages, status values).
#pragma once

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kiln/runtime.h"
#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/module.h"
#include "runtime/src/status.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt::test_support {

using Bytes = std::vector<uint8_t>;

constexpr int64_t kTiB = int64_t{1} << 40;
constexpr const char* kEmDash = "\xe2\x80\x94";

// ---- the artifact builder -------------------------------------------------------------

struct SpecDesc {
  std::string name;
  fb::DType dtype = fb::DType::F32;
  std::vector<int64_t> shape;
};

struct ArgDesc {
  SpecDesc spec;
  bool variable = false;
  bool read = true;
};

struct FunctionDesc {
  std::string name, symbol;
  std::vector<ArgDesc> arguments;
  std::vector<SpecDesc> outputs;
  std::vector<std::string> updates;
  bool batched = false;
};

struct SiteDesc {
  uint32_t id = 0;
  std::string op, api, file;
  uint32_t line = 0;
};

// The fake code: the 64-byte identification header of an ELF64 little-endian x86-64 shared
// object (EI_CLASS 2, EI_DATA 1, EI_VERSION 1, e_type 3 at 16, e_machine 62 at 18, both
// little-endian 16-bit). Verification reads no more; dlopen refuses it.
inline Bytes fake_elf() {
  Bytes code(64, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(code.data(), ident, sizeof ident);
  code[16] = 3;
  code[18] = 62;
  return code;
}

struct ArtifactDesc {
  uint32_t format_version = 1;
  std::vector<FunctionDesc> functions;
  bool functions_absent = false;  // no functions vector at all (rather than an empty one)
  std::vector<SpecDesc> variables;
  std::vector<SiteDesc> sites;
  std::optional<std::string> status_symbol;
  std::optional<std::string> source, cpu, features;  // BuildInfo, when any is set
  fb::CodeFormat code_format = fb::CodeFormat::ElfSharedObject;
  std::optional<Bytes> code = fake_elf();  // nullopt: no code vector
  std::optional<uint64_t> checksum;        // nullopt: the correct XXH64 of the code

  Bytes build() const {
    flatbuffers::FlatBufferBuilder b;
    // The code goes in first, so that it ends the buffer: a FlatBuffer is built back to
    // front, and the first object written may be followed by alignment padding that the
    // verifier cannot miss. With 64 code bytes there is none, and every truncation cuts
    // something the verifier checks.
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> code_offset;
    if (code) code_offset = b.CreateVector(*code);
    auto spec = [&](const SpecDesc& s) {
      return fb::CreateTensorSpecDirect(b, s.name.c_str(), s.dtype, &s.shape);
    };
    std::vector<flatbuffers::Offset<fb::Function>> fns;
    for (const FunctionDesc& f : functions) {
      std::vector<flatbuffers::Offset<fb::Argument>> args;
      for (const ArgDesc& a : f.arguments)
        args.push_back(fb::CreateArgument(b, spec(a.spec), a.variable, a.read));
      std::vector<flatbuffers::Offset<fb::TensorSpec>> outs;
      for (const SpecDesc& o : f.outputs) outs.push_back(spec(o));
      std::vector<flatbuffers::Offset<flatbuffers::String>> ups;
      for (const std::string& u : f.updates) ups.push_back(b.CreateString(u));
      fns.push_back(fb::CreateFunctionDirect(b, f.name.c_str(), f.symbol.c_str(), &args, &outs,
                                             &ups, f.batched));
    }
    std::vector<flatbuffers::Offset<fb::Variable>> vars;
    for (const SpecDesc& v : variables) vars.push_back(fb::CreateVariable(b, spec(v)));
    std::vector<flatbuffers::Offset<fb::ErrorSite>> site_offsets;
    for (const SiteDesc& s : sites)
      site_offsets.push_back(
          fb::CreateErrorSiteDirect(b, s.id, s.op.c_str(), s.api.c_str(), s.file.c_str(), s.line));
    flatbuffers::Offset<fb::BuildInfo> build_info;
    if (source || cpu || features)
      build_info =
          fb::CreateBuildInfoDirect(b, "kiln test", "x86-64", cpu ? cpu->c_str() : nullptr,
                                    features ? features->c_str() : nullptr, 2, "kiln-compile test",
                                    source ? source->c_str() : nullptr, 0);
    auto fn_vec =
        functions_absent
            ? flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Function>>>()
            : b.CreateVector(fns);
    auto var_vec = b.CreateVector(vars);
    auto site_vec = b.CreateVector(site_offsets);
    auto status =
        status_symbol ? b.CreateString(*status_symbol) : flatbuffers::Offset<flatbuffers::String>();
    uint64_t sum =
        checksum ? *checksum
                 : xxh64(code && !code->empty() ? code->data() : nullptr, code ? code->size() : 0);
    auto root = fb::CreateArtifact(b, format_version, fn_vec, var_vec, site_vec, status, build_info,
                                   code_format, code_offset, sum);
    b.Finish(root, fb::ArtifactIdentifier());
    return Bytes(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  }
};

inline SpecDesc f32(std::string name, std::vector<int64_t> shape) {
  return SpecDesc{std::move(name), fb::DType::F32, std::move(shape)};
}
inline ArgDesc input(SpecDesc s) { return ArgDesc{std::move(s), false, true}; }
inline ArgDesc var(SpecDesc s) { return ArgDesc{std::move(s), true, true}; }

// The valid baseline: a batched predict (reading both variables) and a training step that
// updates both, variables sorted by name, one error site, and the fake ELF code.
inline ArtifactDesc baseline() {
  ArtifactDesc a;
  a.functions = {
      FunctionDesc{"predict",
                   "kiln_predict",
                   {input(f32("x", {1, 2})), var(f32("model/b", {})), var(f32("model/w", {2}))},
                   {f32("y", {1, 1})},
                   {},
                   true},
      FunctionDesc{"train_step",
                   "kiln_train_step",
                   {input(f32("x", {4, 2})), input(f32("y", {4})), var(f32("model/b", {})),
                    var(f32("model/w", {2}))},
                   {f32("loss", {})},
                   {"model/b", "model/w"},
                   false},
  };
  a.variables = {f32("model/b", {}), f32("model/w", {2})};
  a.sites = {SiteDesc{1, "gather", "embedding_lookup", "model.cpp", 7}};
  a.status_symbol = "kiln_status";
  return a;
}

inline std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

// Runs verify_artifact on an exact-size heap copy (so that ASan sees any read past the end)
// and returns the message it throws, "(accepted)" when it accepts. A non-BAD_INPUT error is
// a test failure.
inline std::string verify_message(const Bytes& bytes, bool require_code = true,
                                  const std::string& origin = "m.kiln") {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  try {
    verify_artifact(copy.get(), bytes.size(), origin, require_code);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT) << e.what();
    return e.what();
  }
  return "(accepted)";
}

inline void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// A status's code and message, freeing it.
struct StatusInfo {
  kiln_status_code code;
  std::string message;
};
inline StatusInfo take(kiln_status s) {
  StatusInfo info{kiln_status_get_code(s), kiln_status_message(s)};
  kiln_status_free(s);
  return info;
}

// Whether this CPU has `feature` (LLVM's name), through the compiler's own CPU check: an
// oracle independent of the runtime's cpu_supports.
inline bool has(const char* feature) {
  __builtin_cpu_init();
  // __builtin_cpu_supports needs a literal; map the names used here.
  std::string f = feature;
  if (f == "sse4.1") return __builtin_cpu_supports("sse4.1");
  if (f == "sse4.2") return __builtin_cpu_supports("sse4.2");
  if (f == "popcnt") return __builtin_cpu_supports("popcnt");
  if (f == "avx") return __builtin_cpu_supports("avx");
  if (f == "avx2") return __builtin_cpu_supports("avx2");
  if (f == "fma") return __builtin_cpu_supports("fma");
  if (f == "bmi") return __builtin_cpu_supports("bmi");
  if (f == "bmi2") return __builtin_cpu_supports("bmi2");
  if (f == "avx512f") return __builtin_cpu_supports("avx512f");
  if (f == "avx512bw") return __builtin_cpu_supports("avx512bw");
  if (f == "avx512cd") return __builtin_cpu_supports("avx512cd");
  if (f == "avx512dq") return __builtin_cpu_supports("avx512dq");
  if (f == "avx512vl") return __builtin_cpu_supports("avx512vl");
  ADD_FAILURE() << "unmapped feature " << f;
  return false;
}

}  // namespace kiln::rt::test_support
