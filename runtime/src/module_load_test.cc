// Modules: kiln_module_load through the C API (files that are missing, empty, corrupt, or
// verified but with code dlopen refuses), and linked-in modules (kiln_module_load_static)
// called end to end with fake entry points: the packed memref ABI, batched functions mapped
// over rows, variables updated in place, and the run-time status word turned into the
// user's error message. The artifact builder is in artifact_test_util.h.
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
  for (int64_t i = 0; i < 2; ++i) aligned_data<float>(acc)[i] += aligned_data<const float>(x)[i];
}
}  // extern "C"

namespace kiln::rt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using namespace test_support;

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
    EXPECT_THAT(s.message, HasSubstr(path + ": compiled for CPU 'x86-64', which needs " + lacking +
                                     "; this CPU lacks it"));
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
      FunctionDesc{
          "double_it", "fake_double_it", {input(f32("x", {3}))}, {f32("y", {3})}, {}, false},
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
  EXPECT_THAT(s.message,
              HasSubstr(std::string("gather: indices[1] = 42 is not in [0, 10) ") + kEmDash +
                        " at model.cpp:7 in embedding_lookup (function "
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
  a.functions = {
      FunctionDesc{"embed", "fake_fixed", {input(f32("x", {3}))}, {f32("y", {3})}, {}, false},
      FunctionDesc{
          "double_it", "fake_double_it", {input(f32("x", {3}))}, {f32("y", {3})}, {}, false}};
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
