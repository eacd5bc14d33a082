// Ahead-of-time compilation end to end, in process: the Huber module traced from the eager
// model, compiled by kiln-compile's library into an artifact, an executable and a static
// library, run by the runtime alone, with checkpoints crossing between eager and compiled
// code in both directions. The eager model is the oracle throughout.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "compiler/Aot/Aot.h"
#include "compiler/Aot/Package.h"
#include "huber/export.h"
#include "huber/train.h"
#include "kiln/checkpoint.h"
#include "kiln/kiln.h"
#include "kiln/runtime.h"
#include "runtime/src/file_util.h"
#include "runtime/src/npy.h"

namespace {

namespace fs = std::filesystem;
using kiln::compiler::AotModule;
using kiln::compiler::AotOptions;

// A fresh temporary directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-aot-test-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Throws (fails the test) on a non-NULL status, with its message.
void ok(kiln_status s) {
  if (!s) return;
  std::string message = kiln_status_message(s);
  kiln_status_free(s);
  FAIL() << message;
}

std::string status_text(kiln_status s) {
  std::string message = s ? kiln_status_message(s) : "(success)";
  kiln_status_free(s);
  return message;
}

// RAII over the runtime's handles.
struct Runtime {
  kiln_module* module = nullptr;
  kiln_instance* instance = nullptr;
  ~Runtime() {
    kiln_instance_free(instance);
    kiln_module_free(module);
  }
  void load(const std::string& artifact) {
    ok(kiln_module_load(artifact.c_str(), &module));
    ok(kiln_instance_create(module, &instance));
  }
  void restore(const std::string& checkpoint, const char* function) {
    kiln_checkpoint* ck = nullptr;
    ok(kiln_checkpoint_open(checkpoint.c_str(), &ck));
    ok(kiln_instance_restore(instance, ck, function));
    kiln_checkpoint_close(ck);
  }
  // Calls `fn`; returns output 0 as doubles.
  std::vector<double> call(const char* fn, std::vector<kiln_tensor_view> inputs) {
    kiln_result* r = nullptr;
    ok(kiln_instance_call(instance, fn, inputs.data(), inputs.size(), &r));
    std::vector<double> out;
    if (!r) return out;
    kiln_tensor_view v{};
    ok(kiln_result_output(r, 0, &v));
    int64_t n = 1;
    for (int i = 0; i < v.rank; ++i) n *= v.shape[i];
    for (int64_t i = 0; i < n; ++i)
      out.push_back(v.dtype == KILN_F32 ? static_cast<const float*>(v.data)[i]
                                        : static_cast<const double*>(v.data)[i]);
    kiln_result_free(r);
    return out;
  }
  float scalar(const char* variable) {
    kiln_tensor_view v{};
    ok(kiln_instance_variable(instance, variable, &v));
    return *static_cast<const float*>(v.data);
  }
};

kiln_tensor_view view_of(const kiln::Tensor& t) {
  kiln_tensor_view v{};
  v.dtype = KILN_F32;
  v.rank = t.rank();
  for (int i = 0; i < t.rank(); ++i) v.shape[i] = t.shape()[i];
  v.data = const_cast<void*>(t.raw());
  return v;
}

// Every AotHuber test runs twice: with the algebraic simplification (the default) and
// without it (--no-simplify); the eager model is the oracle for both.
class AotHuber : public ::testing::TestWithParam<bool> {
 protected:
  static void SetUpTestSuite() {
    huber::TrainOptions options;
    data_ = new huber::RegressionData(huber::load_data(options));
  }
  static void TearDownTestSuite() {
    for (AotModule*& m : modules_) {
      delete m;
      m = nullptr;
    }
    delete data_;
  }
  // The Huber module compiled with simplify = GetParam(), compiled on first use.
  const AotModule& module() {
    AotModule*& m = modules_[GetParam() ? 1 : 0];
    if (!m) {
      huber::TrainOptions options;
      kiln::TracedModule traced = huber::trace_huber_functions(options, data_->size());
      AotOptions aot;
      aot.simplify = GetParam();
      m = new AotModule(
          kiln::compiler::compile_source(traced.mlir(/*with_locations=*/true), "huber.mlir", aot));
    }
    return *m;
  }
  std::string write_artifact(const std::string& path) {
    std::vector<uint8_t> code =
        kiln::compiler::link_shared_object(module(), kiln::compiler::default_toolchain());
    std::vector<uint8_t> bytes = kiln::compiler::build_artifact(module(), code, "aot_test");
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  // Eager training for `epochs` epochs from the initial values, saved to `path`.
  huber::TrainResult train_eagerly(int64_t epochs, const std::string& path) {
    huber::TrainOptions options;
    options.epochs = epochs;
    huber::TrainResult r = huber::train(*data_, options);
    huber::save_huber_checkpoint(path, r, options);
    return r;
  }

  static huber::RegressionData* data_;
  static AotModule* modules_[2];  // [without, with] simplification
  TempDir dir_;
};
huber::RegressionData* AotHuber::data_ = nullptr;
AotModule* AotHuber::modules_[2] = {nullptr, nullptr};

INSTANTIATE_TEST_SUITE_P(Simplify, AotHuber, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "simplified" : "not_simplified";
                         });

TEST_P(AotHuber, DescribesFunctionsVariablesAndReads) {
  ASSERT_EQ(module().functions.size(), 4u);
  const auto& predict = module().functions[0];
  EXPECT_EQ(predict.name, "predict");
  EXPECT_TRUE(predict.batched);
  EXPECT_EQ(predict.args[0].spec.name, "x");
  EXPECT_EQ(predict.outputs[0].name, "y");
  std::vector<std::string> names;
  for (const auto& v : module().variables) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"SGD/iter", "huber/b", "huber/epoch_loss_sum", "huber/w"}));
  // train_epoch zeroes its accumulator before reading it: a checkpoint need not hold it.
  for (const auto& f : module().functions)
    for (const auto& a : f.args) {
      if (a.spec.name == "huber/epoch_loss_sum") {
        EXPECT_FALSE(a.read) << f.name;
      }
    }
}

// Train eagerly, checkpoint, predict with the runtime alone: the same floats as eager.
TEST_P(AotHuber, EagerCheckpointGivesTheEagerPredictions) {
  huber::TrainResult eager = train_eagerly(100, dir_ / "eager.kckpt");
  Runtime rt;
  rt.load(write_artifact(dir_ / "huber.kiln"));
  rt.restore(dir_ / "eager.kckpt", "predict");
  std::vector<double> compiled = rt.call("predict", {view_of(data_->x)});
  ASSERT_EQ(compiled.size(), static_cast<size_t>(data_->size()));
  kiln::Tensor w = kiln::constant(static_cast<float>(eager.w)), b = kiln::constant(static_cast<float>(eager.b));
  std::vector<float> expected = (data_->x * w + b).to_vector<float>();
  for (size_t i = 0; i < compiled.size(); ++i)
    ASSERT_EQ(static_cast<float>(compiled[i]), expected[i]) << "row " << i;
  // One row, then zero rows: the batch is whatever the caller passes.
  kiln::Tensor one = kiln::constant(std::vector<float>{1.8f});
  EXPECT_EQ(static_cast<float>(rt.call("predict", {view_of(one)})[0]),
            (one * w + b).to_vector<float>()[0]);
  kiln::Tensor none = kiln::zeros({0});
  EXPECT_TRUE(rt.call("predict", {view_of(none)}).empty());
}

// Train with compiled code under the runtime, checkpoint, continue eagerly: the eager
// variables start from exactly the runtime's values and the next epoch agrees with the
// runtime's next epoch as closely as compiled and eager epochs always do.
TEST_P(AotHuber, CompiledTrainingCheckpointContinuesEagerly) {
  train_eagerly(1, dir_ / "start.kckpt");  // w, b after one epoch, with the optimizer's step
  Runtime rt;
  rt.load(write_artifact(dir_ / "huber.kiln"));
  rt.restore(dir_ / "start.kckpt", "train_epoch");
  for (int e = 0; e < 5; ++e) rt.call("train_epoch", {view_of(data_->x), view_of(data_->y)});
  ok(kiln_instance_save(rt.instance, (dir_ / "compiled.kckpt").c_str(), 6));

  kiln::CheckpointFile ck = kiln::load_checkpoint(dir_ / "compiled.kckpt");
  EXPECT_EQ(ck.step(), 6);
  EXPECT_EQ(ck.tensor("huber/w").item(), static_cast<double>(rt.scalar("huber/w")));
  EXPECT_EQ(ck.tensor("huber/b").item(), static_cast<double>(rt.scalar("huber/b")));

  huber::TrainOptions options;
  options.epochs = 1;
  options.restore = ck;
  huber::TrainResult eager = huber::train(*data_, options);
  double compiled_loss = rt.call("train_epoch", {view_of(data_->x), view_of(data_->y)})[0];
  EXPECT_NEAR(eager.epoch_loss[0], compiled_loss, 1e-5 * std::abs(compiled_loss));
  EXPECT_NEAR(eager.w, rt.scalar("huber/w"), 1e-5 * std::abs(eager.w));
  EXPECT_NEAR(eager.b, rt.scalar("huber/b"), 1e-5 * std::abs(eager.b));
}

// A checkpoint written by the runtime and restored into a fresh instance continues
// bit-identically to an uninterrupted run.
TEST_P(AotHuber, RuntimeCheckpointResumesBitIdentically) {
  std::string artifact = write_artifact(dir_ / "huber.kiln");
  Runtime straight, first, second;
  straight.load(artifact);
  first.load(artifact);
  second.load(artifact);
  for (int e = 0; e < 6; ++e) straight.call("train_epoch", {view_of(data_->x), view_of(data_->y)});
  for (int e = 0; e < 3; ++e) first.call("train_epoch", {view_of(data_->x), view_of(data_->y)});
  ok(kiln_instance_save(first.instance, (dir_ / "half.kckpt").c_str(), 3));
  second.restore(dir_ / "half.kckpt", nullptr);
  for (int e = 0; e < 3; ++e) second.call("train_epoch", {view_of(data_->x), view_of(data_->y)});
  EXPECT_EQ(second.scalar("huber/w"), straight.scalar("huber/w"));
  EXPECT_EQ(second.scalar("huber/b"), straight.scalar("huber/b"));
}

TEST_P(AotHuber, RestoreReportsEverythingThatDoesNotMatch) {
  Runtime rt;
  rt.load(write_artifact(dir_ / "huber.kiln"));
  kiln::Variable w("huber/w", kiln::zeros({3})), extra("huber/extra", kiln::zeros({}));
  kiln::save_checkpoint(dir_ / "bad.kckpt", {w, extra});
  kiln_checkpoint* ck = nullptr;
  ok(kiln_checkpoint_open((dir_ / "bad.kckpt").c_str(), &ck));
  kiln_status s = kiln_instance_restore(rt.instance, ck, "train_step");
  EXPECT_EQ(kiln_status_get_code(s), KILN_BAD_INPUT);
  std::string message = status_text(s);
  EXPECT_NE(message.find("missing from the checkpoint: SGD/iter, huber/b"), std::string::npos) << message;
  EXPECT_NE(message.find("not in the module: huber/extra"), std::string::npos) << message;
  EXPECT_NE(message.find("mismatched: huber/w: checkpoint has f32[3], the module needs f32[]"),
            std::string::npos)
      << message;
  EXPECT_EQ(rt.scalar("huber/w"), 0.0f);  // nothing changed
  kiln_checkpoint_close(ck);
}

TEST_P(AotHuber, CallsCheckTheirInputs) {
  Runtime rt;
  rt.load(write_artifact(dir_ / "huber.kiln"));
  kiln::Tensor x2 = kiln::zeros({2, 2}), x = kiln::zeros({3});
  kiln_result* r = nullptr;
  kiln_tensor_view bad = view_of(x2);
  kiln_status s = kiln_instance_call(rt.instance, "predict", &bad, 1, &r);
  EXPECT_EQ(status_text(s), "input 'x' of 'predict' is f32[2, 2], the function takes f32[N]");
  kiln_tensor_view both[2] = {view_of(x), view_of(x)};
  s = kiln_instance_call(rt.instance, "predict", both, 2, &r);
  EXPECT_EQ(status_text(s), "function 'predict' takes 1 inputs, 2 were given");
  s = kiln_instance_call(rt.instance, "fit", both, 1, &r);
  EXPECT_NE(status_text(s).find("has no function 'fit' (it has: predict, train_step, train, train_epoch)"),
            std::string::npos);
  EXPECT_EQ(r, nullptr);
}

// Runs `command` with /bin/sh; returns its exit status and stdout.
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The standalone executable: eager checkpoint in, .npy predictions out, equal to eager.
TEST_P(AotHuber, StandaloneExecutablePredictsLikeEager) {
  huber::TrainResult eager = train_eagerly(100, dir_ / "eager.kckpt");
  kiln::compiler::link_executable(module(), "aot_test", dir_ / "huber-predict",
                                  kiln::compiler::default_toolchain());
  kiln_tensor_view x = view_of(data_->x);
  kiln::rt::write_npy(dir_ / "births.npy", x);
  auto [rc, out] = shell(dir_ / "huber-predict" + " --checkpoint " + dir_ / "eager.kckpt" +
                         " --function predict --input x=@" + dir_ / "births.npy" +
                         " --output-dir " + dir_ / "out");
  ASSERT_EQ(rc, 0) << out;
  kiln::rt::HostTensor y = kiln::rt::read_npy(dir_ / "out/y.npy");
  ASSERT_EQ(y.shape, std::vector<int64_t>{data_->size()});
  kiln::Tensor w = kiln::constant(static_cast<float>(eager.w)), b = kiln::constant(static_cast<float>(eager.b));
  std::vector<float> expected = (data_->x * w + b).to_vector<float>();
  EXPECT_EQ(std::memcmp(y.bytes.data(), expected.data(), expected.size() * sizeof(float)), 0);

  // Training in the executable, then an eager reload of its checkpoint.
  kiln::rt::write_npy(dir_ / "life.npy", view_of(data_->y));
  std::tie(rc, out) = shell(dir_ / "huber-predict" + " --checkpoint " + dir_ / "eager.kckpt" +
                            " --function train_epoch --input x=@" + dir_ / "births.npy" +
                            " --input y=@" + dir_ / "life.npy" + " --repeat 2 --save-checkpoint " +
                            dir_ / "more.kckpt");
  ASSERT_EQ(rc, 0) << out;
  kiln::CheckpointFile more = kiln::load_checkpoint(dir_ / "more.kckpt");
  EXPECT_EQ(more.step(), kiln::load_checkpoint(dir_ / "eager.kckpt").step() + 2);
  // Two eager epochs from the same checkpoint land where the executable's two epochs did.
  huber::TrainOptions options;
  options.epochs = 2;
  options.restore = kiln::load_checkpoint(dir_ / "eager.kckpt");
  huber::TrainResult continued = huber::train(*data_, options);
  EXPECT_NE(continued.w, eager.w);
  EXPECT_NEAR(more.tensor("huber/w").item(), continued.w, 1e-5 * std::abs(continued.w));
  EXPECT_NEAR(more.tensor("huber/b").item(), continued.b, 1e-5 * std::abs(continued.b));
}

// A run-time check in compiled code reports the user's line through the runtime.
TEST(AotErrors, OutOfRangeIndexNamesTheUsersLine) {
  auto f = kiln::function("lookup", [](kiln::Tensor table, kiln::Tensor ids) {
    return kiln::embedding_lookup(table, ids);  // this line
  });
  const int line = __LINE__ - 2;
  kiln::Tensor table = kiln::ones({8, 2});
  kiln::Tensor ids = kiln::constant(std::vector<int64_t>{1, 9});
  kiln::TracedModule traced = f.trace({kiln::spec_of(table), kiln::spec_of(ids)});
  AotModule m = kiln::compiler::compile_source(traced.mlir(true), "lookup.mlir", AotOptions{});
  TempDir dir;
  std::vector<uint8_t> code = kiln::compiler::link_shared_object(m, kiln::compiler::default_toolchain());
  std::vector<uint8_t> bytes = kiln::compiler::build_artifact(m, code, "aot_test");
  std::ofstream(dir / "lookup.kiln", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  Runtime rt;
  rt.load(dir / "lookup.kiln");
  kiln_tensor_view in[2] = {view_of(table), {}};
  in[1].dtype = KILN_I64;
  in[1].rank = 1;
  in[1].shape[0] = 2;
  in[1].data = const_cast<void*>(ids.raw());
  kiln_result* r = nullptr;
  kiln_status s = kiln_instance_call(rt.instance, "lookup", in, 2, &r);
  EXPECT_EQ(kiln_status_get_code(s), KILN_BAD_INPUT);
  EXPECT_EQ(status_text(s), "gather: indices[1] = 9 is not in [0, 8) \u2014 at aot_test.cpp:" +
                                std::to_string(line) + " in embedding_lookup (function 'lookup')");
  // The status word is cleared: a good call afterwards succeeds.
  int64_t good[2] = {0, 7};
  in[1].data = good;
  ok(kiln_instance_call(rt.instance, "lookup", in, 2, &r));
  kiln_result_free(r);
}

TEST(AotErrors, BadSourcesAndOptionsAreNamed) {
  auto expect_error = [](const std::string& text, const AotOptions& options, const std::string& part) {
    try {
      kiln::compiler::compile_source(text, "bad.mlir", options);
      ADD_FAILURE() << "expected an error containing: " << part;
    } catch (const kiln::Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error("func.func @f( {", AotOptions{}, "cannot read 'bad.mlir'");
  expect_error("func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {\n  return %x : tensor<2xf32>\n}",
               AotOptions{}, "bad.mlir:2:3");
  expect_error("module {}", AotOptions{}, "bad.mlir: the module defines no function");
  AotOptions riscv;
  riscv.target = "riscv64";
  expect_error("module {}", riscv, "unknown target 'riscv64' (expected one of: host, x86-64, x86-64-v3, x86-64-v4)");
  AotOptions o9;
  o9.opt_level = 9;
  expect_error("module {}", o9, "optimization level 9 is not in 0..3");
}

}  // namespace
