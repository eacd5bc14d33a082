// Artifacts: the malformed-artifact corpus (one case per validation rule of verify_artifact,
// each an edit of a valid artifact built with the FlatBuffers builder, each with its exact
// message), truncation at every length and a bit-flip sweep (rejected or accepted, never a
// crash), and cpu_supports. Loading modules is in module_load_test.cc.
#include "runtime/src/module.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kiln/runtime.h"
#include "kiln/runtime_static.h"
#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/artifact_test_util.h"
#include "runtime/src/status.h"
#include "runtime/src/test_util.h"
#include "runtime/src/xxhash.h"
namespace kiln::rt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using namespace test_support;

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
  a.functions[1].arguments[1].spec =
      SpecDesc{"y", fb::DType::Bool, {0, int64_t{1} << 62, int64_t{1} << 62}};
  EXPECT_EQ(verify_message(a.build()), "(accepted)");
}

// ---- the malformed corpus: one case per rule ------------------------------------------

struct Case {
  std::string name;
  std::function<void(ArtifactDesc&)> edit;
  std::string expected;                    // the message, after "m.kiln: " unless raw
  std::function<void(Bytes&)> patch = {};  // applied to the built bytes
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
      {"NegativeDim",
       [](ArtifactDesc& a) {
         a.functions[1].arguments[0].spec.shape = {4, -2};
       },
       "function 1 ('train_step') argument 0 ('x'): dim 1 is -2"},
      // 2^38 + 1 f32 elements: 4 bytes over 1 TiB.
      {"HugeDim", [](ArtifactDesc& a) { a.functions[1].outputs[0].shape = {kTiB / 4 + 1}; },
       "function 1 ('train_step') output 0 ('loss'): shape f32[274877906945] is larger than "
       "1 TiB"},
      // 2^20 x 2^20 f32 is 4 TiB: rejected at the second dim.
      {"HugeDims",
       [](ArtifactDesc& a) {
         a.variables[1].shape = {1 << 20, 1 << 20};
       },
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
       [](ArtifactDesc& a) {
         a.functions[0].arguments[0].spec.shape = {2, 2};
       },
       "function 0 ('predict') is batched but input 'x' is f32[2, 2] (leading dim must be 1)"},
      {"BatchedScalarInput", [](ArtifactDesc& a) { a.functions[0].arguments[0].spec.shape = {}; },
       "function 0 ('predict') is batched but input 'x' is f32[] (leading dim must be 1)"},
      {"BatchedOutputNotARow",
       [](ArtifactDesc& a) {
         a.functions[0].outputs[0].shape = {2, 1};
       },
       "function 0 ('predict') is batched but output 'y' is f32[2, 1] (leading dim must be 1)"},
      {"BatchedUpdates", [](ArtifactDesc& a) { a.functions[0].updates = {"model/w"}; },
       "function 0 ('predict') is batched but updates variable 'model/w'"},
      // Updates.
      {"UpdatesNonArgument", [](ArtifactDesc& a) { a.functions[1].updates.push_back("model/q"); },
       "function 1 ('train_step'): updates variable 'model/q', which is not one of its "
       "arguments"},
      {"UpdatesAnInput", [](ArtifactDesc& a) { a.functions[1].updates = {"x"}; },
       "function 1 ('train_step'): updates variable 'x', which is not one of its arguments"},
      // Error sites and the status word.
      {"SiteIdOutOfOrder",
       [](ArtifactDesc& a) {
         a.sites.push_back(SiteDesc{3, "divide", "", "", 0});
       },
       "error site 1 has id 3, expected 2"},
      {"SiteIdZero", [](ArtifactDesc& a) { a.sites[0].id = 0; },
       "error site 0 has id 0, expected 1"},
      {"SitesWithoutStatusSymbol", [](ArtifactDesc& a) { a.status_symbol.reset(); },
       "the artifact has error sites but no status symbol"},
      {"SitesWithEmptyStatusSymbol", [](ArtifactDesc& a) { a.status_symbol = ""; },
       "the artifact has error sites but no status symbol"},
      // Code.
      {"UnknownCodeFormat", [](ArtifactDesc& a) { a.code_format = static_cast<fb::CodeFormat>(1); },
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
       {},
       /*require_code=*/false},
      {"LinkedInWithCode",
       none,
       "a linked-in module's description must not carry code",
       {},
       /*require_code=*/false},
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
  EXPECT_THAT(verify_message(bytes),
              HasSubstr("(truncated or damaged; " + std::to_string(bytes.size()) + " bytes)"));
}

// ---- truncation and bit flips ---------------------------------------------------------

TEST(Artifact, EveryTruncationIsRejected) {
  const Bytes full = baseline().build();
  ASSERT_EQ(verify_message(full), "(accepted)");
  for (size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE("length " + std::to_string(n) + " of " + std::to_string(full.size()));
    std::string message =
        verify_message(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
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

}  // namespace
}  // namespace kiln::rt
