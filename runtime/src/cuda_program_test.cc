// The CUDA section of artifacts: a valid one loads as a module (with no GPU: nothing is
// loaded into a driver until an instance is created on the device), and each malformed
// one is rejected with the rule it breaks; without a driver, instances on "cuda" fail
// with a clear message and the CPU refuses to run the kernels.
#include "runtime/src/cuda_program.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "kiln/runtime.h"
#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/module.h"
#include "runtime/src/status.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt {
namespace {

// What a test may change about the baseline: f(x: f32[4]) -> y: f32[4], one launch.
struct CudaDesc {
  std::string ptx = ".version 7.5\n.target sm_80\n";
  std::vector<std::pair<std::string, std::vector<uint8_t>>> images = {{"sm_90", {1, 2, 3}}};
  std::string plan_name = "f";
  uint32_t arguments = 2;
  std::vector<uint64_t> temporaries = {16};
  std::vector<uint32_t> grid = {1, 1, 1}, block = {256, 1, 1};
  std::vector<uint32_t> buffers = {0, 1, 2};
  bool bad_checksum = false;
};

std::vector<uint8_t> build(const CudaDesc& d) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int64_t> shape = {4};
  auto spec = [&](const char* name) {
    return fb::CreateTensorSpecDirect(b, name, fb::DType::F32, &shape);
  };
  std::vector<flatbuffers::Offset<fb::Argument>> args = {
      fb::CreateArgument(b, spec("x"), false, true)};
  std::vector<flatbuffers::Offset<fb::TensorSpec>> outputs = {spec("y")};
  std::vector<flatbuffers::Offset<fb::Function>> functions = {
      fb::CreateFunctionDirect(b, "f", "f", &args, &outputs)};
  uint64_t checksum = xxh64(d.ptx.data(), d.ptx.size());
  std::vector<flatbuffers::Offset<fb::CudaImage>> images;
  for (const auto& [arch, cubin] : d.images) {
    images.push_back(fb::CreateCudaImageDirect(b, arch.c_str(), &cubin));
    checksum = xxh64(cubin.data(), cubin.size(), checksum);
  }
  std::vector<flatbuffers::Offset<fb::CudaLaunch>> launches = {
      fb::CreateCudaLaunchDirect(b, "f_kernel", &d.grid, &d.block, &d.buffers)};
  std::vector<flatbuffers::Offset<fb::CudaFunction>> plans = {
      fb::CreateCudaFunctionDirect(b, d.plan_name.c_str(), d.arguments, &d.temporaries, &launches)};
  auto cuda = fb::CreateCudaProgramDirect(b, d.ptx.c_str(), "sm_80", &images, &plans, nullptr,
                                          d.bad_checksum ? checksum + 1 : checksum);
  auto build_info = fb::CreateBuildInfoDirect(b, "kiln test", "cuda:sm_90");
  std::vector<uint8_t> code;
  auto artifact =
      fb::CreateArtifactDirect(b, 1, &functions, nullptr, nullptr, nullptr, build_info,
                               fb::CodeFormat::ElfSharedObject, &code, xxh64(nullptr, 0), cuda);
  b.Finish(artifact, fb::ArtifactIdentifier());
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

std::string rejection(const CudaDesc& d) {
  std::vector<uint8_t> bytes = build(d);
  try {
    verify_artifact(bytes.data(), bytes.size(), "test.kiln");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT);
    return e.what();
  }
  return "accepted";
}

TEST(CudaProgram, ValidSectionIsAcceptedAndCopied) {
  std::vector<uint8_t> bytes = build(CudaDesc{});
  const fb::Artifact& a = verify_artifact(bytes.data(), bytes.size(), "test.kiln");
  CudaCode code = verify_cuda_program(a, "test.kiln");
  ASSERT_EQ(code.functions.size(), 1u);
  EXPECT_EQ(code.functions[0].launches[0].kernel, "f_kernel");
  EXPECT_EQ(code.functions[0].launches[0].block[0], 256u);
  EXPECT_EQ(code.images[0].first, "sm_90");
  EXPECT_EQ(code.ptx_arch, "sm_80");
}

TEST(CudaProgram, MalformedSectionsAreRejectedByRule) {
  CudaDesc d;
  d.buffers = {0, 1, 3};
  EXPECT_EQ(rejection(d),
            "test.kiln: CUDA section: launch of 'f_kernel' in 'f': buffer 3 is not "
            "in [0, 3)");
  d = CudaDesc{};
  d.bad_checksum = true;
  EXPECT_NE(rejection(d).find("test.kiln: CUDA section: checksum mismatch"), std::string::npos);
  d = CudaDesc{};
  d.block = {1024, 2, 1};
  EXPECT_EQ(rejection(d),
            "test.kiln: CUDA section: launch of 'f_kernel' in 'f': 2048 threads "
            "per block (max 1024)");
  d = CudaDesc{};
  d.grid = {1, 1};
  EXPECT_EQ(rejection(d),
            "test.kiln: CUDA section: launch of 'f_kernel' in 'f': grid and block "
            "need 3 dims each");
  d = CudaDesc{};
  d.grid = {0, 1, 1};
  EXPECT_EQ(rejection(d), "test.kiln: CUDA section: launch of 'f_kernel' in 'f': a dim is 0");
  d = CudaDesc{};
  d.arguments = 3;
  EXPECT_EQ(rejection(d),
            "test.kiln: CUDA section: the plan of 'f' takes 3 argument buffers; "
            "the function has 2");
  d = CudaDesc{};
  d.plan_name = "g";
  EXPECT_EQ(rejection(d), "test.kiln: CUDA section: plan 0 is for 'g', function 0 is 'f'");
  d = CudaDesc{};
  d.images = {{"sm_75", {1}}};
  EXPECT_EQ(rejection(d), "test.kiln: CUDA section: unknown architecture 'sm_75'");
  d = CudaDesc{};
  d.temporaries = {0};
  EXPECT_EQ(rejection(d), "test.kiln: CUDA section: a temporary of 'f' has 0 bytes");
  d = CudaDesc{};
  d.ptx = "";
  EXPECT_EQ(rejection(d), "test.kiln: CUDA section: the PTX is empty");
}

// One process-wide driver load: KILN_CUDA_DRIVER is set before the first use, to a
// library that does not exist, so that the test means the same on machines with a GPU.
TEST(CudaProgram, WithoutDriverInstancesOnCudaFailClearlyAndTheCpuRefuses) {
  setenv("KILN_CUDA_DRIVER", "libkiln-test-no-cuda.so.1", /*overwrite=*/1);
  std::vector<uint8_t> bytes = build(CudaDesc{});
  std::string path = testing::TempDir() + "/cuda_program_test.kiln";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  kiln_module* m = nullptr;
  ASSERT_EQ(kiln_module_load(path.c_str(), &m), nullptr);
  kiln_instance* inst = nullptr;
  kiln_status s = kiln_instance_create_on_device(m, "cuda", &inst);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(kiln_status_get_code(s), KILN_BAD_INPUT);
  EXPECT_STREQ(kiln_status_message(s), "no CUDA driver (libkiln-test-no-cuda.so.1 not found)");
  kiln_status_free(s);
  EXPECT_EQ(inst, nullptr);

  s = kiln_instance_create_on_device(m, "cpu", &inst);
  ASSERT_NE(s, nullptr);
  EXPECT_NE(std::string(kiln_status_message(s)).find("run it with --device cuda"),
            std::string::npos);
  kiln_status_free(s);
  s = kiln_instance_create_on_device(m, "tpu", &inst);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(kiln_status_get_code(s), KILN_USAGE);
  kiln_status_free(s);

  // The plain API makes a CPU instance; calling it says where the code runs.
  ASSERT_EQ(kiln_instance_create(m, &inst), nullptr);
  float x[4] = {1, 2, 3, 4};
  kiln_tensor_view in = {KILN_F32, 1, {4}, x};
  kiln_result* r = nullptr;
  s = kiln_instance_call(inst, "f", &in, 1, &r);
  ASSERT_NE(s, nullptr);
  EXPECT_NE(std::string(kiln_status_message(s))
                .find("is compiled for cuda:sm_90: run it on a CUDA device"),
            std::string::npos)
      << kiln_status_message(s);
  kiln_status_free(s);
  kiln_instance_free(inst);
  kiln_module_free(m);
  unlink(path.c_str());
}

}  // namespace
}  // namespace kiln::rt
