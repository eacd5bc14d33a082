// The sampled losses trace into the kiln dialect: an NCE training step (lookup, loss,
// backward, sparse SGD update of the looked-up rows) is one function whose interpreted
// run equals the eager step, with the host sampler's candidates passed in as inputs.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "kiln/function.h"
#include "kiln/kiln.h"
#include "kiln/nn/sampled.h"
#include "kiln/trace/interpreter.h"

namespace kiln {
namespace {

// A CS20-shaped NCE step, small: 20 classes of dimension 4, batch 3, 5 candidates.
struct NceModel {
  Variable w{"nce/weights", random_normal({20, 4}, /*seed=*/1, 0, 0.5)};
  Variable b{"nce/biases", zeros({20})};
  Tensor step(const Tensor& labels, const Tensor& inputs, const nn::SampledCandidates& c,
              double lr) {
    GradientTape tape;
    Tensor loss = mean(nn::nce_loss(w, b, labels, inputs, c));
    auto g = tape.gradient(loss, std::vector<Variable>{w, b});
    // Only the looked-up rows change: the gradient is IndexedSlices.
    w.scatter_sub(g[0].slices().indices, lr * g[0].slices().values);
    b.scatter_sub(g[1].slices().indices, lr * g[1].slices().values);
    return loss;
  }
};

TEST(SampledTrace, NceStepTracesAndInterpretsLikeEager) {
  NceModel eager, traced;
  auto step = function("nce_step", [&](Tensor labels, Tensor inputs, Tensor sampled,
                                       Tensor true_count, Tensor sampled_count) {
    return traced.step(labels, inputs, {sampled, true_count, sampled_count}, 1.0);
  });
  const TracedModule& mod =
      step.trace({spec({3, 1}, i64), spec({3, 4}), spec({5}, i64), spec({3, 1}), spec({5})});
  std::string ir = mod.mlir();
  EXPECT_NE(ir.find("kiln.gather"), std::string::npos) << ir;
  EXPECT_NE(ir.find("kiln.scatter_add"), std::string::npos) << ir;
  EXPECT_NE(ir.find("{kiln.variable = \"nce/weights\"}"), std::string::npos) << ir;

  Generator gen(/*seed=*/5);
  for (int i = 0; i < 3; ++i) {
    Tensor labels = constant({{int64_t{2 + i}}, {int64_t{7}}, {int64_t{19 - i}}});
    Tensor inputs = random_uniform({3, 4}, /*seed=*/100 + static_cast<uint64_t>(i));
    auto c = nn::log_uniform_candidate_sampler(labels, 5, /*unique=*/true, 20, gen);
    Tensor want = eager.step(labels, inputs, c, 1.0);
    auto r = interpret(mod, "nce_step",
                       {labels, inputs, c.sampled, c.true_expected_count, c.sampled_expected_count},
                       {traced.w, traced.b});
    // Same ops in the same order: bit-identical.
    EXPECT_EQ(r.outputs.at(0).to_vector<float>(), want.to_vector<float>()) << "step " << i;
  }
  EXPECT_EQ(traced.w.value().to_vector<float>(), eager.w.value().to_vector<float>());
  EXPECT_EQ(traced.b.value().to_vector<float>(), eager.b.value().to_vector<float>());
  EXPECT_NE(eager.b.value().to_vector<float>(), std::vector<float>(20, 0.f)) << "it trained";
}

TEST(SampledTrace, SamplingInsideATraceIsAClearError) {
  Generator gen(1);
  auto f = function("sample_inside", [&](Tensor labels) {
    return nn::log_uniform_candidate_sampler(labels, 2, false, 10, gen).sampled;
  });
  // Constant labels too: the draws would otherwise become constants of the function.
  auto g = function("sample_constant", [&](Tensor x) {
    return x + cast(nn::log_uniform_candidate_sampler(constant({{int64_t{1}}}), 2, false, 10, gen)
                        .sampled,
                    f32);
  });
  for (auto trace : {std::function<void()>([&] { f.trace({spec({1, 1}, i64)}); }),
                     std::function<void()>([&] { g.trace({spec({2})}); })}) {
    try {
      trace();
      ADD_FAILURE() << "tracing the sampler must fail";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("the sampler runs on the host, not in a trace"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(gen.offset(), 0u);
}

TEST(SampledTrace, NegativeSamplingLossTraces) {
  auto f = function("sgns", [](Tensor c, Tensor o, Tensor n) {
    return nn::negative_sampling_loss(c, o, n);
  });
  const TracedModule& mod = f.trace({spec({2, 3}), spec({2, 3}), spec({4, 3})});
  Tensor c = random_normal({2, 3}, 1), o = random_normal({2, 3}, 2), n = random_normal({4, 3}, 3);
  auto r = interpret(mod, "sgns", {c, o, n}, {});
  EXPECT_EQ(r.outputs.at(0).to_vector<float>(),
            nn::negative_sampling_loss(c, o, n).to_vector<float>());
}

}  // namespace
}  // namespace kiln
