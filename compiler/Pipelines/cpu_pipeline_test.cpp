// The CPU pipeline on modules already written in linalg/tensor/arith: lowered, JIT
// compiled, and called through the C interface with hand-made memref descriptors.
#include "compiler/Pipelines/CpuPipeline.h"

#include <gtest/gtest.h>

#include "kiln/error.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

namespace kiln::compiler {
namespace {

struct Jitted {
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

Jitted jit(const std::string& text) {
  mlir::DialectRegistry registry;
  register_cpu_pipeline_dialects(registry);
  Jitted j;
  j.context = std::make_unique<mlir::MLIRContext>(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, j.context.get());
  EXPECT_TRUE(module);
  CpuPipeline pipeline{CompileOptions{}};
  pipeline.lower_to_llvm_dialect(*module);
  j.engine = pipeline.jit_compile(*module);
  return j;
}

template <size_t N>
StridedMemRefType<float, 1> view(float (&data)[N]) {
  return {data, data, 0, {static_cast<int64_t>(N)}, {1}};
}

TEST(CpuPipeline, LinalgModuleRunsWithOutputsAsOutParameters) {
  Jitted j = jit(R"mlir(
    func.func @axpy(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
      %e = tensor.empty() : tensor<4xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>,
                                            affine_map<(i) -> (i)>],
                           iterator_types = ["parallel"]}
          ins(%x, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %c2 = arith.constant 2.0 : f32
        %m = arith.mulf %a, %c2 : f32
        %s = arith.addf %m, %b : f32
        linalg.yield %s : f32
      } -> tensor<4xf32>
      return %r : tensor<4xf32>
    })mlir");
  float x[4] = {1, 2, 3, 4}, y[4] = {10, 20, 30, 40}, out[4] = {};
  auto xd = view(x), yd = view(y), od = view(out);
  void* ptrs[3] = {&xd, &yd, &od};
  void* args[3] = {&ptrs[0], &ptrs[1], &ptrs[2]};
  ASSERT_FALSE(static_cast<bool>(j.engine->invokePacked("_mlir_ciface_axpy", args)));
  EXPECT_EQ(std::vector<float>(out, out + 4), (std::vector<float>{12, 24, 36, 48}));
  EXPECT_EQ(std::vector<float>(x, x + 4), (std::vector<float>{1, 2, 3, 4}))
      << "inputs are read-only";
}

TEST(CpuPipeline, VariableResultsAreWrittenIntoTheirArgument) {
  Jitted j = jit(R"mlir(
    func.func @bump(%w: tensor<4xf32> {kiln.variable = "w"}) -> (tensor<4xf32> {kiln.variable = "w"}) {
      %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
          outs(%w : tensor<4xf32>) {
      ^bb0(%o: f32):
        %c1 = arith.constant 1.0 : f32
        %s = arith.addf %o, %c1 : f32
        linalg.yield %s : f32
      } -> tensor<4xf32>
      return %r : tensor<4xf32>
    })mlir");
  float w[4] = {1, 2, 3, 4};
  auto wd = view(w);
  void* ptr = &wd;
  void* args[1] = {&ptr};
  ASSERT_FALSE(static_cast<bool>(j.engine->invokePacked("_mlir_ciface_bump", args)));
  EXPECT_EQ(std::vector<float>(w, w + 4), (std::vector<float>{2, 3, 4, 5}));
}

TEST(CpuPipeline, AFailingStageIsNamedWithTheOffendingOp) {
  mlir::DialectRegistry registry;
  register_cpu_pipeline_dialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(R"mlir(
    func.func @bad(%x: tensor<4xf32> {kiln.variable = "v"}) -> (tensor<4xf32> {kiln.variable = "w"}) {
      return %x : tensor<4xf32>
    })mlir",
                                                        &context);
  ASSERT_TRUE(module);
  CpuPipeline pipeline{CompileOptions{}};
  try {
    pipeline.lower_to_llvm_dialect(*module);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("stage 'variables-in-place' failed"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("variable 'w'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::compiler
