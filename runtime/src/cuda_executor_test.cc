// The CUDA executor against a stand-in driver (runtime/testing/fake_cuda_driver.cc: host
// memory, recorded launches, one kernel with known arithmetic): the cubin is chosen for
// the device, variables are uploaded after a restore, updated on the device, read back for
// kiln_instance_variable and saves, inputs and outputs are copied, and a status word set by
// a kernel becomes the CPU's error message.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kiln/runtime.h"
#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt {
namespace {

// f(x: f32[4]) -> y: f32[4], reading and updating variable model/v: one launch of
// axpy_and_double over buffers (x, v, y), and one run-time check site.
std::vector<uint8_t> artifact() {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int64_t> shape = {4};
  auto spec = [&](const char* name) {
    return fb::CreateTensorSpecDirect(b, name, fb::DType::F32, &shape);
  };
  std::vector<flatbuffers::Offset<fb::Argument>> args = {
      fb::CreateArgument(b, spec("x"), false, true),
      fb::CreateArgument(b, spec("model/v"), true, true)};
  std::vector<flatbuffers::Offset<fb::TensorSpec>> outputs = {spec("y")};
  std::vector<flatbuffers::Offset<flatbuffers::String>> updates = {b.CreateString("model/v")};
  std::vector<flatbuffers::Offset<fb::Function>> functions = {
      fb::CreateFunctionDirect(b, "f", "f", &args, &outputs, &updates)};
  std::vector<flatbuffers::Offset<fb::Variable>> variables = {
      fb::CreateVariable(b, spec("model/v"))};
  std::vector<flatbuffers::Offset<fb::ErrorSite>> sites = {
      fb::CreateErrorSiteDirect(b, 1, "gather", "embedding_lookup", "f.cpp", 3)};
  const std::string ptx = ".version 7.5\n.target sm_80\n";
  const std::vector<uint8_t> cubin = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  uint64_t checksum = xxh64(cubin.data(), cubin.size(), xxh64(ptx.data(), ptx.size()));
  std::vector<flatbuffers::Offset<fb::CudaImage>> images = {
      fb::CreateCudaImageDirect(b, "sm_90", &cubin)};
  std::vector<uint32_t> grid = {1, 1, 1}, block = {256, 1, 1}, buffers = {0, 1, 2};
  std::vector<flatbuffers::Offset<fb::CudaLaunch>> launches = {
      fb::CreateCudaLaunchDirect(b, "axpy_and_double", &grid, &block, &buffers)};
  std::vector<uint64_t> temporaries;
  std::vector<flatbuffers::Offset<fb::CudaFunction>> plans = {
      fb::CreateCudaFunctionDirect(b, "f", 3, &temporaries, &launches)};
  auto cuda = fb::CreateCudaProgramDirect(b, ptx.c_str(), "sm_80", &images, &plans, "__kiln_status",
                                          checksum);
  auto build = fb::CreateBuildInfoDirect(b, "kiln test", "cuda:sm_80,sm_90");
  std::vector<uint8_t> code;
  auto a =
      fb::CreateArtifactDirect(b, 1, &functions, &variables, &sites, "__kiln_status", build,
                               fb::CodeFormat::ElfSharedObject, &code, xxh64(nullptr, 0), cuda);
  b.Finish(a, fb::ArtifactIdentifier());
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

std::string message(kiln_status s) {
  std::string m = s ? kiln_status_message(s) : "";
  kiln_status_free(s);
  return m;
}

std::vector<float> call(kiln_instance* inst, std::vector<float> x, std::string* error = nullptr) {
  kiln_tensor_view in = {KILN_F32, 1, {4}, x.data()};
  kiln_result* r = nullptr;
  kiln_status s = kiln_instance_call(inst, "f", &in, 1, &r);
  if (s) {
    if (error)
      *error = message(s);
    else
      ADD_FAILURE() << message(s);
    return {};
  }
  kiln_tensor_view y{};
  EXPECT_EQ(kiln_result_output(r, 0, &y), nullptr);
  std::vector<float> out(static_cast<float*>(y.data), static_cast<float*>(y.data) + 4);
  kiln_result_free(r);
  return out;
}

TEST(CudaExecutor, RunsThePlanWithVariablesOnTheDeviceAndCheckpointsThroughTheHost) {
  setenv("KILN_CUDA_DRIVER", KILN_FAKE_CUDA_DRIVER, /*overwrite=*/1);
  void* fake = dlopen(KILN_FAKE_CUDA_DRIVER, RTLD_NOW);
  ASSERT_NE(fake, nullptr) << dlerror();
  auto log = reinterpret_cast<const char* (*)()>(dlsym(fake, "fake_cuda_log"));
  auto fail_next = reinterpret_cast<void (*)(int64_t, int64_t, int64_t, int64_t)>(
      dlsym(fake, "fake_cuda_fail_next_launch"));
  ASSERT_TRUE(log && fail_next);

  const std::string dir = testing::TempDir();
  const std::string path = dir + "/cuda_executor_test.kiln",
                    ckpt = dir + "/cuda_executor_test.kckpt",
                    saved = dir + "/cuda_executor_test_saved.kckpt";
  std::vector<uint8_t> bytes = artifact();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  kiln_checkpoint_writer* w = nullptr;
  ASSERT_EQ(kiln_checkpoint_writer_create(&w), nullptr);
  float v0[4] = {1, 2, 3, 4};
  kiln_tensor_view v0_view = {KILN_F32, 1, {4}, v0};
  ASSERT_EQ(kiln_checkpoint_writer_add(w, "model/v", KILN_KIND_VARIABLE, &v0_view), nullptr);
  ASSERT_EQ(kiln_checkpoint_writer_save(w, ckpt.c_str()), nullptr);
  kiln_checkpoint_writer_free(w);

  kiln_module* m = nullptr;
  ASSERT_EQ(message(kiln_module_load(path.c_str(), &m)), "");
  kiln_instance* inst = nullptr;
  ASSERT_EQ(message(kiln_instance_create_on_device(m, "cuda", &inst)), "");
  EXPECT_STREQ(kiln_instance_device(inst), "cubin sm_90 on Fake GPU");
  kiln_checkpoint* c = nullptr;
  ASSERT_EQ(kiln_checkpoint_open(ckpt.c_str(), &c), nullptr);
  ASSERT_EQ(message(kiln_instance_restore(inst, c, "f")), "");
  kiln_checkpoint_close(c);

  EXPECT_EQ(call(inst, {10, 20, 30, 40}), (std::vector<float>{11, 22, 33, 44}));
  kiln_tensor_view v{};
  ASSERT_EQ(kiln_instance_variable(inst, "model/v", &v), nullptr);
  EXPECT_EQ(std::vector<float>(static_cast<float*>(v.data), static_cast<float*>(v.data) + 4),
            (std::vector<float>{2, 4, 6, 8}));
  EXPECT_EQ(call(inst, {10, 20, 30, 40}), (std::vector<float>{12, 24, 36, 48}));
  ASSERT_EQ(message(kiln_instance_save(inst, saved.c_str(), /*step=*/2)), "");
  ASSERT_EQ(kiln_checkpoint_open(saved.c_str(), &c), nullptr);
  kiln_tensor_view s{};
  ASSERT_EQ(kiln_checkpoint_tensor(c, static_cast<size_t>(kiln_checkpoint_find(c, "model/v")),
                                   nullptr, nullptr, nullptr, &s),
            nullptr);
  EXPECT_EQ(
      std::vector<float>(static_cast<const float*>(s.data), static_cast<const float*>(s.data) + 4),
      (std::vector<float>{4, 8, 12, 16}));
  kiln_checkpoint_close(c);

  // A failed check in a kernel: the CPU's message, then the next call runs normally.
  fail_next(1, 2, 7, 4);
  std::string error;
  EXPECT_TRUE(call(inst, {0, 0, 0, 0}, &error).empty());
  EXPECT_EQ(error,
            "gather: indices[2] = 7 is not in [0, 4) \u2014 at f.cpp:3 in embedding_lookup "
            "(function 'f')");
  EXPECT_EQ(call(inst, {0, 0, 0, 0}), (std::vector<float>{8, 16, 24, 32}));

  std::string launches = log();
  EXPECT_NE(launches.find("load cubin\n"), std::string::npos) << launches;
  EXPECT_NE(launches.find("launch axpy_and_double 1x1x1 256x1x1\n"), std::string::npos) << launches;
  kiln_instance_free(inst);
  kiln_module_free(m);
  unsetenv("KILN_CUDA_DRIVER");
  unlink(path.c_str());
  unlink(ckpt.c_str());
  unlink(saved.c_str());
}

}  // namespace
}  // namespace kiln::rt
