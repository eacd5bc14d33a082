// Eager checkpoints: round trips of every dtype with step and metadata, resuming Adam training
// with a random generator bit-identically, and restores that do not match (every problem in
// one error, nothing changed).
#include "kiln/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "kiln/optim/adam.h"
#include "kiln/testing/expect.h"
#include "runtime/src/checkpoint.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using ::testing::HasSubstr;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kiln_checkpoint_test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (fs::path(dir_) / name).string(); }

  std::string dir_;
};

// Bit patterns, so that -0.0 and NaN payloads count.
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

TEST_F(CheckpointTest, RoundTripsEveryDtypeWithStepAndMetadata) {
  std::vector<Variable> vars = {
      Variable("m/f32", constant({{1.5f, -0.0f}, {3.0f, 4.25f}})),
      Variable("m/f64", constant(std::vector<double>{1e300, -2.5})),
      Variable("m/i32", constant(std::vector<int32_t>{7, -8, 9})),
      Variable("m/i64", constant(int64_t{1} << 40)),
      Variable("m/b8", constant(std::vector<bool>{true, false, true}), /*trainable=*/false),
      Variable("m/empty", zeros({0, 3}, f32)),
  };
  save_checkpoint(
      file("a.kckpt"), vars,
      CheckpointOptions().with_step(99).with_metadata("lr", "0.5").with_metadata("why", "test"));
  CheckpointFile ck = load_checkpoint(file("a.kckpt"));
  EXPECT_EQ(ck.path(), file("a.kckpt"));
  EXPECT_EQ(ck.step(), 99);
  EXPECT_EQ(ck.producer(), "kiln " KILN_RUNTIME_VERSION " (eager)");
  EXPECT_EQ(ck.metadata(), (std::map<std::string, std::string>{{"lr", "0.5"}, {"why", "test"}}));
  EXPECT_EQ(ck.names(),
            (std::vector<std::string>{"m/f32", "m/f64", "m/i32", "m/i64", "m/b8", "m/empty"}));
  for (const Variable& v : vars) EXPECT_TRUE(same_bits(ck.tensor(v.name()), v.value())) << v.name();
  EXPECT_FALSE(ck.contains("m/none"));
  auto [e, line] = testing::error_and_line([&] { ck.tensor("m/none"); }, __LINE__);
  EXPECT_EQ(e.what(), "tensor: " + file("a.kckpt") + " has no tensor 'm/none'" +
                          testing::at(__FILE__, line, "CheckpointFile::tensor"));

  std::vector<Variable> fresh = {
      Variable("m/f32", zeros({2, 2}, f32)),        Variable("m/f64", zeros({2}, f64)),
      Variable("m/i32", zeros({3}, i32)),           Variable("m/i64", zeros({}, i64)),
      Variable("m/b8", zeros({3}, boolean), false), Variable("m/empty", zeros({0, 3}, f32)),
  };
  restore_checkpoint(file("a.kckpt"), fresh);
  for (size_t i = 0; i < vars.size(); ++i)
    EXPECT_TRUE(same_bits(fresh[i].value(), vars[i].value())) << i;
}

// A small regression trained with Adam on batches drawn from a Generator: everything that
// decides the next step (weights, Adam's slots and step count, the generator's counter) must
// come back from the checkpoint.
struct TrainingRun {
  Variable w{"model/w", zeros({3}, f32)};
  Variable b{"model/b", zeros({}, f32)};
  optim::Adam adam{optim::AdamOptions(0.05)};
  Generator gen{/*seed=*/1234, /*offset=*/0, "data/generator"};

  std::vector<Variable> variables() const { return {w, b}; }
  void train(int steps) {
    Tensor truth = constant(std::vector<float>{1.0f, -2.0f, 0.5f});
    for (int i = 0; i < steps; ++i) {
      Tensor x = random_normal({8, 3}, gen);
      Tensor y = sum(x * truth, {1}) + 0.25;
      adam.minimize([&] { return mean(square(sum(x * w, {1}) + b - y)); }, variables());
    }
  }
};

TEST_F(CheckpointTest, ResumedTrainingIsBitIdentical) {
  TrainingRun straight;
  straight.train(5);
  save_checkpoint(
      file("run.kckpt"), straight.variables(),
      CheckpointOptions().with_step(5).with_optimizer(&straight.adam).with_generator(straight.gen));
  straight.train(5);

  TrainingRun resumed;
  restore_checkpoint(file("run.kckpt"), resumed.variables(),
                     RestoreOptions().with_optimizer(&resumed.adam).with_generator(resumed.gen));
  EXPECT_EQ(resumed.adam.step(), 5);
  EXPECT_EQ(resumed.gen.offset(), straight.gen.offset() / 2);
  resumed.train(5);
  EXPECT_TRUE(same_bits(resumed.w.value(), straight.w.value())) << resumed.w << straight.w;
  EXPECT_TRUE(same_bits(resumed.b.value(), straight.b.value()));
  EXPECT_EQ(resumed.adam.step(), 10);
  EXPECT_TRUE(same_bits(resumed.adam.slot(resumed.w, "m").value(),
                        straight.adam.slot(straight.w, "m").value()));
  EXPECT_TRUE(same_bits(resumed.adam.slot(resumed.w, "v").value(),
                        straight.adam.slot(straight.w, "v").value()));

  CheckpointFile saved = load_checkpoint(file("run.kckpt"));
  const rt::Checkpoint& raw = saved.contents();
  EXPECT_EQ(raw.find("model/w")->kind, KILN_KIND_VARIABLE);
  EXPECT_EQ(raw.find("Adam/iter")->kind, KILN_KIND_OPTIMIZER_SLOT);
  EXPECT_EQ(raw.find("model/w/Adam_1")->kind, KILN_KIND_OPTIMIZER_SLOT);
  EXPECT_EQ(raw.find("data/generator")->kind, KILN_KIND_RNG_STATE);
}

TEST_F(CheckpointTest, MismatchesAreAllReportedAndNothingChanges) {
  save_checkpoint(file("m.kckpt"),
                  {Variable("weight", zeros({3}, f32)), Variable("bias", zeros({}, f32)),
                   Variable("extra", zeros({2}, f32)), Variable("scale", zeros({2}, f64))});
  Variable weight("weight", ones({2}, f32)), bias("bias", ones({}, f32)),
      other("other", ones({}, f32)), scale("scale", ones({2}, f32));
  std::vector<Variable> vars = {weight, bias, other, scale};
  std::string m = file("m.kckpt");
  auto [e, line] = testing::error_and_line([&] { restore_checkpoint(m, vars); }, __LINE__);
  EXPECT_EQ(e.detail(),
            file("m.kckpt") +
                " does not match the variables to restore; missing from the checkpoint: "
                "'other'; in the checkpoint but not restored (pass them, or "
                "allow_unexpected): 'extra'; mismatched: weight: checkpoint has f32[3], "
                "variable is f32[2]; scale: checkpoint has f64[2], variable is f32[2]");
  EXPECT_EQ(e.line(), static_cast<unsigned>(line));
  EXPECT_EQ(e.api(), "restore_checkpoint");
  // bias matched, yet nothing was restored.
  EXPECT_EQ(bias.value().item(), 1.0);
  EXPECT_EQ(weight.value().to_vector<float>(), (std::vector<float>{1, 1}));

  Variable w3("weight", ones({3}, f32)), s2("scale", ones({2}, f64));
  EXPECT_THAT(
      error_of([&] {
        restore_checkpoint(file("m.kckpt"), {w3, bias, s2});
      }).detail(),
      HasSubstr("in the checkpoint but not restored (pass them, or allow_unexpected): 'extra'"));
  EXPECT_EQ(bias.value().item(), 1.0);
  restore_checkpoint(file("m.kckpt"), {w3, bias, s2}, RestoreOptions().with_allow_unexpected(true));
  EXPECT_EQ(bias.value().item(), 0.0);
  EXPECT_EQ(w3.value().to_vector<float>(), (std::vector<float>{0, 0, 0}));
}

TEST_F(CheckpointTest, OptimizerStateOfAnotherKindIsAMismatch) {
  Variable w("w", zeros({2}, f32));
  save_checkpoint(file("k.kckpt"), {w, Variable("Adam/iter", zeros({}, i64), false)});
  optim::Adam adam;
  EXPECT_THAT(error_of([&] {
                restore_checkpoint(file("k.kckpt"), {w}, RestoreOptions().with_optimizer(&adam));
              }).detail(),
              HasSubstr("missing from the checkpoint: 'w/Adam', 'w/Adam_1'; mismatched: Adam/iter: "
                        "checkpoint has it as variable, restoring it as optimizer_slot"));
}

TEST_F(CheckpointTest, BadFilesAndNamesAreErrorsAtTheCallersLine) {
  std::string path = file("bad.kckpt");
  std::ofstream(path) << "KILNCKPT but far too short";
  auto [e, line] = testing::error_and_line([&] { load_checkpoint(path); }, __LINE__);
  EXPECT_EQ(e.detail(),
            path + ": truncated in the header: the file has 26 bytes, the header alone needs 64");
  EXPECT_EQ(e.line(), static_cast<unsigned>(line));
  EXPECT_THAT(error_of([&] { restore_checkpoint(file("missing.kckpt"), {}); }).detail(),
              HasSubstr("missing.kckpt: cannot open: No such file or directory"));

  Variable a("same", zeros({1}, f32)), b("same", zeros({1}, f32));
  EXPECT_EQ(error_of([&] {
              save_checkpoint(file("dup.kckpt"), {a, b});
            }).detail(),
            "two different variables are named 'same'; checkpoints key variables by name");
  EXPECT_FALSE(fs::exists(file("dup.kckpt")));
  EXPECT_THAT(error_of([&] { save_checkpoint(file("no/dir.kckpt"), {a}); }).detail(),
              HasSubstr(file("no/dir.kckpt") + ": cannot create a temporary file"));
}

}  // namespace
}  // namespace kiln
