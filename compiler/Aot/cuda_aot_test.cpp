// CUDA compilation without a GPU: the Huber model and every function of the kiln -> linalg
// run tests lowered through the CUDA pipeline, their PTX assembled by ptxas for sm_80 and
// sm_90 (compile_cuda fails when ptxas rejects it), and the launch plans checked against
// the PTX they name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/Aot/Aot.h"
#include "compiler/Aot/CudaAot.h"
#include "compiler/Aot/Ptxas.h"
#include "huber/export.h"
#include "huber/train.h"
#include "kiln/error.h"
#include "kiln/runtime.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

namespace kiln::compiler {
namespace {

AotOptions cuda_options() {
  AotOptions o;
  o.target = "cuda:sm_80,sm_90";
  return o;
}

// Every launch names a kernel the PTX defines, with a sensible shape and buffers in range.
void expect_consistent(const AotModule& m) {
  ASSERT_EQ(m.cubins.size(), 2u);
  EXPECT_EQ(m.cubins[0].first, "sm_80");
  EXPECT_EQ(m.cubins[1].first, "sm_90");
  EXPECT_NE(m.cuda.ptx.find(".target sm_80"), std::string::npos);
  for (const CudaFunctionPlan& plan : m.cuda.functions) {
    EXPECT_FALSE(plan.launches.empty()) << plan.name;
    for (const CudaLaunch& l : plan.launches) {
      EXPECT_NE(m.cuda.ptx.find(".entry " + l.kernel + "("), std::string::npos) << l.kernel;
      EXPECT_LE(l.block[0] * l.block[1] * l.block[2], 1024) << l.kernel;
      for (int b : l.buffers) {
        EXPECT_GE(b, 0);
        EXPECT_LT(b, plan.arguments + static_cast<int>(plan.temporaries.size())) << l.kernel;
      }
    }
  }
}

TEST(CudaAot, HuberModelAssemblesForSm80AndSm90) {
  huber::TrainOptions options;
  kiln::TracedModule traced = huber::trace_huber_functions(options, /*n=*/190);
  AotModule m = compile_source(traced.mlir(/*with_locations=*/true), "huber.mlir", cuda_options());
  ASSERT_EQ(m.cuda.functions.size(), 4u);
  expect_consistent(m);
  // predict is y = w * x + b on one row: kernels of one block each.
  const CudaFunctionPlan& predict = m.cuda.functions[0];
  EXPECT_EQ(predict.name, "predict");
  for (const CudaLaunch& l : predict.launches) EXPECT_EQ(l.grid[0], 1) << l.kernel;

  // The artifact verifies and loads in the runtime (no GPU needed to load it).
  std::vector<uint8_t> bytes = build_artifact(m, {}, "cuda_aot_test");
  std::string path = testing::TempDir() + "/huber_cuda.kiln";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  kiln_module* module = nullptr;
  kiln_status s = kiln_module_load(path.c_str(), &module);
  EXPECT_EQ(s, nullptr) << kiln_status_message(s);
  kiln_status_free(s);
  EXPECT_EQ(kiln_module_function_count(module), 4u);
  kiln_module_free(module);
  std::filesystem::remove(path);
}

// The functions of a kiln-to-linalg-run test, without its @main and the declarations it
// prints through (host-only code).
std::string functions_of(const std::string& path) {
  mlir::DialectRegistry registry;
  register_cpu_pipeline_dialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(path, &context);
  EXPECT_TRUE(module) << path;
  if (!module) return "";
  llvm::SmallVector<mlir::func::FuncOp> drop;
  for (auto fn : module->getOps<mlir::func::FuncOp>()) {
    bool calls = false;
    fn.walk([&](mlir::func::CallOp) { calls = true; });
    if (fn.isExternal() || calls) drop.push_back(fn);
  }
  for (auto fn : drop) fn.erase();
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

class CudaAotRunTests : public testing::TestWithParam<std::string> {};

TEST_P(CudaAotRunTests, AssemblesForSm80AndSm90) {
  const std::string path =
      std::string(KILN_SOURCE_DIR) + "/tests/compiler/Conversion/kiln-to-linalg-run/" + GetParam();
  std::string text = functions_of(path);
  ASSERT_FALSE(text.empty());
  try {
    AotModule m = compile_source(text, GetParam(), cuda_options());
    EXPECT_FALSE(m.cuda.functions.empty());
    expect_consistent(m);
  } catch (const kiln::Error& e) {
    FAIL() << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(KilnToLinalgRun, CudaAotRunTests,
                         // loop.mlir and unary.mlir hold only @main (KilnLoop below).
                         testing::Values("elementwise.mlir", "gather.mlir", "layout.mlir",
                                         "matmul.mlir", "random.mlir", "reduce_sum.mlir"),
                         [](const testing::TestParamInfo<std::string>& param) {
                           return param.param.substr(0, param.param.find('.'));
                         });

// A kiln.loop whose carried values are buffers: the loop runs in one single-thread kernel
// that allocates them from the device heap; the parallel op after it joins that kernel.
TEST(CudaAot, KilnLoopBecomesOneKernel) {
  AotModule m = compile_source(R"mlir(
    func.func @sum_to(%x: tensor<4xf32>) -> tensor<4xf32> {
      %r = kiln.loop (%i) = 0 to 10 iter_args(%a = %x) -> (tensor<4xf32>) {
        %f = kiln.cast %i : tensor<i64> to tensor<f32>
        %fb = kiln.broadcast_to %f : tensor<f32> to tensor<4xf32>
        %a2 = kiln.add %a, %fb : tensor<4xf32>
        kiln.yield %a2 : tensor<4xf32>
      }
      %y = kiln.exp %r : tensor<4xf32>
      return %y : tensor<4xf32>
    })mlir",
                               "loop.mlir", cuda_options());
  expect_consistent(m);
  ASSERT_EQ(m.cuda.functions.size(), 1u);
  EXPECT_NE(m.cuda.ptx.find("malloc"), std::string::npos);
}

// Without ptxas the compilation stops and says what is missing and how to point at it.
TEST(CudaAot, MissingPtxasIsNamed) {
  setenv("KILN_PTXAS", "/nonexistent/ptxas", /*overwrite=*/1);
  EXPECT_EQ(find_ptxas(), "");
  try {
    compile_source(
        "func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %y = kiln.exp %x : tensor<4xf32>\n  return %y : tensor<4xf32>\n}\n",
        "f.mlir", cuda_options());
    ADD_FAILURE() << "compiled without ptxas";
  } catch (const kiln::Error& e) {
    EXPECT_NE(std::string(e.what()).find("ptxas (CUDA toolkit) not found"), std::string::npos)
        << e.what();
  }
  unsetenv("KILN_PTXAS");
  EXPECT_NE(find_ptxas(), "");
}

TEST(CudaAot, TargetsNameTheirArchitectures) {
  EXPECT_TRUE(is_cuda_target("cuda:sm_90"));
  EXPECT_FALSE(is_cuda_target("x86-64"));
  EXPECT_EQ(cuda_archs("cuda:sm_90,sm_80"), (std::vector<std::string>{"sm_80", "sm_90"}));
  try {
    cuda_archs("cuda:sm_70");
    FAIL() << "sm_70 was accepted";
  } catch (const kiln::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown CUDA architecture 'sm_70'"), std::string::npos);
  }
}

}  // namespace
}  // namespace kiln::compiler
