// Checkpoints with kiln::function-compiled training: train compiled, save, restore into fresh
// variables (model, Adam's slots and step, the generator), and go on compiling and training
// bit-identically to the run that never stopped; eager and compiled code share the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/CompiledModule.h"
#include "kiln/checkpoint.h"
#include "kiln/kiln.h"
#include "kiln/optim/adam.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// A regression trained by one compiled step per batch; the batch is drawn inside the step
// from a generator whose state is a variable, so the compiled code advances it.
struct CompiledRun {
  Variable w{"model/w", zeros({3}, f32)};
  Variable b{"model/b", zeros({}, f32)};
  optim::Adam adam{optim::AdamOptions(0.05)};
  Generator gen{/*seed=*/99, /*offset=*/0, "data/generator"};
  int traces = 0;  // C++ runs of the step body: once per kiln::function, then compiled calls

  CompiledRun() { adam.build(variables()); }  // slots exist before tracing, as after a restore

  std::vector<Variable> variables() const { return {w, b}; }
  void train(int steps) {
    auto step = function("train_step", [this](Tensor truth) {
      ++traces;
      Tensor x = random_normal({8, 3}, gen);
      Tensor y = sum(x * truth, {1}) + 0.25;
      GradientTape tape;
      Tensor loss = mean(square(sum(x * w, {1}) + b - y));
      adam.apply(tape.gradient(loss, variables()), variables());
      return loss;
    });
    Tensor truth = constant(std::vector<float>{1.0f, -2.0f, 0.5f});
    for (int i = 0; i < steps; ++i) step(truth);
  }
};

TEST(CompiledCheckpoint, RestoredCompiledTrainingContinuesBitIdentically) {
  std::string path =
      (fs::temp_directory_path() / ("kiln_compiled_ckpt_" + std::to_string(::getpid()) + ".kckpt"))
          .string();
  CompiledRun straight;
  straight.train(5);
  save_checkpoint(
      path, straight.variables(),
      CheckpointOptions().with_step(5).with_optimizer(&straight.adam).with_generator(straight.gen));
  straight.train(5);
  EXPECT_EQ(straight.adam.step(), 10);
  EXPECT_EQ(straight.traces, 2) << "each train() traced its step once and ran compiled code";

  CompiledRun resumed;
  restore_checkpoint(path, resumed.variables(),
                     RestoreOptions().with_optimizer(&resumed.adam).with_generator(resumed.gen));
  resumed.train(5);
  EXPECT_TRUE(same_bits(resumed.w.value(), straight.w.value())) << resumed.w << straight.w;
  EXPECT_TRUE(same_bits(resumed.b.value(), straight.b.value())) << resumed.b << straight.b;
  EXPECT_EQ(resumed.adam.step(), 10);
  EXPECT_EQ(resumed.gen.offset(), straight.gen.offset());
  EXPECT_TRUE(same_bits(resumed.adam.slot(resumed.w, "v").value(),
                        straight.adam.slot(straight.w, "v").value()));
  EXPECT_GT(straight.gen.offset(), 0u) << "the compiled steps drew from the generator";
  fs::remove(path);
}

}  // namespace
}  // namespace kiln
