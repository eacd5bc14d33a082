// Tests for nn::Module (variable names, nesting, order, duplicates, sharing), the Glorot
// initializer, Dense (against a float64 loop) and Embedding (lookup and sparse gradient).
#include "kiln/nn/module.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "kiln/nn/dense.h"
#include "kiln/nn/embedding.h"
#include "kiln/nn/init.h"
#include "kiln/testing/expect.h"

namespace kiln::nn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> names(const std::vector<Variable>& vs) {
  std::vector<std::string> out;
  for (const Variable& v : vs) out.push_back(v.name());
  return out;
}

// Errors must point at this file, at the statement after `line`.
template <class F>
void expect_error_at(F&& f, int line, const std::string& text) {
  testing::expect_error_at(std::forward<F>(f), "module_test.cpp", line, text);
}

struct Huber : Module {
  Variable w, b;
  Huber() : Module("huber") {
    w = register_variable("w", zeros({}));
    b = register_variable("b", zeros({}));
  }
};

// Variables and children interleaved, to pin down the order of the listings.
struct Model : Module {
  Variable scale, steps;
  std::shared_ptr<Dense> hidden, out;
  Model() : Module("model") {
    scale = register_variable("scale", ones({}));
    hidden = register_module<Dense>("hidden", /*in=*/2, /*out=*/3);
    steps = register_variable("steps", zeros({}, i64), /*trainable=*/false);
    out = register_module<Dense>("out", /*in=*/3, /*out=*/1, DenseOptions().bias(false));
  }
};

struct Outer : Module {
  std::shared_ptr<Model> model;
  Outer() : Module("outer") { model = register_module<Model>("model"); }
};

TEST(Module, NamesVariablesByScope) {
  Huber h;
  EXPECT_EQ(h.name(), "huber");
  EXPECT_EQ(h.w.name(), "huber/w");
  EXPECT_EQ(h.b.name(), "huber/b");
  EXPECT_THAT(names(h.variables()), ElementsAre("huber/w", "huber/b"));
  // The registered handle is the member: an update through one is seen through the other.
  h.w.assign(constant(2.f));
  EXPECT_EQ(h.variables()[0].storage().item<float>(), 2.f);
}

TEST(Module, ChildrenNestAndListInRegistrationOrder) {
  Model m;
  EXPECT_EQ(m.hidden->scope(), "model/hidden");
  EXPECT_EQ(m.hidden->name(), "hidden");
  EXPECT_THAT(names(m.variables()),
              ElementsAre("model/scale", "model/hidden/kernel", "model/hidden/bias", "model/steps",
                          "model/out/kernel"));
  EXPECT_THAT(names(m.trainable_variables()), ElementsAre("model/scale", "model/hidden/kernel",
                                                          "model/hidden/bias", "model/out/kernel"));
  EXPECT_THAT(names(m.non_trainable_variables()), ElementsAre("model/steps"));
  ASSERT_EQ(m.children().size(), 2u);
  EXPECT_EQ(m.children()[1].get(), m.out.get());

  Outer o;
  EXPECT_THAT(names(o.variables()), ElementsAre("outer/model/scale", "outer/model/hidden/kernel",
                                                "outer/model/hidden/bias", "outer/model/steps",
                                                "outer/model/out/kernel"));
  // The scope handed to a child does not leak to modules built afterwards.
  Dense alone(1, 1);
  EXPECT_EQ(alone.kernel().name(), "dense/kernel");
}

TEST(Module, NamedVariablesMapsNamesToTheSameVariables) {
  Model m;
  auto named = m.named_variables();
  ASSERT_EQ(named.size(), 5u);
  EXPECT_EQ(named.at("model/hidden/kernel").id(), m.hidden->kernel().id());
  EXPECT_EQ(named.at("model/steps").id(), m.steps.id());
  EXPECT_EQ(named.count("model/out/bias"), 0u);
}

TEST(Module, ListingsAreDeterministic) {
  Model a, b;
  EXPECT_EQ(names(a.variables()), names(b.variables()));
  // The same seed gives the same weights.
  EXPECT_EQ(a.hidden->kernel().storage().to_vector<float>(),
            b.hidden->kernel().storage().to_vector<float>());
}

TEST(Module, DuplicateAndMalformedNamesAreErrors) {
  Module m("m");
  m.register_variable("w", zeros({}));
  m.register_module<Dense>("dense", 1, 1);
  int line = __LINE__;
  expect_error_at([&] { m.register_variable("w", ones({})); }, line,
                  "module 'm' already has a variable named 'w'");
  line = __LINE__;
  expect_error_at([&] { m.register_variable("dense", ones({})); }, line,
                  "already has a child module named 'dense'");
  line = __LINE__;
  expect_error_at([&] { m.register_module<Dense>("w", 1, 1); }, line,
                  "already has a variable named 'w'");
  line = __LINE__;
  expect_error_at([&] { m.register_variable("a/b", ones({})); }, line, "must not contain '/'");
  line = __LINE__;
  expect_error_at([&] { m.register_variable("", ones({})); }, line, "must be non-empty");
  line = __LINE__;
  expect_error_at([] { Module empty(""); }, line, "non-empty name");
  // The failed registrations left nothing behind.
  EXPECT_THAT(names(m.variables()), ElementsAre("m/w", "m/dense/kernel", "m/dense/bias"));
}

TEST(Module, AdoptingAModuleBuiltElsewhereIsAnErrorThatSaysHowToFixIt) {
  Module m("model");
  auto alone = std::make_shared<Dense>(2, 1);
  int line = __LINE__;
  expect_error_at([&] { m.register_module("dense", alone); }, line,
                  "build it in place with register_module<Type>(\"dense\", args...)");
  EXPECT_TRUE(m.children().empty());
}

TEST(Module, SharedChildrenTieWeightsAndAreListedOnce) {
  Module both("both");
  auto a = both.register_module<Module>("a", "unused");
  auto dense = a->register_module<Dense>("dense", 2, 2);
  auto b = both.register_module<Module>("b", "unused");
  b->register_variable("w", zeros({}));
  b->register_module("shared", dense);  // belongs to `a` already: its names stay "both/a/..."
  EXPECT_THAT(names(b->variables()),
              ElementsAre("both/b/w", "both/a/dense/kernel", "both/a/dense/bias"));
  EXPECT_THAT(names(both.variables()),
              ElementsAre("both/a/dense/kernel", "both/a/dense/bias", "both/b/w"));
  EXPECT_EQ(both.named_variables().size(), 3u);
  // Registering a module inside its own subtree would make a cycle.
  int line = __LINE__;
  expect_error_at([&] { dense->register_module("up", a); }, line, "would make a cycle");
}

TEST(Module, TwoVariablesWithOneNameAreReported) {
  // Two top-level modules may share a name; tying one's child into the other then collides.
  Module r1("r"), r2("r");
  r1.register_module<Module>("x", "unused")->register_variable("w", zeros({}));
  auto x2 = r2.register_module<Module>("x", "unused");
  x2->register_variable("w", zeros({}));
  r1.register_module("tied", x2);
  int line = __LINE__;
  expect_error_at([&] { r1.named_variables(); }, line, "are named 'r/x/w'");
}

TEST(GlorotUniform, StaysWithinTheLimitAndFillsIt) {
  Generator gen(7);
  Tensor k = glorot_uniform({40, 60}, gen);
  double limit = std::sqrt(6.0 / 100.0);
  std::vector<float> v = k.to_vector<float>();
  float lo = v[0], hi = v[0];
  for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
  EXPECT_GE(lo, -limit);
  EXPECT_LT(hi, limit);
  // 2400 draws come within 1% of both ends.
  EXPECT_LT(lo, -0.98 * limit);
  EXPECT_GT(hi, 0.98 * limit);
  // A conv-style kernel multiplies both fans by the receptive field (3*3): limit sqrt(6/(9*(4+8))).
  Tensor c = glorot_uniform({3, 3, 4, 8}, gen, f64);
  for (double x : c.to_vector<double>()) EXPECT_LT(std::abs(x), std::sqrt(6.0 / 108.0));
}

TEST(Dense, ForwardMatchesAFloat64Loop) {
  Dense layer(/*in=*/3, /*out=*/2, DenseOptions().seed(11));
  layer.bias().assign(constant({0.5f, -1.25f}));
  Tensor x = random_normal({4, 3}, /*seed=*/3);
  Tensor y = layer(x);
  ASSERT_EQ(y.shape(), (Shape{4, 2}));
  std::vector<float> xs = x.to_vector<float>(), ks = layer.kernel().storage().to_vector<float>();
  std::vector<float> ys = y.to_vector<float>();
  double bias[2] = {0.5, -1.25};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j) {
      double want = bias[j];
      for (int k = 0; k < 3; ++k) want += double(xs[i * 3 + k]) * ks[k * 2 + j];
      EXPECT_NEAR(ys[i * 2 + j], want, 1e-5) << "y[" << i << ", " << j << "]";
    }
}

TEST(Dense, OptionsBiasActivationGeneratorAndBatchDims) {
  Generator gen(5);
  Dense a(2, 3, DenseOptions().generator(gen).bias(false).activation(relu));
  Dense b(2, 3, DenseOptions().generator(gen));
  EXPECT_FALSE(a.bias().defined());
  EXPECT_THAT(names(a.variables()), ElementsAre("dense/kernel"));
  // The shared generator advanced: the second kernel is different.
  EXPECT_NE(a.kernel().storage().to_vector<float>(), b.kernel().storage().to_vector<float>());
  EXPECT_GT(gen.offset(), 0u);
  Tensor x = random_normal({2, 5, 2}, /*seed=*/1);
  Tensor y = a(x);
  EXPECT_EQ(y.shape(), (Shape{2, 5, 3}));
  Tensor pre = matmul(x, a.kernel());
  std::vector<float> ys = y.to_vector<float>(), ps = pre.to_vector<float>();
  for (size_t i = 0; i < ys.size(); ++i) EXPECT_EQ(ys[i], std::max(ps[i], 0.f));
  Dense c(2, 1, DenseOptions().name("head").dtype(f64));
  EXPECT_EQ(c.kernel().name(), "head/kernel");
  EXPECT_EQ(c.kernel().dtype(), f64);
}

TEST(Dense, BadInputsNameTheLayerAndTheCaller) {
  Dense layer(3, 2);
  int line = __LINE__;
  expect_error_at(
      [&] {
        layer(zeros({4, 2}));
      },
      line, "'dense' takes inputs of shape (..., 3) with rank >= 2, got (4, 2)");
  line = __LINE__;
  expect_error_at([&] { layer(zeros({3})); }, line, "got (3,)");
  line = __LINE__;
  expect_error_at([&] { layer(zeros({1, 3}, f64)); }, line, "the input has dtype float64");
  line = __LINE__;
  expect_error_at([] { Dense bad(0, 2); }, line, "in and out must be positive");
}

TEST(Dense, GradientsReachKernelAndBias) {
  Dense layer(2, 1);
  Tensor x = constant({{1.f, 2.f}, {3.f, 4.f}});
  GradientTape tape;
  Tensor loss = sum(layer(x));
  auto g = tape.gradient(loss, layer.trainable_variables());
  ASSERT_EQ(g.size(), 2u);
  // d sum(x K + b) / dK = column sums of x; / db = batch size.
  EXPECT_THAT(g[0].to_dense().to_vector<float>(), ElementsAre(4.f, 6.f));
  EXPECT_THAT(g[1].to_dense().to_vector<float>(), ElementsAre(2.f));
}

TEST(Embedding, LooksUpRowsAndStartsInItsRange) {
  Embedding embed(/*vocab_size=*/10, /*dim=*/4, EmbeddingOptions().uniform(0, 1).seed(2));
  EXPECT_EQ(embed.embeddings().name(), "embedding/embeddings");
  EXPECT_EQ(embed.embeddings().shape(), (Shape{10, 4}));
  std::vector<float> table = embed.embeddings().storage().to_vector<float>();
  for (float x : table) {
    EXPECT_GE(x, 0.f);
    EXPECT_LT(x, 1.f);
  }
  Tensor y = embed(constant({{7, 0, 7}, {9, 3, 1}}));
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
  std::vector<float> ys = y.to_vector<float>();
  int ids[6] = {7, 0, 7, 9, 3, 1};
  for (int i = 0; i < 6; ++i)
    for (int d = 0; d < 4; ++d) EXPECT_EQ(ys[i * 4 + d], table[ids[i] * 4 + d]);
  Embedding dflt(3, 2);
  for (float x : dflt.embeddings().storage().to_vector<float>()) {
    EXPECT_GE(x, -1.f);
    EXPECT_LT(x, 1.f);
  }
}

TEST(Embedding, GradientIsSparseOverTheIdsLookedUp) {
  Embedding embed(6, 3);
  GradientTape tape;
  Tensor loss = sum(embed(constant<int64_t>({4, 1, 4})) * 2.0);
  auto g = tape.gradient(loss, {embed.embeddings()});
  ASSERT_TRUE(g[0].is_sparse());
  const IndexedSlices& s = g[0].slices();
  EXPECT_THAT(s.indices.to_vector<int64_t>(), ElementsAre(4, 1, 4));
  EXPECT_EQ(s.values.shape(), (Shape{3, 3}));
  EXPECT_EQ(s.dense_shape, (Shape{6, 3}));
  for (float v : s.values.to_vector<float>()) EXPECT_EQ(v, 2.f);
}

TEST(Embedding, OutOfRangeIdsPointAtTheCaller) {
  Embedding embed(5, 2);
  int line = __LINE__;
  expect_error_at([&] { embed(constant({1, 5})); }, line, "indices[1] = 5 is not in [0, 5)");
}

}  // namespace
}  // namespace kiln::nn
