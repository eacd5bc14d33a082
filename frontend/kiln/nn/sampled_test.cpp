// Tests for the candidate samplers and sampled losses against oracles written here in
// double: TensorFlow's sampler formulas (distribution, draw rule, expected counts),
// loop-by-loop references of nce / sampled softmax / negative sampling, finite-difference
// gradients, and the sparsity of the class weights' gradient.
#include "kiln/nn/sampled.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "kiln/autodiff/gradcheck.h"
#include "kiln/autodiff/tape.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"
#include "kiln/testing/expect.h"

namespace kiln::nn {
namespace {

using ::kiln::testing::values_equal;
using ::kiln::testing::values_near;

// TensorFlow's LogUniformSampler::Probability, in double.
double log_uniform_p(int64_t k, int64_t range_max) {
  return (std::log(k + 2.0) - std::log(k + 1.0)) / std::log(range_max + 1.0);
}

// The float64 uniforms a fresh Generator(seed) hands out, n of them.
std::vector<double> uniforms(uint64_t seed, int64_t n) {
  Generator g(seed);
  return random_uniform({n}, g, 0, 1, f64).to_vector<double>();
}

// Pearson's chi-square statistic of `samples` against probabilities `p`.
double chi_square(const std::vector<int64_t>& samples, const std::vector<double>& p) {
  std::vector<double> seen(p.size(), 0);
  for (int64_t k : samples) seen.at(static_cast<size_t>(k)) += 1;
  double chi2 = 0, n = static_cast<double>(samples.size());
  for (size_t k = 0; k < p.size(); ++k) {
    if (p[k] == 0) {
      EXPECT_EQ(seen[k], 0) << "class " << k << " has probability 0";
      continue;
    }
    chi2 += (seen[k] - n * p[k]) * (seen[k] - n * p[k]) / (n * p[k]);
  }
  return chi2;
}

TEST(LogUniformSampler, FrequenciesMatchTheZipfianDistribution) {
  const int64_t range = 30, n = 200000;
  Generator gen(7);
  auto c = log_uniform_candidate_sampler(constant({{int64_t{0}}}), n, /*unique=*/false, range, gen);
  std::vector<double> p;
  double total = 0;
  for (int64_t k = 0; k < range; ++k) total += p.emplace_back(log_uniform_p(k, range));
  EXPECT_NEAR(total, 1.0, 1e-12);
  // 29 degrees of freedom: P(chi2 > 80) ~ 1e-6, while a distribution off by a few
  // percent in any class gives thousands.
  EXPECT_LT(chi_square(c.sampled.to_vector<int64_t>(), p), 80.0);
}

TEST(LogUniformSampler, DrawsFollowTensorFlowsRuleAndAdvanceTheGeneratorByHalfABlockEach) {
  for (int64_t n : {1, 7, 64}) {
    const int64_t range = 50000;
    Generator gen(/*seed=*/123, /*offset=*/0);
    Tensor truth = constant({{int64_t{0}, int64_t{4}}, {int64_t{49999}, int64_t{17}}});
    auto c = log_uniform_candidate_sampler(truth, n, /*unique=*/false, range, gen);
    std::vector<double> u = uniforms(123, n);
    std::vector<double> want, want_count;
    for (double x : u) {
      auto k = static_cast<int64_t>(std::floor(std::exp(x * std::log1p(double(range))))) - 1;
      want.push_back(static_cast<double>(k));
      want_count.push_back(static_cast<double>(n) * log_uniform_p(k, range));
    }
    EXPECT_TRUE(values_equal(c.sampled, {n}, want));
    EXPECT_EQ(c.sampled.dtype(), i64);
    EXPECT_EQ(gen.offset(), static_cast<uint64_t>((n + 1) / 2)) << "n = " << n;
    EXPECT_TRUE(values_near(c.sampled_expected_count, {n}, want_count, 1e-6));
    std::vector<double> true_count;
    for (int64_t k : {0, 4, 49999, 17}) true_count.push_back(n * log_uniform_p(k, range));
    EXPECT_TRUE(values_near(c.true_expected_count, {2, 2}, true_count, 1e-6));
  }
}

TEST(LogUniformSampler, UniqueDrawsUntilDistinctAndCountsTheTries) {
  const int64_t range = 40, n = 25;
  Generator gen(99);
  Tensor truth = constant({{int64_t{3}}, {int64_t{39}}});
  auto c = log_uniform_candidate_sampler(truth, n, /*unique=*/true, range, gen);
  // The oracle: walk the same uniforms, keeping first occurrences, counting every draw.
  std::vector<double> u = uniforms(99, 100000);
  std::vector<double> want;
  std::set<int64_t> seen;
  int64_t tries = 0;
  while (static_cast<int64_t>(want.size()) < n) {
    double x = u.at(static_cast<size_t>(tries++));
    auto k = static_cast<int64_t>(std::floor(std::exp(x * std::log(range + 1.0)))) - 1;
    if (seen.insert(k).second) want.push_back(static_cast<double>(k));
  }
  ASSERT_GT(tries, n) << "the test needs repeats to tell the two count formulas apart";
  EXPECT_TRUE(values_equal(c.sampled, {n}, want));
  std::vector<int64_t> got = c.sampled.to_vector<int64_t>();
  EXPECT_EQ(std::set<int64_t>(got.begin(), got.end()).size(), static_cast<size_t>(n));
  EXPECT_EQ(gen.offset(), static_cast<uint64_t>((tries + 1) / 2));
  // P(k in the sample) after `tries` draws: 1 - (1 - P(k))^tries, in plain double.
  auto hit = [&](int64_t k) { return 1.0 - std::pow(1.0 - log_uniform_p(k, range), double(tries)); };
  std::vector<double> want_count;
  for (double k : want) want_count.push_back(hit(static_cast<int64_t>(k)));
  EXPECT_TRUE(values_near(c.sampled_expected_count, {n}, want_count, 1e-6));
  EXPECT_TRUE(values_near(c.true_expected_count, {2, 1}, {hit(3), hit(39)}, 1e-6));
}

TEST(LogUniformSampler, SameSeedSameSamplesOtherSeedsAndLaterCallsDiffer) {
  Tensor truth = constant({{int64_t{1}}});
  Generator a(5), b(5), c(6);
  auto sa = log_uniform_candidate_sampler(truth, 64, true, 50000, a).sampled.to_vector<int64_t>();
  auto sb = log_uniform_candidate_sampler(truth, 64, true, 50000, b).sampled.to_vector<int64_t>();
  auto sc = log_uniform_candidate_sampler(truth, 64, true, 50000, c).sampled.to_vector<int64_t>();
  auto next = log_uniform_candidate_sampler(truth, 64, true, 50000, a).sampled.to_vector<int64_t>();
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
  EXPECT_NE(sa, next);
  EXPECT_GT(a.offset(), b.offset()) << "the second call continues where the first stopped";
}

TEST(LogUniformSampler, ErrorsNameTheSamplerAndTheValue) {
  Generator gen(1);
  auto e = ::kiln::testing::error_of(
      [&] { log_uniform_candidate_sampler(constant({{int64_t{0}, int64_t{12}}}), 2, false, 10, gen); });
  EXPECT_NE(std::string(e.what()).find("log_uniform_candidate_sampler: true_classes[0, 1] = 12 is "
                                       "not in [0, 10)"),
            std::string::npos)
      << e.what();
  auto u = ::kiln::testing::error_of(
      [&] { log_uniform_candidate_sampler(constant({{int64_t{0}}}), 11, true, 10, gen); });
  EXPECT_NE(std::string(u.what()).find("needs range_max >= num_sampled"), std::string::npos)
      << u.what();
  EXPECT_EQ(gen.offset(), 0u) << "a rejected call draws nothing";
}

TEST(UnigramSampler, FrequenciesFollowCountsToThePower) {
  std::vector<int64_t> counts = {1000, 1, 0, 50, 7, 300, 2, 0, 90, 12};
  UnigramSampler sampler(counts, 0.75);
  std::vector<double> p;
  double total = 0;
  for (int64_t c : counts) total += std::pow(double(c), 0.75);
  for (int64_t c : counts) p.push_back(std::pow(double(c), 0.75) / total);
  for (size_t k = 0; k < counts.size(); ++k)
    EXPECT_NEAR(sampler.probability(static_cast<int64_t>(k)), p[k], 1e-15);
  Generator gen(3);
  Tensor s = sampler.sample(300001, gen);
  EXPECT_EQ(s.shape(), Shape{300001});
  EXPECT_EQ(gen.offset(), 150001u);
  // 7 degrees of freedom (8 classes with mass): P(chi2 > 45) ~ 1e-7.
  EXPECT_LT(chi_square(s.to_vector<int64_t>(), p), 45.0);
  Generator again(3);
  std::vector<int64_t> all = s.to_vector<int64_t>();
  EXPECT_EQ(sampler.sample(1000, again).to_vector<int64_t>(),
            std::vector<int64_t>(all.begin(), all.begin() + 1000));
}

TEST(UnigramSampler, CandidatesCarryTheExpectedCounts) {
  UnigramSampler sampler({10, 20, 30, 40}, 1.0);
  Generator gen(11);
  auto c = sampler.sample_candidates(constant({{int64_t{2}}}), 3, /*unique=*/false, gen);
  std::vector<double> want;
  for (int64_t k : c.sampled.to_vector<int64_t>()) want.push_back(3 * (k + 1) / 10.0);
  EXPECT_TRUE(values_near(c.sampled_expected_count, {3}, want, 1e-6));
  EXPECT_TRUE(values_near(c.true_expected_count, {1, 1}, {0.9}, 1e-6));
  auto e = ::kiln::testing::error_of([&] { UnigramSampler({0, 0}); });
  EXPECT_NE(std::string(e.what()).find("UnigramSampler: counts has no positive entry"),
            std::string::npos);
  auto u = ::kiln::testing::error_of(
      [&] { UnigramSampler({1, 0, 1}).sample_candidates(constant({{int64_t{0}}}), 3, true, gen); });
  EXPECT_NE(std::string(u.what()).find("only 2 classes have a positive count"), std::string::npos)
      << u.what();
}

// ---------------------------------------------------------------------------
// Losses against loop references in double.

struct Problem {
  int64_t classes = 9, dim = 4, batch = 3, num_true = 2, num_sampled = 5;
  Tensor weights, biases, inputs, labels;
  SampledCandidates cands;
};

// Small random float64 inputs; candidate 2 is row 0's label 4 (an accidental hit).
Problem make_problem() {
  Problem p;
  p.weights = random_normal({p.classes, p.dim}, /*seed=*/1, 0, 0.7, f64);
  p.biases = random_normal({p.classes}, /*seed=*/2, 0, 0.5, f64);
  p.inputs = random_normal({p.batch, p.dim}, /*seed=*/3, 0, 0.8, f64);
  p.labels = constant({{int64_t{4}, int64_t{1}}, {int64_t{0}, int64_t{8}}, {int64_t{3}, int64_t{3}}});
  p.cands.sampled = constant({int64_t{6}, int64_t{2}, int64_t{4}, int64_t{7}, int64_t{0}});
  p.cands.true_expected_count = constant({{0.3f, 0.9f}, {1.2f, 0.05f}, {0.4f, 0.4f}});
  p.cands.sampled_expected_count = constant({0.2f, 0.6f, 0.3f, 0.1f, 1.2f});
  return p;
}

// Row b's logits [true..., sampled...] and which sampled columns are accidental hits.
struct RowLogits {
  std::vector<double> true_logits, sampled_logits;
  std::vector<bool> hit;
};

RowLogits row_logits(const Problem& p, int64_t b) {
  auto w = p.weights.to_vector<double>(), bias = p.biases.to_vector<double>(),
       x = p.inputs.to_vector<double>();
  auto lab = p.labels.to_vector<int64_t>(), s = p.cands.sampled.to_vector<int64_t>();
  auto tq = p.cands.true_expected_count.to_vector<double>();
  auto sq = p.cands.sampled_expected_count.to_vector<double>();
  auto logit = [&](int64_t k, double q) {
    double z = bias[size_t(k)] - std::log(q);
    for (int64_t d = 0; d < p.dim; ++d) z += x[size_t(b * p.dim + d)] * w[size_t(k * p.dim + d)];
    return z;
  };
  RowLogits r;
  for (int64_t t = 0; t < p.num_true; ++t) {
    size_t i = size_t(b * p.num_true + t);
    r.true_logits.push_back(logit(lab[i], tq[i]));
  }
  for (int64_t j = 0; j < p.num_sampled; ++j) {
    r.sampled_logits.push_back(logit(s[size_t(j)], sq[size_t(j)]));
    bool h = false;
    for (int64_t t = 0; t < p.num_true; ++t) h = h || lab[size_t(b * p.num_true + t)] == s[size_t(j)];
    r.hit.push_back(h);
  }
  return r;
}

double log_sigmoid(double v) { return v >= 0 ? -std::log1p(std::exp(-v)) : v - std::log1p(std::exp(v)); }

std::vector<double> nce_ref(const Problem& p, bool remove_hits) {
  std::vector<double> out;
  for (int64_t b = 0; b < p.batch; ++b) {
    RowLogits r = row_logits(p, b);
    double z = 1.0 / double(p.num_true), loss = 0;
    for (double x : r.true_logits) loss -= z * log_sigmoid(x) + (1 - z) * log_sigmoid(-x);
    for (size_t j = 0; j < r.sampled_logits.size(); ++j)
      if (!(remove_hits && r.hit[j])) loss -= log_sigmoid(-r.sampled_logits[j]);
    out.push_back(loss);
  }
  return out;
}

std::vector<double> sampled_softmax_ref(const Problem& p, bool remove_hits) {
  std::vector<double> out;
  for (int64_t b = 0; b < p.batch; ++b) {
    RowLogits r = row_logits(p, b);
    std::vector<double> all = r.true_logits;
    for (size_t j = 0; j < r.sampled_logits.size(); ++j)
      if (!(remove_hits && r.hit[j])) all.push_back(r.sampled_logits[j]);
    double m = -HUGE_VAL, s = 0, loss = 0;
    for (double x : all) m = std::max(m, x);
    for (double x : all) s += std::exp(x - m);
    for (double x : r.true_logits) loss -= (x - m - std::log(s)) / double(p.num_true);
    out.push_back(loss);
  }
  return out;
}

TEST(NceLoss, MatchesTheDoubleReferenceWithAndWithoutHitRemoval) {
  Problem p = make_problem();
  for (bool remove : {false, true}) {
    Tensor loss = nce_loss(p.weights, p.biases, p.labels, p.inputs, p.cands, remove);
    EXPECT_TRUE(values_near(loss, {3}, nce_ref(p, remove), 1e-12)) << "remove = " << remove;
  }
  EXPECT_GT(nce_ref(p, false)[0] - nce_ref(p, true)[0], 1e-3) << "the hit must matter";
  // float32 throughout.
  Tensor loss32 = nce_loss(cast(p.weights, f32), cast(p.biases, f32), p.labels,
                           cast(p.inputs, f32), p.cands, true);
  EXPECT_EQ(loss32.dtype(), f32);
  EXPECT_TRUE(values_near(loss32, {3}, nce_ref(p, true), 1e-5));
}

TEST(SampledSoftmaxLoss, MatchesTheDoubleReferenceAndRemovesHitsByDefault) {
  Problem p = make_problem();
  EXPECT_TRUE(values_near(sampled_softmax_loss(p.weights, p.biases, p.labels, p.inputs, p.cands),
                          {3}, sampled_softmax_ref(p, true), 1e-12));
  EXPECT_TRUE(values_near(
      sampled_softmax_loss(p.weights, p.biases, p.labels, p.inputs, p.cands, false), {3},
      sampled_softmax_ref(p, false), 1e-12));
}

std::vector<double> sgns_ref(const std::vector<double>& c, const std::vector<double>& o,
                             const std::vector<double>& n, int64_t batch, int64_t k, int64_t dim,
                             bool shared) {
  std::vector<double> out;
  for (int64_t b = 0; b < batch; ++b) {
    auto dot = [&](const std::vector<double>& v, size_t at) {
      double s = 0;
      for (int64_t d = 0; d < dim; ++d) s += c[size_t(b * dim + d)] * v[at + size_t(d)];
      return s;
    };
    double loss = -log_sigmoid(dot(o, size_t(b * dim)));
    for (int64_t j = 0; j < k; ++j)
      loss -= log_sigmoid(-dot(n, size_t(((shared ? 0 : b * k) + j) * dim)));
    out.push_back(loss);
  }
  return out;
}

TEST(NegativeSamplingLoss, MatchesTheReferenceSharedAndPerExampleAndIsStable) {
  const int64_t batch = 3, k = 4, dim = 5;
  Tensor c = random_normal({batch, dim}, 10, 0, 1, f64);
  Tensor o = random_normal({batch, dim}, 11, 0, 1, f64);
  Tensor shared = random_normal({k, dim}, 12, 0, 1, f64);
  Tensor each = random_normal({batch, k, dim}, 13, 0, 1, f64);
  EXPECT_TRUE(values_near(negative_sampling_loss(c, o, shared), {batch},
                          sgns_ref(c.to_vector<double>(), o.to_vector<double>(),
                                   shared.to_vector<double>(), batch, k, dim, true),
                          1e-12));
  EXPECT_TRUE(values_near(negative_sampling_loss(c, o, each), {batch},
                          sgns_ref(c.to_vector<double>(), o.to_vector<double>(),
                                   each.to_vector<double>(), batch, k, dim, false),
                          1e-12));
  // Logits of about +-300 in float32: e^300 overflows, the loss must not.
  Tensor big = 8.0 * cast(c, f32);
  Tensor loss = negative_sampling_loss(big, -big, big.index(0) * ones({k, dim}));
  std::vector<double> cb = big.to_vector<double>();
  std::vector<double> ob, nb;
  for (double v : cb) ob.push_back(-v);
  for (int64_t j = 0; j < k; ++j)
    for (int64_t d = 0; d < dim; ++d) nb.push_back(cb[size_t(d)]);
  EXPECT_TRUE(values_near(loss, {batch}, sgns_ref(cb, ob, nb, batch, k, dim, true), 1e-5));
  auto e = ::kiln::testing::error_of([&] { negative_sampling_loss(c, o, zeros({k, dim + 1}, f64)); });
  EXPECT_NE(std::string(e.what()).find("negative_sampling_loss: center_vectors (3, 5)"),
            std::string::npos)
      << e.what();
}

// ---------------------------------------------------------------------------
// Gradients by central differences in float64, for every differentiable input.

TEST(SampledLosses, GradientsMatchFiniteDifferences) {
  Problem p = make_problem();
  for (bool remove : {false, true}) {
    auto nce = [&](const std::vector<Tensor>& x) {
      return nce_loss(x[0], x[1], p.labels, x[2], p.cands, remove);
    };
    auto r = check_gradients(nce, {p.weights, p.biases, p.inputs});
    EXPECT_TRUE(r.ok) << r.message;
    auto softmax = [&](const std::vector<Tensor>& x) {
      return sampled_softmax_loss(x[0], x[1], p.labels, x[2], p.cands, remove);
    };
    r = check_gradients(softmax, {p.weights, p.biases, p.inputs});
    EXPECT_TRUE(r.ok) << r.message;
  }
  auto sgns = [](const std::vector<Tensor>& x) { return negative_sampling_loss(x[0], x[1], x[2]); };
  auto r = check_gradients(sgns, {random_normal({3, 4}, 20, 0, 1, f64),
                                  random_normal({3, 4}, 21, 0, 1, f64),
                                  random_normal({5, 4}, 22, 0, 1, f64)});
  EXPECT_TRUE(r.ok) << r.message;
  r = check_gradients(sgns, {random_normal({3, 4}, 23, 0, 1, f64),
                             random_normal({3, 4}, 24, 0, 1, f64),
                             random_normal({3, 2, 4}, 25, 0, 1, f64)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(NceLoss, WeightsGradientIsSparseOverTheLookedUpRowsOnly) {
  Problem p = make_problem();
  Variable w("nce/weights", cast(p.weights, f32)), b("nce/biases", cast(p.biases, f32));
  GradientTape tape;
  Tensor loss = mean(nce_loss(w, b, p.labels, cast(p.inputs, f32), p.cands));
  auto g = tape.gradient(loss, std::vector<Variable>{w, b});
  for (const Gradient& gi : g) {
    ASSERT_TRUE(gi.is_sparse());
    // Labels row by row, then the sampled classes: one slice per lookup.
    EXPECT_TRUE(values_equal(gi.slices().indices, {11}, {4, 1, 0, 8, 3, 3, 6, 2, 4, 7, 0}));
  }
  EXPECT_EQ(g[0].slices().dense_shape, (Shape{9, 4}));
  EXPECT_EQ(g[0].slices().values.shape(), (Shape{11, 4}));
  // Row 5 is never looked up: its dense gradient is exactly zero.
  std::vector<float> dense = g[0].to_dense().to_vector<float>();
  for (int64_t d = 0; d < 4; ++d) EXPECT_EQ(dense[size_t(5 * 4 + d)], 0.f);
}

TEST(NceLoss, ShapeErrorsNameTheLossAndEveryShape) {
  Problem p = make_problem();
  auto e = ::kiln::testing::error_of(
      [&] { nce_loss(p.weights, p.biases, p.labels, zeros({3, 5}, f64), p.cands); });
  EXPECT_NE(std::string(e.what()).find("nce_loss: shapes do not agree: weights (9, 4), biases (9,), "
                                       "labels (3, 2), inputs (3, 5)"),
            std::string::npos)
      << e.what();
}

}  // namespace
}  // namespace kiln::nn
