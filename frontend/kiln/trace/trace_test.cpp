// Tracing eager code into the kiln dialect: the IR it makes, and what that IR means
// (run by the reference interpreter) against eager execution of the same code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "kiln/function.h"
#include "kiln/kiln.h"
#include "kiln/optim/sgd.h"
#include "kiln/trace/interpreter.h"

namespace kiln {
namespace {

// A per-sample SGD step on the CS20 Huber loss, written as a user would.
struct HuberModel {
  Variable w{"huber/w", zeros({})};
  Variable b{"huber/b", zeros({})};
  void step(const Tensor& x, const Tensor& y, double lr) {
    GradientTape tape;
    Tensor t = y - (x * w + b);
    Tensor loss = where(abs(t) <= 1.0, square(t), 2.0 * abs(t) - 1.0);
    auto g = tape.gradient(loss, {w, b});
    w.assign_sub(lr * g[0].to_dense());
    b.assign_sub(lr * g[1].to_dense());
  }
};

Tensor xs() { return constant({1.8f, 3.9f, 2.2f, 5.1f, 1.2f, 4.4f}); }
Tensor ys() { return constant({78.f, 61.f, 75.f, 55.f, 80.f, 63.f}); }

TEST(Trace, StepIsOneFunctionWithVariablesAsMarkedArguments) {
  HuberModel m;
  auto step = function("train_step", [&](Tensor x, Tensor y) { m.step(x, y, 0.01); });
  std::string ir = step.trace({spec({}), spec({})}).mlir();
  EXPECT_NE(ir.find("func.func @train_step(%arg0: tensor<f32>, %arg1: tensor<f32>"),
            std::string::npos) << ir;
  EXPECT_NE(ir.find("{kiln.variable = \"huber/w\"}"), std::string::npos) << ir;
  EXPECT_NE(ir.find("kiln.select"), std::string::npos) << ir;
  EXPECT_NE(ir.find("kiln.sign"), std::string::npos) << "the backward pass is traced too\n" << ir;
  EXPECT_EQ(m.w.value().item(), 0.0) << "tracing must not change eager variables";
}

// stop_gradient (inside logsumexp, softmax) gives a value of the trace, not an alias the
// trace does not know.
TEST(Trace, StopGradientIsAValueOfTheTrace) {
  auto f = function("lse",
                    [](Tensor x) { return logsumexp(x, {1}) + sum(stop_gradient(x), {1}); });
  std::string ir = f.trace({spec({2, 3})}).mlir();
  EXPECT_NE(ir.find("kiln.reduce_max"), std::string::npos) << ir;
}

TEST(Trace, EveryOpCarriesTheUsersFileAndLine) {
  Variable w("w", ones({2}));
  auto f = function("f", [&](Tensor x) { return sum(x * w); });  // this line
  const int line = __LINE__ - 1;
  std::string ir = f.trace({spec({2})}).mlir(/*with_locations=*/true);
  EXPECT_NE(ir.find("loc(\"multiply\"(\"trace_test.cpp\":" + std::to_string(line)),
            std::string::npos) << ir;
  EXPECT_NE(ir.find("loc(\"sum\"(\"trace_test.cpp\":" + std::to_string(line)), std::string::npos)
      << ir;
}

TEST(Trace, ShapeErrorsAreRaisedAtTraceTimeWithTheUsersLine) {
  auto f = function("bad", [](Tensor x, Tensor y) { return x + y; });
  const int line = __LINE__ - 1;
  try {
    f.trace({spec({2, 3}), spec({4})});
    FAIL() << "expected a shape error";
  } catch (const Error& e) {
    EXPECT_EQ(e.line(), static_cast<unsigned>(line)) << e.what();
    EXPECT_NE(std::string(e.what()).find("(2, 3) and (4,) are not broadcastable"),
              std::string::npos) << e.what();
  }
}

TEST(Trace, ReadingValuesWhileTracingIsAClearError) {
  auto f = function("branchy", [](Tensor x) { return x.item() > 0 ? x : -x; });
  try {
    f.trace({spec({})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not known while tracing"), std::string::npos)
        << e.what();
  }
}

TEST(Trace, FunctionCachesOneTracePerSignature) {
  auto f = function("square", [](Tensor x) { return x * x; });
  f(constant(2.f));
  f(constant(3.f));
  EXPECT_EQ(f.num_traces(), 1u);
  f(constant({1.f, 2.f}));
  EXPECT_EQ(f.num_traces(), 2u);
  f(constant(2.0));  // float64 is another signature
  EXPECT_EQ(f.num_traces(), 3u);
}

TEST(Trace, RepeatedRetracingWarns) {
  auto f = function("shapeshifter", [](Tensor x) { return x + 1.0; });
  testing::internal::CaptureStderr();
  for (int n = 1; n <= 6; ++n) f(zeros({n}));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("function 'shapeshifter' has been traced 5 times"), std::string::npos) << err;
}

TEST(Trace, InterpretedStepMatchesEagerStepExactly) {
  HuberModel eager, traced;
  auto step = function("train_step", [&](Tensor x, Tensor y) { traced.step(x, y, 0.01); });
  const TracedModule& mod = step.trace({spec({}), spec({})});
  Tensor x = xs(), y = ys();
  for (int i = 0; i < 6; ++i) {
    eager.step(x[i], y[i], 0.01);
    interpret(mod, "train_step", {x[i], y[i]}, {traced.w, traced.b});
  }
  // Same ops in the same order: bit-identical.
  EXPECT_EQ(traced.w.value().item<float>(), eager.w.value().item<float>());
  EXPECT_EQ(traced.b.value().item<float>(), eager.b.value().item<float>());
  EXPECT_NE(eager.w.value().item(), 0.0);
}

TEST(Trace, HundredEpochLoopIsOneLoopOpAndMatchesEager) {
  HuberModel eager, traced;
  Tensor x = xs(), y = ys();
  const int n = static_cast<int>(x.dim(0)), epochs = 100;
  for (int e = 0; e < epochs; ++e)
    for (int i = 0; i < n; ++i) eager.step(x[i], y[i], 0.01);

  auto train = function("train", [&](Tensor xv, Tensor yv) {
    fori_loop(0, epochs * n, [&](const Tensor& k) {
      Tensor i = k - (k / static_cast<double>(n)) * static_cast<double>(n);  // k mod n
      traced.step(gather(xv, i), gather(yv, i), 0.01);
    });
  });
  const TracedModule& mod = train.trace({spec({n}), spec({n})});
  std::string ir = mod.mlir();
  EXPECT_NE(ir.find("kiln.loop"), std::string::npos) << ir;
  EXPECT_EQ(ir.find("kiln.loop", ir.find("kiln.loop") + 1), std::string::npos) << "one loop";
  interpret(mod, "train", {x, y}, {traced.w, traced.b});
  EXPECT_EQ(traced.w.value().item<float>(), eager.w.value().item<float>());
  EXPECT_EQ(traced.b.value().item<float>(), eager.b.value().item<float>());
}

TEST(Trace, ModulesSaveAndLoadAsTextAndBytecode) {
  auto f = function("affine", [](Tensor x) { return 2.0 * x + 1.0; });
  const TracedModule& mod = f.trace({spec({3})});
  auto dir = std::filesystem::temp_directory_path() / ("kiln_trace_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  for (const char* name : {"m.mlir", "m.mlirbc"}) {
    std::string path = (dir / name).string();
    mod.save(path);
    TracedModule back = TracedModule::load(path);
    EXPECT_EQ(back.function_names(), std::vector<std::string>{"affine"});
    auto r = interpret(back, "affine", {constant({1.f, 2.f, 3.f})}, {});
    EXPECT_EQ(r.outputs.at(0).to_vector<float>(), (std::vector<float>{3.f, 5.f, 7.f}));
  }
  std::filesystem::remove_all(dir);
}

TEST(Trace, LoadingAMalformedModuleIsAClearError) {
  auto path = std::filesystem::temp_directory_path() / "kiln_trace_bad.mlir";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {\n  %0 = kiln.add %x : \n", f);
    std::fclose(f);
  }
  try {
    TracedModule::load(path.string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("kiln_trace_bad.mlir"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(TracedModule::load("/nonexistent/kiln.mlir"), Error);
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(Trace, RandomDrawsTakeAndReturnTheGeneratorState) {
  Generator gen(/*seed=*/42, /*offset=*/0, "noise/rng");
  auto f = function("noisy", [&](Tensor x) {
    return x + random_normal({4}, gen) + random_uniform({4}, gen);
  });
  const TracedModule& mod = f.trace({spec({4})});
  std::string ir = mod.mlir();
  EXPECT_NE(ir.find("kiln.random_normal"), std::string::npos) << ir;
  EXPECT_NE(ir.find("{kiln.variable = \"noise/rng\"}"), std::string::npos) << ir;
  EXPECT_EQ(gen.offset(), 0u) << "tracing must not advance the eager generator";

  // The compiled draws (here: interpreted) equal the eager ones, and so do the states.
  Generator eager_gen(42, 0, "noise/rng");
  Tensor x = constant({1.f, 2.f, 3.f, 4.f});
  Tensor eager = x + random_normal({4}, eager_gen) + random_uniform({4}, eager_gen);
  auto r = interpret(mod, "noisy", {x}, {gen.state()});
  EXPECT_EQ(r.outputs.at(0).to_vector<float>(), eager.to_vector<float>());
  EXPECT_EQ(gen.offset(), eager_gen.offset());
  EXPECT_EQ(gen.offset(), 2u);
}

// top_k is one op with two results; its interpreted run equals the eager one, ties
// and NaN included.
TEST(Trace, TopKIsOneOpWithTwoResults) {
  auto f = function("best", [](Tensor x) {
    TopK r = top_k(x, 2);
    return std::vector<Tensor>{r.values, r.indices};
  });
  const TracedModule& mod = f.trace({spec({2, 4})});
  std::string ir = mod.mlir();
  EXPECT_NE(ir.find("kiln.top_k"), std::string::npos) << ir;
  EXPECT_NE(ir.find("{k = 2 : i64} : tensor<2x4xf32> -> tensor<2x2xf32>, tensor<2x2xi64>"),
            std::string::npos)
      << ir;
  Tensor x = constant({{1.f, 3.f, 3.f, -1.f}, {0.f, NAN, 2.f, NAN}});
  auto r = interpret(mod, "best", {x}, {});
  TopK eager = top_k(x, 2);
  EXPECT_EQ(r.outputs.at(1).to_vector<int64_t>(), eager.indices.to_vector<int64_t>());
  EXPECT_EQ(r.outputs.at(1).to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 1, 3}));
  EXPECT_EQ(r.outputs.at(0).to_vector<float>()[0], 3.f);
}

TEST(Trace, SeededDrawsAreConstants) {
  auto f = function("seeded", [](Tensor x) { return x + random_uniform({3}, /*seed=*/7); });
  std::string ir = f.trace({spec({3})}).mlir();
  EXPECT_EQ(ir.find("kiln.random"), std::string::npos) << ir;
  EXPECT_EQ(ir.find("kiln.variable"), std::string::npos) << ir;
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(Trace, CustomGradientsAreTracedWithTheUsersRule) {
  // log(1 + e^x) with the user's own (stable) gradient rule.
  auto log1pexp = custom_gradient([](const Tensor& x) {
    Tensor e = exp(x);
    return std::pair{log1p(e), [e](const Tensor& dy) { return dy * (1.0 - 1.0 / (1.0 + e)); }};
  });
  auto f = function("grad_of_log1pexp", [&](Tensor x) {
    GradientTape tape;
    tape.watch(x);
    Tensor y = sum(log1pexp(x));
    return tape.gradient(y, {x})[0].to_dense();
  });
  const TracedModule& mod = f.trace({spec({3})});
  Tensor x = constant({-1.f, 0.f, 2.f});
  Tensor eager = f(x);  // runs the C++ (eagerly or compiled): the reference
  auto r = interpret(mod, "grad_of_log1pexp", {x}, {});
  EXPECT_EQ(r.outputs.at(0).to_vector<float>(), eager.to_vector<float>());
  EXPECT_NEAR(r.outputs.at(0).to_vector<float>()[2], 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
}

}  // namespace
}  // namespace kiln


namespace kiln {
namespace {

// An optimizer's sparse update traces: the indices of a traced embedding lookup have no
// values, so their range is checked by the traced scatter at run time, not at trace time.
TEST(Trace, SparseOptimizerUpdatesTraceAndMatchEager) {
  auto make = [] { return Variable("table", constant({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}})); };
  Variable eager_table = make(), traced_table = make();
  optim::SGD eager_sgd(optim::SGDOptions(0.5)), traced_sgd(optim::SGDOptions(0.5));
  auto step = [](Variable& table, optim::SGD& sgd, const Tensor& ids) {
    GradientTape tape;
    Tensor loss = sum(square(embedding_lookup(table, ids)));
    sgd.apply(tape.gradient(loss, {table}), {table});
    return loss;
  };
  auto traced = function("step", [&](Tensor ids) { return step(traced_table, traced_sgd, ids); });
  Tensor ids = constant(std::vector<int64_t>{2, 0, 2});
  const TracedModule& mod = traced.trace({spec_of(ids)});
  std::vector<Variable> vars = mod.variables();
  for (int i = 0; i < 2; ++i) {
    step(eager_table, eager_sgd, ids);
    interpret(mod, "step", {ids}, vars);
  }
  EXPECT_EQ(traced_table.value().to_vector<float>(), eager_table.value().to_vector<float>());
  EXPECT_NE(eager_table.value().to_vector<float>(), make().value().to_vector<float>());
}

}  // namespace
}  // namespace kiln
