// Artifacts and modules: the malformed-artifact corpus (one case per validation rule of
// verify_artifact, each an edit of a valid artifact built here with the FlatBuffers builder,
// each with its exact message), truncation at every length and a bit-flip sweep (rejected
// or accepted, never a crash), cpu_supports, kiln_module_load through the C API (files that
// are missing, empty, corrupt, or verified but with code dlopen refuses), and linked-in
// modules (kiln_module_load_static) called end to end with fake entry points: the packed
// memref ABI, batched functions mapped over rows, variables updated in place, and the
// run-time status word turned into the user's error message.
#include "runtime/src/module.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiln/runtime.h"
#include "kiln/runtime_static.h"
#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/status.h"
#include "runtime/src/test_util.h"
#include "runtime/src/xxhash.h"

// ---- fake entry points for linked-in modules ---------------------------------------------
// The packed ABI (instance.cc): args[i] points at a pointer to a ranked memref descriptor,
// int64 words {allocated, aligned, offset, sizes[rank], strides[rank]}; the arguments in
// order, then one out-parameter descriptor per output (its aligned pointer already set to
// the result buffer).
namespace {

int64_t* descriptor(void** args, size_t i) { return *static_cast<int64_t**>(args[i]); }
template <typename T>
T* aligned_data(const int64_t* d) {
  return reinterpret_cast<T*>(static_cast<intptr_t>(d[1]));
}

// What the entries saw, for the tests to check the descriptors the runtime built.
struct Seen {
  int calls = 0;
  std::vector<int64_t> in_desc, out_desc;  // the last call's descriptors (rank 1 or 2)
};
Seen g_double_seen, g_row_seen;

}  // namespace

extern "C" {
// The code's run-time status word: {site, position, value, bound}; site 0 means no error.
int64_t kiln_test_status[4];

// double_it(x: f32[3]) -> y: f32[3], y = 2x.
void kiln_test_double_it(void** args) {
  const int64_t* x = descriptor(args, 0);
  const int64_t* y = descriptor(args, 1);
  g_double_seen.calls++;
  g_double_seen.in_desc.assign(x, x + 5);
  g_double_seen.out_desc.assign(y, y + 5);
  for (int64_t i = 0; i < x[3]; ++i)
    aligned_data<float>(y)[i] = 2.0f * aligned_data<const float>(x)[x[2] + i * x[4]];
}

// row(x: f32[1, 2]) -> y: f32[1, 2], y = (x0 + x1, x0 * x1), for one row.
void kiln_test_row(void** args) {
  const int64_t* x = descriptor(args, 0);
  const int64_t* y = descriptor(args, 1);
  g_row_seen.calls++;
  g_row_seen.in_desc.assign(x, x + 7);
  g_row_seen.out_desc.assign(y, y + 7);
  const float* in = aligned_data<const float>(x);
  float* out = aligned_data<float>(y);
  out[0] = in[0] + in[1];
  out[1] = in[0] * in[1];
}

// lookup(x: i64[2]) -> y: i64[2]: a gather from a table of 10 (y = 100 + x), checking its
// indices as compiled code does: the first bad index sets the status word (site 1) and the
// function stops.
void kiln_test_lookup(void** args) {
  const int64_t* x = descriptor(args, 0);
  const int64_t* y = descriptor(args, 1);
  for (int64_t i = 0; i < x[3]; ++i) {
    int64_t v = aligned_data<const int64_t>(x)[i];
    if (v < 0 || v >= 10) {
      kiln_test_status[0] = 1;
      kiln_test_status[1] = i;
      kiln_test_status[2] = v;
      kiln_test_status[3] = 10;
      return;
    }
    aligned_data<int64_t>(y)[i] = 100 + v;
  }
}

// ratio(x: i32[2]) -> y: i32[2]: 12 / x, checking for division by zero (site 2).
void kiln_test_ratio(void** args) {
  const int64_t* x = descriptor(args, 0);
  const int64_t* y = descriptor(args, 1);
  for (int64_t i = 0; i < x[3]; ++i) {
    int32_t v = aligned_data<const int32_t>(x)[i];
    if (v == 0) {
      kiln_test_status[0] = 2;
      kiln_test_status[1] = i;
      return;
    }
    aligned_data<int32_t>(y)[i] = 12 / v;
  }
}

// bogus(x: i32[2]) -> y: i32[2]: reports a site the description does not have.
void kiln_test_bogus(void** /*args*/) { kiln_test_status[0] = 7; }

// embed: reports {site 1, position 3, value 42, bound 10} whatever its input.
void kiln_test_fixed_status(void** /*args*/) {
  kiln_test_status[0] = 1;
  kiln_test_status[1] = 3;
  kiln_test_status[2] = 42;
  kiln_test_status[3] = 10;
}

// accumulate(acc: variable f32[2], x: f32[2]) -> (), acc += x (updates acc).
void kiln_test_accumulate(void** args) {
  const int64_t* acc = descriptor(args, 0);
  const int64_t* x = descriptor(args, 1);
  for (int64_t i = 0; i < 2; ++i)
    aligned_data<float>(acc)[i] += aligned_data<const float>(x)[i];
}
}  // extern "C"

namespace kiln::rt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
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
Bytes fake_elf() {
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
      site_offsets.push_back(fb::CreateErrorSiteDirect(b, s.id, s.op.c_str(), s.api.c_str(),
                                                       s.file.c_str(), s.line));
    flatbuffers::Offset<fb::BuildInfo> build_info;
    if (source || cpu || features)
      build_info = fb::CreateBuildInfoDirect(
          b, "kiln test", "x86-64", cpu ? cpu->c_str() : nullptr,
          features ? features->c_str() : nullptr, 2, "kiln-compile test",
          source ? source->c_str() : nullptr, 0);
    auto fn_vec = functions_absent ? flatbuffers::Offset<flatbuffers::Vector<
                                         flatbuffers::Offset<fb::Function>>>()
                                   : b.CreateVector(fns);
    auto var_vec = b.CreateVector(vars);
    auto site_vec = b.CreateVector(site_offsets);
    auto status = status_symbol ? b.CreateString(*status_symbol) : flatbuffers::Offset<flatbuffers::String>();
    uint64_t sum = checksum ? *checksum
                            : xxh64(code && !code->empty() ? code->data() : nullptr,
                                    code ? code->size() : 0);
    auto root = fb::CreateArtifact(b, format_version, fn_vec, var_vec, site_vec, status,
                                   build_info, code_format, code_offset, sum);
    b.Finish(root, fb::ArtifactIdentifier());
    return Bytes(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  }
};

SpecDesc f32(std::string name, std::vector<int64_t> shape) {
  return SpecDesc{std::move(name), fb::DType::F32, std::move(shape)};
}
ArgDesc input(SpecDesc s) { return ArgDesc{std::move(s), false, true}; }
ArgDesc var(SpecDesc s) { return ArgDesc{std::move(s), true, true}; }

// The valid baseline: a batched predict (reading both variables) and a training step that
// updates both, variables sorted by name, one error site, and the fake ELF code.
ArtifactDesc baseline() {
  ArtifactDesc a;
  a.functions = {
      FunctionDesc{"predict", "kiln_predict",
                   {input(f32("x", {1, 2})), var(f32("model/b", {})), var(f32("model/w", {2}))},
                   {f32("y", {1, 1})},
                   {},
                   true},
      FunctionDesc{"train_step", "kiln_train_step",
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

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

// Runs verify_artifact on an exact-size heap copy (so that ASan sees any read past the end)
// and returns the message it throws, "(accepted)" when it accepts. A non-BAD_INPUT error is
// a test failure.
std::string verify_message(const Bytes& bytes, bool require_code = true,
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

using test_support::TempDir;

void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// A status's code and message, freeing it.
struct StatusInfo {
  kiln_status_code code;
  std::string message;
};
StatusInfo take(kiln_status s) {
  StatusInfo info{kiln_status_get_code(s), kiln_status_message(s)};
  kiln_status_free(s);
  return info;
}

// ---- the baseline is valid ------------------------------------------------------------

TEST(Artifact, BaselineIsAccepted) {
  EXPECT_EQ(verify_message(baseline().build()), "(accepted)");
  // Without code (and the checksum of zero bytes) it is a valid linked-in description.
  ArtifactDesc a = baseline();
  a.code = Bytes{};
  EXPECT_EQ(verify_message(a.build(), /*require_code=*/false), "(accepted)");
  a.code.reset();
  EXPECT_EQ(verify_message(a.build(), /*require_code=*/false), "(accepted)");
}

TEST(Artifact, LimitsAreInclusive) {
  // Rank 8 is the maximum; exactly 1 TiB is not "larger than 1 TiB"; a zero dim makes any
  // other dims harmless (zero bytes).
  ArtifactDesc a = baseline();
  a.functions[1].arguments[0].spec.shape = {1, 1, 1, 1, 1, 1, 4, 2};
  a.functions[1].outputs[0].shape = {kTiB / 4};
  a.functions[1].arguments[1].spec = SpecDesc{"y", fb::DType::Bool, {0, int64_t{1} << 62, int64_t{1} << 62}};
  EXPECT_EQ(verify_message(a.build()), "(accepted)");
}

// ---- the malformed corpus: one case per rule ------------------------------------------

struct Case {
  std::string name;
  std::function<void(ArtifactDesc&)> edit;
  std::string expected;                     // the message, after "m.kiln: " unless raw
  std::function<void(Bytes&)> patch = {};   // applied to the built bytes
  bool require_code = true;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

// ELF header edits, keeping the checksum right (the builder computes it) so that only the
// ELF rule can fire.
std::function<void(ArtifactDesc&)> elf_byte(size_t offset, uint8_t value) {
  return [=](ArtifactDesc& a) { (*a.code)[offset] = value; };
}

std::vector<Case> malformed_cases() {
  const uint64_t code_hash = [] {
    Bytes code = fake_elf();
    return xxh64(code.data(), code.size());
  }();
  auto none = [](ArtifactDesc&) {};
  return {
      // Size and identifier, before the verifier.
      {"TooShort", none, "truncated: 7 bytes, an artifact has at least 8",
       [](Bytes& b) { b.resize(7); }},
      {"WrongIdentifier", none, "not a Kiln artifact (identifier 'KCKP', expected 'KILN')",
       [](Bytes& b) { std::memcpy(b.data() + 4, "KCKP", 4); }},
      {"UnprintableIdentifier", none, "not a Kiln artifact (identifier '?IL?', expected 'KILN')",
       [](Bytes& b) {
         b[4] = 0x01;
         b[7] = 0xff;
       }},
      // The root offset (the first 4 bytes) pointing past the end.
      {"VerifierRejects", none,
       "corrupt artifact: the FlatBuffers verifier rejects it (truncated or damaged; ",
       [](Bytes& b) {
         uint32_t past = static_cast<uint32_t>(b.size()) + 64;
         std::memcpy(b.data(), &past, 4);
       }},
      {"FormatVersion2", [](ArtifactDesc& a) { a.format_version = 2; },
       "format version 2, this runtime reads version 1"},
      {"FormatVersion0", [](ArtifactDesc& a) { a.format_version = 0; },
       "format version 0, this runtime reads version 1"},
      // Functions.
      {"NoFunctions", [](ArtifactDesc& a) { a.functions.clear(); },
       "the artifact has no functions"},
      {"FunctionsAbsent", [](ArtifactDesc& a) { a.functions_absent = true; },
       "the artifact has no functions"},
      {"DuplicateFunctionName", [](ArtifactDesc& a) { a.functions[1].name = "predict"; },
       "function 1 ('predict'): the name is empty or not unique"},
      {"EmptyFunctionName", [](ArtifactDesc& a) { a.functions[0].name = ""; },
       "function 0 (''): the name is empty or not unique"},
      {"EmptySymbol", [](ArtifactDesc& a) { a.functions[0].symbol = ""; },
       "function 0 ('predict'): the symbol is empty or not unique"},
      {"DuplicateSymbol", [](ArtifactDesc& a) { a.functions[1].symbol = "kiln_predict"; },
       "function 1 ('train_step'): the symbol is empty or not unique"},
      // Tensor specs.
      {"EmptyArgumentName", [](ArtifactDesc& a) { a.functions[0].arguments[0].spec.name = ""; },
       "function 0 ('predict') argument 0: empty name"},
      {"UnknownDtypeArgument",
       [](ArtifactDesc& a) { a.functions[0].arguments[0].spec.dtype = static_cast<fb::DType>(5); },
       "function 0 ('predict') argument 0 ('x'): unknown dtype 5"},
      {"NegativeDtypeVariable",
       [](ArtifactDesc& a) { a.variables[0].dtype = static_cast<fb::DType>(-1); },
       "variable 0 ('model/b'): unknown dtype -1"},
      {"UnknownDtypeOutput",
       [](ArtifactDesc& a) { a.functions[1].outputs[0].dtype = static_cast<fb::DType>(100); },
       "function 1 ('train_step') output 0 ('loss'): unknown dtype 100"},
      {"Rank9",
       [](ArtifactDesc& a) {
         a.functions[1].arguments[0].spec.shape = {4, 2, 1, 1, 1, 1, 1, 1, 1};
       },
       "function 1 ('train_step') argument 0 ('x'): rank 9 exceeds 8"},
      {"NegativeDim", [](ArtifactDesc& a) { a.functions[1].arguments[0].spec.shape = {4, -2}; },
       "function 1 ('train_step') argument 0 ('x'): dim 1 is -2"},
      // 2^38 + 1 f32 elements: 4 bytes over 1 TiB.
      {"HugeDim",
       [](ArtifactDesc& a) { a.functions[1].outputs[0].shape = {kTiB / 4 + 1}; },
       "function 1 ('train_step') output 0 ('loss'): shape f32[274877906945] is larger than "
       "1 TiB"},
      // 2^20 x 2^20 f32 is 4 TiB: rejected at the second dim.
      {"HugeDims",
       [](ArtifactDesc& a) { a.variables[1].shape = {1 << 20, 1 << 20}; },
       "variable 1 ('model/w'): shape f32[1048576, 1048576] is larger than 1 TiB"},
      // 2^40 x 2^40 one-byte elements: 2^80 overflows int64; each dim alone is 1 TiB.
      {"OverflowingDims",
       [](ArtifactDesc& a) {
         a.functions[1].arguments[1].spec = SpecDesc{"y", fb::DType::Bool, {kTiB, kTiB}};
       },
       "function 1 ('train_step') argument 1 ('y'): shape bool[1099511627776, 1099511627776] "
       "is larger than 1 TiB"},
      // 2^62 i64 elements: 2^65 bytes, past both 1 TiB and int64.
      {"OverflowingBytes",
       [](ArtifactDesc& a) {
         a.functions[1].arguments[1].spec = SpecDesc{"y", fb::DType::I64, {int64_t{1} << 62}};
       },
       "function 1 ('train_step') argument 1 ('y'): shape i64[4611686018427387904] is larger "
       "than 1 TiB"},
      // Variables.
      {"VariableNotInList",
       [](ArtifactDesc& a) { a.functions[0].arguments[1].spec.name = "model/q"; },
       "function 0 ('predict') argument 1: variable 'model/q' is not in the artifact's "
       "variable list"},
      {"VariableShapeMismatch",
       [](ArtifactDesc& a) { a.functions[1].arguments[3].spec.shape = {3}; },
       "function 1 ('train_step') argument 3: variable 'model/w' is f32[3] here but f32[2] in "
       "the variable list"},
      {"VariableDtypeMismatch",
       [](ArtifactDesc& a) { a.functions[0].arguments[1].spec.dtype = fb::DType::F64; },
       "function 0 ('predict') argument 1: variable 'model/b' is f64[] here but f32[] in the "
       "variable list"},
      {"VariablePassedTwice",
       [](ArtifactDesc& a) { a.functions[1].arguments.push_back(var(f32("model/w", {2}))); },
       "function 1 ('train_step'): variable 'model/w' is passed twice"},
      {"DuplicateVariableInList",
       [](ArtifactDesc& a) { a.variables.push_back(f32("model/w", {2})); },
       "variable 2 ('model/w') appears twice"},
      // Batched functions.
      {"BatchedInputNotARow",
       [](ArtifactDesc& a) { a.functions[0].arguments[0].spec.shape = {2, 2}; },
       "function 0 ('predict') is batched but input 'x' is f32[2, 2] (leading dim must be 1)"},
      {"BatchedScalarInput",
       [](ArtifactDesc& a) { a.functions[0].arguments[0].spec.shape = {}; },
       "function 0 ('predict') is batched but input 'x' is f32[] (leading dim must be 1)"},
      {"BatchedOutputNotARow",
       [](ArtifactDesc& a) { a.functions[0].outputs[0].shape = {2, 1}; },
       "function 0 ('predict') is batched but output 'y' is f32[2, 1] (leading dim must be 1)"},
      {"BatchedUpdates", [](ArtifactDesc& a) { a.functions[0].updates = {"model/w"}; },
       "function 0 ('predict') is batched but updates variable 'model/w'"},
      // Updates.
      {"UpdatesNonArgument",
       [](ArtifactDesc& a) { a.functions[1].updates.push_back("model/q"); },
       "function 1 ('train_step'): updates variable 'model/q', which is not one of its "
       "arguments"},
      {"UpdatesAnInput", [](ArtifactDesc& a) { a.functions[1].updates = {"x"}; },
       "function 1 ('train_step'): updates variable 'x', which is not one of its arguments"},
      // Error sites and the status word.
      {"SiteIdOutOfOrder",
       [](ArtifactDesc& a) { a.sites.push_back(SiteDesc{3, "divide", "", "", 0}); },
       "error site 1 has id 3, expected 2"},
      {"SiteIdZero", [](ArtifactDesc& a) { a.sites[0].id = 0; },
       "error site 0 has id 0, expected 1"},
      {"SitesWithoutStatusSymbol", [](ArtifactDesc& a) { a.status_symbol.reset(); },
       "the artifact has error sites but no status symbol"},
      {"SitesWithEmptyStatusSymbol", [](ArtifactDesc& a) { a.status_symbol = ""; },
       "the artifact has error sites but no status symbol"},
      // Code.
      {"UnknownCodeFormat",
       [](ArtifactDesc& a) { a.code_format = static_cast<fb::CodeFormat>(1); },
       "unknown code format 1"},
      {"EmptyCode", [](ArtifactDesc& a) { a.code = Bytes{}; }, "the artifact has no code"},
      {"NoCodeVector", [](ArtifactDesc& a) { a.code.reset(); }, "the artifact has no code"},
      {"NotElf", elf_byte(3, 'G'), "code is not an ELF file (64 bytes)"},
      {"ShortElf", [](ArtifactDesc& a) { a.code->resize(63); },
       "code is not an ELF file (63 bytes)"},
      {"Elf32", elf_byte(4, 1), "code is not a 64-bit little-endian ELF file"},
      {"ElfBigEndian", elf_byte(5, 2), "code is not a 64-bit little-endian ELF file"},
      {"ElfExecutable", elf_byte(16, 2), "code is ELF type 2, not a shared object (3)"},
      // e_type is little-endian: 3 + 1 * 256.
      {"ElfTypeHighByte", elf_byte(17, 1), "code is ELF type 259, not a shared object (3)"},
      {"ElfAarch64", elf_byte(18, 183),
       "code is for ELF machine 183, this runtime runs x86-64 (62)"},
      {"ElfMachineHighByte", elf_byte(19, 1),
       "code is for ELF machine 318, this runtime runs x86-64 (62)"},
      {"ChecksumMismatch", [=](ArtifactDesc& a) { a.checksum = code_hash ^ 1; },
       "code checksum mismatch: stored " + hex64(code_hash ^ 1) + ", the 64 code bytes hash to " +
           hex64(code_hash)},
      // A description without code, with the checksum of a non-empty code section. XXH64 of
      // zero bytes with seed 0 is the published 0xef46db3751d8e999.
      {"EmptyCodeChecksumMismatch",
       [=](ArtifactDesc& a) {
         a.code = Bytes{};
         a.checksum = code_hash;
       },
       "code checksum mismatch: stored " + hex64(code_hash) +
           ", the 0 code bytes hash to 0xef46db3751d8e999",
       {}, /*require_code=*/false},
      {"LinkedInWithCode", none,
       "a linked-in module's description must not carry code", {}, /*require_code=*/false},
  };
}

class MalformedArtifact : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedArtifact, IsRejectedWithItsMessage) {
  const Case& c = GetParam();
  ArtifactDesc a = baseline();
  c.edit(a);
  Bytes bytes = a.build();
  if (c.patch) c.patch(bytes);
  std::string message = verify_message(bytes, c.require_code);
  EXPECT_THAT(message, HasSubstr("m.kiln: " + c.expected));
  // Each rule is the first that fires: the unedited baseline passes with the same flag.
  ArtifactDesc ok = baseline();
  if (!c.require_code) ok.code = Bytes{};
  EXPECT_EQ(verify_message(ok.build(), c.require_code), "(accepted)");
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedArtifact, ::testing::ValuesIn(malformed_cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

TEST(Artifact, VerifierMessageNamesTheSize) {
  Bytes bytes = baseline().build();
  uint32_t past = static_cast<uint32_t>(bytes.size()) + 64;
  std::memcpy(bytes.data(), &past, 4);
  EXPECT_THAT(verify_message(bytes), HasSubstr("(truncated or damaged; " +
                                               std::to_string(bytes.size()) + " bytes)"));
}

// ---- truncation and bit flips ---------------------------------------------------------

TEST(Artifact, EveryTruncationIsRejected) {
  const Bytes full = baseline().build();
  ASSERT_EQ(verify_message(full), "(accepted)");
  for (size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE("length " + std::to_string(n) + " of " + std::to_string(full.size()));
    std::string message = verify_message(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    ASSERT_NE(message, "(accepted)");
    if (n < 8)
      EXPECT_THAT(message, HasSubstr("m.kiln: truncated: " + std::to_string(n) + " bytes"));
    else
      EXPECT_THAT(message, HasSubstr("m.kiln: corrupt artifact: the FlatBuffers verifier "
                                     "rejects it (truncated or damaged; " +
                                     std::to_string(n) + " bytes)"));
  }
}

TEST(Artifact, BitFlipsAreRejectedOrAcceptedNeverACrash) {
  const Bytes full = baseline().build();
  const Bytes code = fake_elf();
  // The builder puts the code at the very end of the buffer.
  ASSERT_GE(full.size(), code.size());
  const size_t code_start = full.size() - code.size();
  ASSERT_EQ(0, std::memcmp(full.data() + code_start, code.data(), code.size()));
  size_t tried = 0, rejected = 0;
  for (size_t i = 0; i < full.size(); ++i)
    for (int bit = -1; bit < 8; ++bit) {  // -1: the whole byte inverted
      Bytes flipped = full;
      flipped[i] ^= bit < 0 ? uint8_t{0xff} : static_cast<uint8_t>(1u << bit);
      ++tried;
      std::string message;
      try {
        std::unique_ptr<uint8_t[]> copy(new uint8_t[flipped.size()]);
        std::memcpy(copy.get(), flipped.data(), flipped.size());
        verify_artifact(copy.get(), flipped.size(), "m.kiln");
        continue;  // accepted (a flipped name, a line number, a flag)
      } catch (const Error& e) {
        ASSERT_EQ(e.code(), KILN_BAD_INPUT) << "byte " << i << " bit " << bit << ": " << e.what();
        message = e.what();
      }
      ++rejected;
      // A change anywhere in the code is caught: by the ELF checks or by the checksum.
      if (i >= code_start) {
        EXPECT_THAT(message, HasSubstr("m.kiln: code ")) << "byte " << i;
      }
    }
  EXPECT_GT(rejected, 0u);
  EXPECT_GE(rejected, code.size() * 9);  // every code-byte flip at least
  EXPECT_LE(rejected, tried);
  std::printf("bit-flip sweep: %zu of %zu variants rejected\n", rejected, tried);
}

TEST(Artifact, CodeFlipsAreAllRejected) {
  // Separately from the sweep (where a flip elsewhere may be accepted): every single-bit flip
  // in the code fails verification, naming the code.
  ArtifactDesc a = baseline();
  const uint64_t stored = xxh64(a.code->data(), a.code->size());
  for (size_t i = 0; i < a.code->size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      ArtifactDesc b = baseline();
      b.checksum = stored;  // the original code's checksum, as a damaged file would carry
      (*b.code)[i] ^= static_cast<uint8_t>(1u << bit);
      EXPECT_THAT(verify_message(b.build()), HasSubstr("m.kiln: code ")) << i << ":" << bit;
    }
}

// ---- cpu_supports ---------------------------------------------------------------------

bool has(const char* feature) {
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

bool has_all(const std::vector<const char*>& features) {
  for (const char* f : features)
    if (!has(f)) return false;
  return true;
}

// The x86-64 micro-architecture levels (the psABI's), as far as generated code uses them.
const std::vector<const char*> kV2 = {"sse4.1", "sse4.2", "popcnt"};
const std::vector<const char*> kV3Only = {"avx", "avx2", "fma", "bmi", "bmi2"};
const std::vector<const char*> kV4Only = {"avx512f", "avx512bw", "avx512cd", "avx512dq",
                                          "avx512vl"};

TEST(ModuleCpu, BaselineAndEmptyAlwaysRun) {
  std::string missing = "stale";
  EXPECT_TRUE(cpu_supports("x86-64", "", &missing));
  EXPECT_EQ(missing, "");
  EXPECT_TRUE(cpu_supports("", "", nullptr));
}

TEST(ModuleCpu, PlusFeatureFollowsTheCpu) {
  std::string missing;
  EXPECT_EQ(cpu_supports("x86-64", "+avx2", &missing), has("avx2"));
  EXPECT_EQ(missing, has("avx2") ? "" : "avx2");
  EXPECT_EQ(cpu_supports("x86-64", "+avx512f", &missing), has("avx512f"));
  EXPECT_EQ(missing, has("avx512f") ? "" : "avx512f");
}

TEST(ModuleCpu, MinusAndUnknownFeaturesAreIgnored) {
  std::string missing;
  EXPECT_TRUE(cpu_supports("x86-64", "-avx512f", &missing));
  EXPECT_EQ(missing, "");
  EXPECT_TRUE(cpu_supports("x86-64", "+foo", &missing));
  EXPECT_EQ(missing, "");
  EXPECT_TRUE(cpu_supports("x86-64", "-avx512f,+foo,+,,-avx2", &missing));
  EXPECT_EQ(missing, "");
  EXPECT_EQ(cpu_supports("x86-64", "+sse2,-avx512f,+avx2", &missing), has("avx2"));
}

TEST(ModuleCpu, LevelsFollowTheCpu) {
  std::vector<const char*> v3 = kV2, v4;
  v3.insert(v3.end(), kV3Only.begin(), kV3Only.end());
  v4 = v3;
  v4.insert(v4.end(), kV4Only.begin(), kV4Only.end());
  std::string missing;
  EXPECT_EQ(cpu_supports("x86-64-v2", "", &missing), has_all(kV2));
  EXPECT_EQ(cpu_supports("x86-64-v3", "", &missing), has_all(v3));
  EXPECT_EQ(cpu_supports("x86-64-v4", "", &missing), has_all(v4));
  // `missing` names exactly what this CPU lacks of the v4 list, in order.
  std::string lacking;
  for (const char* f : v4)
    if (!has(f)) lacking += (lacking.empty() ? "" : ", ") + std::string(f);
  EXPECT_EQ(missing, lacking);
  // A feature named twice (by the level and explicitly) is listed once.
  EXPECT_EQ(cpu_supports("x86-64-v4", "+avx512f", &missing), has_all(v4));
  EXPECT_EQ(missing, lacking);
  // An unknown cpu name requires nothing beyond its features.
  EXPECT_TRUE(cpu_supports("znver9000", "", &missing));
}

// ---- kiln_module_load (C API) ---------------------------------------------------------

TEST(ModuleLoad, VerifiedFakeElfCannotBeLoaded) {
  TempDir dir;
  std::string path = dir.file("fake.kiln");
  write_file(path, baseline().build());
  kiln_module* m = nullptr;
  StatusInfo s = take(kiln_module_load(path.c_str(), &m));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(path + ": cannot load the code: "));
  EXPECT_EQ(m, nullptr);
}

TEST(ModuleLoad, CpuCheckComesBeforeLoading) {
  TempDir dir;
  std::string path = dir.file("v4.kiln");
  ArtifactDesc a = baseline();
  a.cpu = "x86-64";
  a.features = "+avx512f,+avx512vl";
  write_file(path, a.build());
  kiln_module* m = nullptr;
  StatusInfo s = take(kiln_module_load(path.c_str(), &m));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  std::string lacking;
  for (const char* f : {"avx512f", "avx512vl"})
    if (!has(f)) lacking += (lacking.empty() ? "" : ", ") + std::string(f);
  if (lacking.empty())
    EXPECT_THAT(s.message, HasSubstr(path + ": cannot load the code"));
  else
    EXPECT_THAT(s.message, HasSubstr(path + ": compiled for CPU 'x86-64', which needs " +
                                     lacking + "; this CPU lacks it"));
  EXPECT_EQ(m, nullptr);
}

TEST(ModuleLoad, MissingEmptyAndCorruptFilesAreBadInput) {
  TempDir dir;
  kiln_module* m = nullptr;
  std::string missing = dir.file("missing.kiln");
  StatusInfo s = take(kiln_module_load(missing.c_str(), &m));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(missing + ": cannot open"));

  std::string empty = dir.file("empty.kiln");
  write_file(empty, {});
  s = take(kiln_module_load(empty.c_str(), &m));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(empty + ": truncated: 0 bytes, an artifact has at least 8"));

  std::string corrupt = dir.file("v2.kiln");
  ArtifactDesc a = baseline();
  a.format_version = 2;
  write_file(corrupt, a.build());
  s = take(kiln_module_load(corrupt.c_str(), &m));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(corrupt + ": format version 2"));

  s = take(kiln_module_load(dir.file("").c_str(), &m));  // a directory
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_EQ(m, nullptr);
}

TEST(ModuleLoad, NullArgumentsAreUsageErrors) {
  kiln_module* m = nullptr;
  EXPECT_EQ(take(kiln_module_load(nullptr, &m)).code, KILN_USAGE);
  EXPECT_EQ(take(kiln_module_load("x.kiln", nullptr)).code, KILN_USAGE);
  EXPECT_EQ(take(kiln_module_load_static(nullptr, &m)).code, KILN_USAGE);
  kiln_static_model model{};
  EXPECT_EQ(take(kiln_module_load_static(&model, nullptr)).code, KILN_USAGE);
  EXPECT_EQ(m, nullptr);
}

// ---- linked-in modules: end-to-end calls through fake entries -------------------------

// double_it and row (no error sites), optionally with accumulate (a variable).
ArtifactDesc static_desc() {
  ArtifactDesc a;
  a.code = Bytes{};
  a.functions = {
      FunctionDesc{"double_it", "fake_double_it", {input(f32("x", {3}))}, {f32("y", {3})}, {}, false},
      FunctionDesc{"row", "fake_row", {input(f32("x", {1, 2}))}, {f32("y", {1, 2})}, {}, true},
      FunctionDesc{"accumulate",
                   "fake_accumulate",
                   {var(f32("acc", {2})), input(f32("x", {2}))},
                   {},
                   {"acc"},
                   false},
  };
  a.variables = {f32("acc", {2})};
  return a;
}

const kiln_static_symbol kStaticSymbols[] = {
    {"fake_double_it", reinterpret_cast<void*>(&kiln_test_double_it)},
    {"fake_row", reinterpret_cast<void*>(&kiln_test_row)},
    {"fake_accumulate", reinterpret_cast<void*>(&kiln_test_accumulate)},
    {"fake_lookup", reinterpret_cast<void*>(&kiln_test_lookup)},
    {"fake_ratio", reinterpret_cast<void*>(&kiln_test_ratio)},
    {"fake_bogus", reinterpret_cast<void*>(&kiln_test_bogus)},
    {"kiln_test_status", static_cast<void*>(kiln_test_status)},
};

// Loads `description` with `symbols`; the bytes and the module live together.
struct StaticModule {
  Bytes description;
  kiln_static_model model{};
  kiln_module* module = nullptr;
  StaticModule(Bytes bytes, const kiln_static_symbol* symbols, size_t count)
      : description(std::move(bytes)) {
    model = kiln_static_model{description.data(), description.size(), symbols, count};
  }
  StatusInfo load() { return take(kiln_module_load_static(&model, &module)); }
  ~StaticModule() { kiln_module_free(module); }
};

std::vector<float> floats(const kiln_tensor_view& v, size_t n) {
  const float* p = static_cast<const float*>(v.data);
  return std::vector<float>(p, p + n);
}

TEST(ModuleStatic, CallsGoThroughThePackedAbi) {
  StaticModule sm(static_desc().build(), kStaticSymbols, std::size(kStaticSymbols));
  StatusInfo s = sm.load();
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  ASSERT_EQ(kiln_module_function_count(sm.module), 3u);
  EXPECT_EQ(kiln_module_function_is_batched(sm.module, 1), 1);
  kiln_instance* inst = nullptr;
  ASSERT_EQ(take(kiln_instance_create(sm.module, &inst)).code, KILN_OK);

  // double_it: y = 2x; the input descriptor is {x, x, 0, [3], [1]}, the output's points at
  // the result buffer.
  float xs[3] = {1.5f, -2.0f, 0.25f};
  kiln_tensor_view x{KILN_F32, 1, {3}, xs};
  kiln_result* r = nullptr;
  g_double_seen = Seen{};
  s = take(kiln_instance_call(inst, "double_it", &x, 1, &r));
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  EXPECT_EQ(g_double_seen.calls, 1);
  const int64_t xp = static_cast<int64_t>(reinterpret_cast<intptr_t>(xs));
  EXPECT_EQ(g_double_seen.in_desc, (std::vector<int64_t>{xp, xp, 0, 3, 1}));
  ASSERT_EQ(kiln_result_output_count(r), 1u);
  kiln_tensor_view y{};
  ASSERT_EQ(take(kiln_result_output(r, 0, &y)).code, KILN_OK);
  EXPECT_EQ(y.dtype, KILN_F32);
  ASSERT_EQ(y.rank, 1);
  EXPECT_EQ(y.shape[0], 3);
  const int64_t yp = static_cast<int64_t>(reinterpret_cast<intptr_t>(y.data));
  EXPECT_EQ(g_double_seen.out_desc, (std::vector<int64_t>{yp, yp, 0, 3, 1}));
  EXPECT_EQ(floats(y, 3), (std::vector<float>{3.0f, -4.0f, 0.5f}));
  kiln_result_free(r);

  // row, batched over 4 rows: one call per row, each with a [1, 2] view of its row.
  float rows[4][2] = {{1, 2}, {3, 4}, {-1, 5}, {0.5f, 0.5f}};
  kiln_tensor_view xr{KILN_F32, 2, {4, 2}, rows};
  g_row_seen = Seen{};
  s = take(kiln_instance_call(inst, "row", &xr, 1, &r));
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  EXPECT_EQ(g_row_seen.calls, 4);
  const int64_t last_row = static_cast<int64_t>(reinterpret_cast<intptr_t>(rows[3]));
  EXPECT_EQ(g_row_seen.in_desc, (std::vector<int64_t>{last_row, last_row, 0, 1, 2, 2, 1}));
  ASSERT_EQ(take(kiln_result_output(r, 0, &y)).code, KILN_OK);
  ASSERT_EQ(y.rank, 2);
  EXPECT_EQ(y.shape[0], 4);
  EXPECT_EQ(y.shape[1], 2);
  EXPECT_EQ(floats(y, 8), (std::vector<float>{3, 2, 7, 12, 4, -5, 1, 0.25f}));
  kiln_result_free(r);

  // accumulate: the variable's descriptor points at the instance's storage, updated in place.
  float delta[2] = {1.0f, -3.0f};
  kiln_tensor_view d{KILN_F32, 1, {2}, delta};
  for (int i = 0; i < 2; ++i) {
    s = take(kiln_instance_call(inst, "accumulate", &d, 1, &r));
    ASSERT_EQ(s.code, KILN_OK) << s.message;
    EXPECT_EQ(kiln_result_output_count(r), 0u);
    kiln_result_free(r);
  }
  kiln_tensor_view acc{};
  ASSERT_EQ(take(kiln_instance_variable(inst, "acc", &acc)).code, KILN_OK);
  EXPECT_EQ(floats(acc, 2), (std::vector<float>{2.0f, -6.0f}));
  kiln_instance_free(inst);
}

TEST(ModuleStatic, MissingSymbolsAreNamed) {
  // Without fake_row (the second entry).
  const kiln_static_symbol some[] = {kStaticSymbols[0], kStaticSymbols[2]};
  StaticModule sm(static_desc().build(), some, std::size(some));
  StatusInfo s = sm.load();
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message,
              HasSubstr("linked-in module: the code has no symbol 'fake_row' for function 'row'"));
  EXPECT_EQ(sm.module, nullptr);

  // The origin is the build's source when there is one.
  ArtifactDesc a = static_desc();
  a.source = "model.cpp";
  StaticModule named(a.build(), some, std::size(some));
  s = named.load();
  EXPECT_THAT(s.message, HasSubstr("model.cpp (linked in): the code has no symbol 'fake_row'"));

  // A missing status symbol.
  ArtifactDesc b = static_desc();
  b.sites = {SiteDesc{1, "gather", "embedding_lookup", "model.cpp", 7}};
  b.status_symbol = "kiln_test_status";
  StaticModule no_status(b.build(), kStaticSymbols, std::size(kStaticSymbols) - 1);
  s = no_status.load();
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message,
              HasSubstr("linked-in module: the code has no status symbol 'kiln_test_status'"));
}

TEST(ModuleStatic, DescriptionsAreVerified) {
  // With code: a linked-in description must not carry any.
  ArtifactDesc a = static_desc();
  a.code = fake_elf();
  StaticModule with_code(a.build(), kStaticSymbols, std::size(kStaticSymbols));
  StatusInfo s = with_code.load();
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message,
              HasSubstr("linked-in module: a linked-in module's description must not carry code"));
  // Any verification rule: a batched function with a non-row input.
  ArtifactDesc b = static_desc();
  b.functions[1].arguments[0].spec.shape = {2};
  StaticModule bad(b.build(), kStaticSymbols, std::size(kStaticSymbols));
  s = bad.load();
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr("linked-in module: function 1 ('row') is batched but input "
                                   "'x' is f32[2] (leading dim must be 1)"));
}

// lookup (site 1: a gather) and ratio (site 2: a division), and bogus (an unknown site).
ArtifactDesc status_desc() {
  ArtifactDesc a;
  a.code = Bytes{};
  auto i64 = [](std::string name) { return SpecDesc{std::move(name), fb::DType::I64, {2}}; };
  auto i32 = [](std::string name) { return SpecDesc{std::move(name), fb::DType::I32, {2}}; };
  a.functions = {
      FunctionDesc{"lookup", "fake_lookup", {input(i64("ids"))}, {i64("rows")}, {}, false},
      FunctionDesc{"ratio", "fake_ratio", {input(i32("d"))}, {i32("q")}, {}, false},
      FunctionDesc{"bogus", "fake_bogus", {input(i32("d"))}, {i32("q")}, {}, false},
  };
  a.sites = {SiteDesc{1, "gather", "embedding_lookup", "model.cpp", 7},
             SiteDesc{2, "divide", "safe_ratio", "model.cpp", 9}};
  a.status_symbol = "kiln_test_status";
  return a;
}

TEST(ModuleStatic, StatusWordBecomesTheUsersError) {
  // Garbage left in the status word before loading is cleared when the module binds it.
  kiln_test_status[0] = 5;
  StaticModule sm(status_desc().build(), kStaticSymbols, std::size(kStaticSymbols));
  StatusInfo s = sm.load();
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  EXPECT_EQ(kiln_test_status[0], 0);
  kiln_instance* inst = nullptr;
  ASSERT_EQ(take(kiln_instance_create(sm.module, &inst)).code, KILN_OK);
  kiln_result* r = nullptr;

  // indices[1] = 42 of a table of 10: the status word is {1, 1, 42, 10}.
  int64_t bad_ids[2] = {3, 42};
  kiln_tensor_view ids{KILN_I64, 1, {2}, bad_ids};
  s = take(kiln_instance_call(inst, "lookup", &ids, 1, &r));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(std::string("gather: indices[1] = 42 is not in [0, 10) ") +
                                   kEmDash + " at model.cpp:7 in embedding_lookup (function "
                                   "'lookup')"));
  EXPECT_EQ(r, nullptr);
  // The word is cleared: the next call with good indices succeeds.
  EXPECT_EQ(kiln_test_status[0], 0);
  EXPECT_EQ(kiln_test_status[2], 0);
  int64_t good_ids[2] = {3, 9};
  ids.data = good_ids;
  s = take(kiln_instance_call(inst, "lookup", &ids, 1, &r));
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  kiln_tensor_view out{};
  ASSERT_EQ(take(kiln_result_output(r, 0, &out)).code, KILN_OK);
  EXPECT_EQ(static_cast<const int64_t*>(out.data)[0], 103);
  EXPECT_EQ(static_cast<const int64_t*>(out.data)[1], 109);
  kiln_result_free(r);

  // A negative index is out of range too.
  int64_t neg[2] = {-1, 0};
  ids.data = neg;
  s = take(kiln_instance_call(inst, "lookup", &ids, 1, &r));
  EXPECT_THAT(s.message, HasSubstr(std::string("gather: indices[0] = -1 is not in [0, 10) ") +
                                   kEmDash + " at model.cpp:7 in embedding_lookup"));

  // Site 2 is a division: its message names the divisor element.
  int32_t divisors[2] = {4, 0};
  kiln_tensor_view dv{KILN_I32, 1, {2}, divisors};
  s = take(kiln_instance_call(inst, "ratio", &dv, 1, &r));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(std::string("divide: integer division by zero (divisor "
                                               "element 1) ") +
                                   kEmDash + " at model.cpp:9 in safe_ratio (function 'ratio')"));
  divisors[1] = 3;
  s = take(kiln_instance_call(inst, "ratio", &dv, 1, &r));
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  ASSERT_EQ(take(kiln_result_output(r, 0, &out)).code, KILN_OK);
  EXPECT_EQ(static_cast<const int32_t*>(out.data)[0], 3);
  EXPECT_EQ(static_cast<const int32_t*>(out.data)[1], 4);
  kiln_result_free(r);

  // A site the description does not have is the runtime's (or compiler's) bug.
  s = take(kiln_instance_call(inst, "bogus", &dv, 1, &r));
  EXPECT_EQ(s.code, KILN_INTERNAL);
  EXPECT_THAT(s.message, HasSubstr("compiled code reported an error at unknown site 7"));
  EXPECT_EQ(kiln_test_status[0], 0);
  kiln_instance_free(inst);
}

TEST(ModuleStatic, FixedStatusWordMessage) {
  ArtifactDesc a;
  a.code = Bytes{};
  a.functions = {FunctionDesc{"embed", "fake_fixed", {input(f32("x", {3}))}, {f32("y", {3})}, {},
                              false},
                 FunctionDesc{"double_it", "fake_double_it", {input(f32("x", {3}))},
                              {f32("y", {3})}, {}, false}};
  a.sites = {SiteDesc{1, "gather", "embedding_lookup", "model.cpp", 7}};
  a.status_symbol = "kiln_test_status";
  const kiln_static_symbol symbols[] = {
      {"fake_fixed", reinterpret_cast<void*>(&kiln_test_fixed_status)},
      kStaticSymbols[0],
      kStaticSymbols[std::size(kStaticSymbols) - 1]};
  StaticModule sm(a.build(), symbols, std::size(symbols));
  StatusInfo s = sm.load();
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  kiln_instance* inst = nullptr;
  ASSERT_EQ(take(kiln_instance_create(sm.module, &inst)).code, KILN_OK);
  float xs[3] = {1, 2, 3};
  kiln_tensor_view x{KILN_F32, 1, {3}, xs};
  kiln_result* r = nullptr;
  s = take(kiln_instance_call(inst, "embed", &x, 1, &r));
  EXPECT_EQ(s.code, KILN_BAD_INPUT);
  EXPECT_THAT(s.message, HasSubstr(std::string("gather: indices[3] = 42 is not in [0, 10) ") +
                                   kEmDash + " at model.cpp:7 in embedding_lookup"));
  for (int64_t w : kiln_test_status) EXPECT_EQ(w, 0);
  s = take(kiln_instance_call(inst, "double_it", &x, 1, &r));
  ASSERT_EQ(s.code, KILN_OK) << s.message;
  kiln_result_free(r);
  kiln_instance_free(inst);
}

}  // namespace
}  // namespace kiln::rt
