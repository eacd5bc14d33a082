// Traced functions compiled and run in-process against eager execution of the same code:
// small ops, the Huber regression's step and 100-epoch loop, variables updated in place,
// dumps of every stage, and run-time errors that point at the user's line.
#include "compiler/CompiledModule.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "huber/export.h"
#include "huber/train.h"
#include "kiln/kiln.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void expect_close(const Tensor& got, const Tensor& want, double rel = 1e-5) {
  ASSERT_EQ(got.shape(), want.shape());
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_LE(std::abs(g[i] - w[i]), rel * std::max(1.0, std::abs(w[i])))
        << "element " << i << ": " << g[i] << " vs " << w[i];
}

std::string scratch_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("kiln_compiler_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir.string();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Compile, ElementwiseReduceAndMatmulMatchEager) {
  auto f = [](Tensor a, Tensor b, Tensor m) {
    Tensor e = a * b + a;
    return std::vector<Tensor>{e, sum(e, {1}), matmul(a, m)};
  };
  Tensor a = constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  Tensor b = constant({{0.5f, -1.f, 2.f}, {3.f, 0.25f, -2.f}});
  Tensor m = constant({{1.f, 0.f}, {2.f, 1.f}, {-1.f, 3.f}});
  TracedModule traced =
      trace("f", [&](const std::vector<Tensor>& xs) { return f(xs[0], xs[1], xs[2]); },
            {spec_of(a), spec_of(b), spec_of(m)});
  CompiledModule compiled = compile(traced);
  CallResult r = compiled.call("f", {a, b, m}, {});
  std::vector<Tensor> want = f(a, b, m);
  ASSERT_EQ(r.outputs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) expect_close(r.outputs[i], want[i]);
}

// Compiled code with its large loops on threads (OpenMP) and without: the same results,
// bit for bit (only outer parallel dims are split; reductions keep their order).
class ParallelCompile : public ::testing::TestWithParam<bool> {
 protected:
  compiler::CompileOptions options() const {
    return compiler::CompileOptions{}.set_parallel(GetParam());
  }
};

INSTANTIATE_TEST_SUITE_P(Threads, ParallelCompile, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "Parallel" : "Serial";
                         });

TEST_P(ParallelCompile, SmallOpsMatchEagerEvenWhenForcedOntoThreads) {
  auto f = [](Tensor a, Tensor b, Tensor m) {
    Tensor e = a * b + a;
    return std::vector<Tensor>{e, sum(e, {1}), sum(e, {0}), matmul(a, m)};
  };
  Tensor a = constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  Tensor b = constant({{0.5f, -1.f, 2.f}, {3.f, 0.25f, -2.f}});
  Tensor m = constant({{1.f, 0.f}, {2.f, 1.f}, {-1.f, 3.f}});
  TracedModule traced =
      trace("f", [&](const std::vector<Tensor>& xs) { return f(xs[0], xs[1], xs[2]); },
            {spec_of(a), spec_of(b), spec_of(m)});
  // Work threshold 1: every parallel loop runs on threads.
  CompiledModule compiled = compile(traced, options().set_parallel_min_work(1));
  CallResult r = compiled.call("f", {a, b, m}, {});
  std::vector<Tensor> want = f(a, b, m);
  ASSERT_EQ(r.outputs.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) expect_close(r.outputs[i], want[i]);
}

TEST_P(ParallelCompile, LargeOpsAreBitIdenticalToSerialCompiledCode) {
  auto f = [](Tensor a, Tensor b, Tensor m) {
    Tensor e = a * b + a;
    return std::vector<Tensor>{e, sum(e, {1}), sum(e, {0}), matmul(a, m)};
  };
  Tensor a = random_normal({300, 257}, 1);
  Tensor b = random_normal({300, 257}, 2);
  Tensor m = random_normal({257, 190}, 3);
  TracedModule traced =
      trace("f", [&](const std::vector<Tensor>& xs) { return f(xs[0], xs[1], xs[2]); },
            {spec_of(a), spec_of(b), spec_of(m)});
  std::string dir = scratch_dir(GetParam() ? "parallel" : "serial");
  // Two threads, named: the num_threads clause (0, the default, leaves it to libomp).
  CompiledModule compiled = compile(traced, options().set_threads(2).set_dump_ir_dir(dir));
  CompiledModule serial = compile(traced, compiler::CompileOptions{}.set_parallel(false));
  CallResult r = compiled.call("f", {a, b, m}, {});
  CallResult s = serial.call("f", {a, b, m}, {});
  std::vector<Tensor> want = f(a, b, m);
  ASSERT_EQ(r.outputs.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    expect_close(r.outputs[i], want[i], 1e-4);
    EXPECT_EQ(r.outputs[i].to_vector<float>(), s.outputs[i].to_vector<float>()) << "output " << i;
  }
  // The loops stage has OpenMP loops exactly when parallel (and libomp was found).
  bool has_omp = false;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find("-loops.mlir") != std::string::npos)
      has_omp = read_file(entry.path()).find("omp.parallel") != std::string::npos;
  EXPECT_EQ(has_omp, GetParam() && compiler::parallel_available());
  if (!std::getenv("KILN_TEST_KEEP_DUMPS")) fs::remove_all(dir);
}

TEST_P(ParallelCompile, LargeGatherOutOfRangeStillReportsTheFirstBadIndex) {
  auto fn = [](const std::vector<Tensor>& x) { return std::vector<Tensor>{gather(x[0], x[1])}; };
  std::vector<int64_t> ids(100000, 1);
  ids[70000] = 9;
  ids[90000] = -1;
  std::vector<Tensor> inputs = {ones({4, 64}), constant(ids)};
  std::string eager, compiled;
  try {
    fn(inputs);
  } catch (const Error& e) {
    eager = e.what();
  }
  CompiledModule m = compile(trace("g", fn, {spec_of(inputs[0]), spec_of(inputs[1])}), options());
  try {
    m.call("g", inputs, {});
  } catch (const Error& e) {
    compiled = e.what();
  }
  EXPECT_FALSE(eager.empty());
  EXPECT_EQ(compiled, eager);
}

// Results that are an argument, or the same value twice (the gradients of x + y), each get
// a buffer of their own; the out-parameter promotion used to crash on them.
TEST(Compile, ResultsThatAliasArgumentsOrEachOther) {
  Tensor x = constant({1.0, 2.0});
  TracedModule traced = trace("f",
                              [](const std::vector<Tensor>& xs) {
                                Tensor y = xs[0] * 2.0;
                                return std::vector<Tensor>{xs[0], y, y, xs[0]};
                              },
                              {spec_of(x)});
  CallResult r = compile(traced).call("f", {x}, {});
  ASSERT_EQ(r.outputs.size(), 4u);
  expect_close(r.outputs[0], x);
  expect_close(r.outputs[1], x * 2.0);
  expect_close(r.outputs[2], x * 2.0);
  expect_close(r.outputs[3], x);
}

TEST(Compile, FunctionCallsRunCompiledCodeAndUpdateVariables) {
  Variable w("w", constant({1.f, 2.f}));
  int cpp_runs = 0;
  auto step = function("step", [&](Tensor x) {
    ++cpp_runs;  // a C++ side effect: happens when tracing, not in compiled calls
    w.assign_add(x);
    return sum(w.value() * x);
  });
  Tensor x = constant({0.5f, 0.25f});
  Tensor loss = step(x);
  EXPECT_FLOAT_EQ(loss.item<float>(), 1.5f * 0.5f + 2.25f * 0.25f);
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{1.5f, 2.25f}));
  Tensor snapshot = w.value();
  step(x);
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{2.f, 2.5f}));
  EXPECT_EQ(snapshot.to_vector<float>(), (std::vector<float>{1.5f, 2.25f}))
      << "a snapshot keeps its value: the in-place update is copy-on-write";
  EXPECT_EQ(step.num_traces(), 1u);
  EXPECT_EQ(cpp_runs, 1) << "traced once, then compiled code ran";
}

TEST(Compile, RunFunctionsEagerlyIsAnEscapeHatch) {
  Variable w("w", constant({1.f}));
  auto f = function("f", [&](Tensor x) { w.assign_add(x); });
  run_functions_eagerly(true);
  f(constant({1.f}));
  run_functions_eagerly(false);
  f(constant({1.f}));
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{3.f}));
}

TEST(Compile, ScatterAddUpdatesALargeVariableInPlace) {
  Variable table("emb", zeros({50000, 128}));
  auto f = function("update", [&](Tensor ids, Tensor rows) { table.scatter_add(ids, rows); });
  Tensor ids = constant(std::vector<int64_t>{3, 49999, 3});
  Tensor rows = ones({3, 128});
  std::string dir = scratch_dir("inplace");
  CompiledModule compiled = compile(f.trace({spec_of(ids), spec_of(rows)}),
                                    compiler::CompileOptions{}.set_dump_ir_dir(dir));
  const void* before = table.storage().raw();
  compiled.call("update", {ids, rows}, {table});
  EXPECT_EQ(table.storage().raw(), before) << "the variable's buffer must be updated in place";
  Tensor t = table.value();
  EXPECT_FLOAT_EQ(t[3][0].item<float>(), 2.f);
  EXPECT_FLOAT_EQ(t[49999][127].item<float>(), 1.f);
  EXPECT_FLOAT_EQ(t[0][0].item<float>(), 0.f);
  // No 50000x128 buffer is ever allocated: the scatter writes rows of the variable.
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find("bufferized") != std::string::npos) {
      std::istringstream ir(read_file(entry.path()));
      for (std::string line; std::getline(ir, line);)
        EXPECT_FALSE(line.find("memref.alloc") != std::string::npos &&
                     line.find("50000x128") != std::string::npos)
            << entry.path() << ": " << line;
    }
  if (!std::getenv("KILN_TEST_KEEP_DUMPS")) fs::remove_all(dir);
}

TEST(Compile, DumpIrDirWritesEveryStageNumbered) {
  auto f = function("affine", [](Tensor x) { return 2.0 * x + 1.0; });
  std::string dir = scratch_dir("dump");
  compile(f.trace({spec({3})}), compiler::CompileOptions{}.set_dump_ir_dir(dir));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  ASSERT_GE(names.size(), 6u);
  EXPECT_EQ(names[0], "00-traced.mlir");
  EXPECT_EQ(names[1], "01-canonicalized.mlir");
  EXPECT_EQ(names[2], "02-simplified.mlir");
  EXPECT_EQ(names[3], "03-kiln-to-linalg.mlir");
  EXPECT_NE(names[names.size() - 2].find("-module.ll"), std::string::npos);
  EXPECT_NE(names.back().find("-module.s"), std::string::npos);
  EXPECT_NE(read_file(fs::path(dir) / names[0]).find("kiln."), std::string::npos);
  fs::remove_all(dir);
}

TEST(Compile, OutOfRangeGatherRaisesTheEagerMessageAtTheUsersLine) {
  auto f = function("lookup", [](Tensor table, Tensor ids) {
    return embedding_lookup(table, ids);  // this line
  });
  const int line = __LINE__ - 2;
  Tensor table = ones({128, 4});
  Tensor ids = constant(std::vector<int64_t>{1, 2, 3, 3081});
  CompiledModule compiled = compile(f.trace({spec_of(table), spec_of(ids)}));
  try {
    compiled.call("lookup", {table, ids}, {});
    FAIL() << "expected a run-time error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "gather: indices[3] = 3081 is not in [0, 128) \u2014 at compiled_module_test.cpp:" +
                  std::to_string(line) + " in embedding_lookup");
  }
  // The status is reset: a good call afterwards succeeds.
  Tensor good = constant(std::vector<int64_t>{0, 127});
  CompiledModule ok = compile(f.trace({spec_of(table), spec_of(good)}));
  EXPECT_NO_THROW(ok.call("lookup", {table, good}, {}));
}

// Runs fn eagerly and compiled on the same inputs: both must throw the same kiln::Error.
void expect_same_error(const std::string& name, const TraceFn& fn,
                       const std::vector<Tensor>& inputs) {
  std::string eager, compiled;
  try {
    fn(inputs);
  } catch (const Error& e) {
    eager = e.what();
  }
  Signature sig;
  for (const Tensor& x : inputs) sig.push_back(spec_of(x));
  CompiledModule m = compile(trace(name, fn, sig));
  try {
    m.call(name, inputs, {});
  } catch (const Error& e) {
    compiled = e.what();
  }
  EXPECT_FALSE(eager.empty()) << name;
  EXPECT_EQ(compiled, eager) << name;
}

TEST(Compile, RunTimeErrorsReadLikeEagerOnes) {
  using Xs = const std::vector<Tensor>&;
  expect_same_error(
      "div", [](Xs x) { return std::vector<Tensor>{x[0] / x[1]}; },
      {constant(std::vector<int64_t>{4, 5, 6}), constant(std::vector<int64_t>{2, 0, 3})});
  expect_same_error("gather", [](Xs x) { return std::vector<Tensor>{gather(x[0], x[1])}; },
                    {ones({4, 2}), constant(std::vector<int64_t>{0, -1})});
  expect_same_error("scatter",
                    [](Xs x) { return std::vector<Tensor>{scatter_add(x[0], x[1], x[2])}; },
                    {zeros({4, 2}), constant(std::vector<int32_t>{1, 4}), ones({2, 2})});
}

// The Huber regression: eager training against its compiled step and compiled loop.
class CompiledHuber : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.log = nullptr;
    data_ = huber::load_data(options_);
    eager_ = huber::train(data_, options_);
  }

  Variable variable(const TracedModule& m, const std::string& name) {
    for (const Variable& v : m.variables())
      if (v.name() == name) return v;
    ADD_FAILURE() << "no variable " << name;
    return {};
  }

  huber::TrainOptions options_;
  huber::RegressionData data_;
  huber::TrainResult eager_;
};

TEST_F(CompiledHuber, TrainStepLoopMatchesEager) {
  const int64_t n = data_.size();
  TracedModule traced = huber::trace_huber_functions(options_, n);
  auto t0 = std::chrono::steady_clock::now();
  CompiledModule compiled = compile(traced);
  double compile_s = seconds_since(t0);
  std::vector<Variable> vars = traced.variables();
  t0 = std::chrono::steady_clock::now();
  for (int64_t e = 0; e < options_.epochs; ++e)
    for (int64_t i = 0; i < n; ++i) compiled.call("train_step", {data_.x[i], data_.y[i]}, vars);
  double run_s = seconds_since(t0);
  std::printf(
      "[ huber ] compile (predict + train_step + train): %.3f s; 100 epochs of "
      "compiled train_step calls: %.3f s\n",
      compile_s, run_s);
  double w = variable(traced, "huber/w").value().item(),
         b = variable(traced, "huber/b").value().item();
  EXPECT_NEAR(w, eager_.w, 1e-5 * std::abs(eager_.w));
  EXPECT_NEAR(b, eager_.b, 1e-5 * std::abs(eager_.b));
}

TEST_F(CompiledHuber, HundredEpochLoopMatchesEager) {
  const int64_t n = data_.size();
  TracedModule traced = huber::trace_huber_functions(options_, n);
  auto t0 = std::chrono::steady_clock::now();
  CompiledModule compiled = compile(traced);
  double compile_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  CallResult r = compiled.call("train", {data_.x, data_.y}, traced.variables());
  double run_s = seconds_since(t0);
  double w = variable(traced, "huber/w").value().item(),
         b = variable(traced, "huber/b").value().item();
  std::printf(
      "[ huber ] compile: %.3f s; compiled 100-epoch loop: %.4f s (eager: %.4f s); "
      "w = %.9g (eager %.9g), b = %.9g (eager %.9g)\n",
      compile_s, run_s, eager_.seconds, w, eager_.w, b, eager_.b);
  EXPECT_NEAR(w, eager_.w, 1e-5 * std::abs(eager_.w));
  EXPECT_NEAR(b, eager_.b, 1e-5 * std::abs(eager_.b));
  ASSERT_EQ(r.outputs.size(), 1u);
}

// Its ops are tiny (scalars, 190-element vectors): none may pay a fork/join per call.
TEST_F(CompiledHuber, TinyOpsStaySerial) {
  TracedModule traced = huber::trace_huber_functions(options_, data_.size());
  std::string dir = scratch_dir("huber_threads");
  compile(traced, compiler::CompileOptions{}.set_parallel(true).set_dump_ir_dir(dir));
  int loops_dumps = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find("-loops.mlir") != std::string::npos) {
      ++loops_dumps;
      EXPECT_EQ(read_file(entry.path()).find("omp."), std::string::npos);
    }
  EXPECT_EQ(loops_dumps, 1);
  if (!std::getenv("KILN_TEST_KEEP_DUMPS")) fs::remove_all(dir);
}

}  // namespace
}  // namespace kiln
