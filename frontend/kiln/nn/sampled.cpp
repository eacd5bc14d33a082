// Candidate samplers (host code over Philox uniforms) and sampled losses (compositions
// of primitives, so gradients, sparsity and tracing come from the primitives' rules).
#include "kiln/nn/sampled.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <string>
#include <unordered_set>

#include "kiln/ops/indexing.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/losses.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"
#include "kiln/ops/shape_ops.h"
#include "kiln/tracing.h"

namespace kiln::nn {
namespace {

// The float64 uniforms of random_uniform(f64) (random.cpp's layout: element j is lanes
// (2 (j % 2), 2 (j % 2) + 1) of block offset + j / 2, 53 bits), computed in bulk ahead of
// use; finish() advances the generator by the blocks actually used, so a sampler that
// stops early (unique sampling) consumes exactly what it drew.
class UniformStream {
 public:
  UniformStream(Generator& gen, int64_t expected_draws)
      : gen_(gen), seed_(gen.seed()), next_block_(gen.offset()),
        chunk_blocks_(std::max<int64_t>((expected_draws + 1) / 2, 1)) {}

  double next() {
    if (pos_ == buf_.size()) refill();
    ++used_;
    return buf_[pos_++];
  }
  uint64_t used() const { return used_; }
  void finish() { gen_.take((used_ + 1) / 2); }

 private:
  void refill() {
    buf_.resize(static_cast<size_t>(2 * chunk_blocks_));
    const std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed_),
                                         static_cast<uint32_t>(seed_ >> 32)};
    for (int64_t b = 0; b < chunk_blocks_; ++b, ++next_block_) {
      auto r = philox4x32({static_cast<uint32_t>(next_block_),
                           static_cast<uint32_t>(next_block_ >> 32), 0, 0},
                          key);
      for (int j = 0; j < 2; ++j) {
        uint64_t v = (static_cast<uint64_t>(r[2 * j + 1]) << 32 | r[2 * j]) >> 11;
        buf_[static_cast<size_t>(2 * b + j)] = static_cast<double>(v) * 0x1p-53;
      }
    }
    pos_ = 0;
    chunk_blocks_ = std::min<int64_t>(2 * chunk_blocks_, 1 << 16);  // unique: grow geometrically
  }

  Generator& gen_;
  uint64_t seed_, next_block_;
  int64_t chunk_blocks_;
  std::vector<double> buf_;
  size_t pos_ = 0;
  uint64_t used_ = 0;
};

// TensorFlow's RangeSampler::SampleBatchGetExpectedCountAvoid for any distribution:
// `draw` maps a uniform to a class, `prob` gives P(k).
template <class Draw, class Prob>
SampledCandidates sample_candidates_with(const char* op, const Tensor& true_classes,
                                         int64_t num_sampled, bool unique, int64_t range_max,
                                         Generator& gen, Draw draw, Prob prob) {
  // Inside a trace the draws would be baked into the function as constants (the same
  // negatives on every compiled call), so the sampler refuses to run there at all.
  if (detail::active_trace_sink() != nullptr || true_classes.is_symbolic())
    detail::fail(op, "the sampler runs on the host, not in a trace: sample outside the traced "
                     "function and pass the candidates in as inputs");
  if (!true_classes.defined()) detail::fail(op, "true_classes is an undefined tensor");
  if (true_classes.dtype() != i64 && true_classes.dtype() != i32)
    detail::fail(op, std::string("true_classes must be int32 or int64, got ") +
                         std::string(dtype_name(true_classes.dtype())));
  if (true_classes.rank() != 2)
    detail::fail(op, "true_classes must be [batch, num_true], got shape " +
                         true_classes.shape().str());
  if (num_sampled < 1) detail::fail(op, "num_sampled must be >= 1, got " + std::to_string(num_sampled));
  if (unique && num_sampled > range_max)
    detail::fail(op, "unique sampling of num_sampled = " + std::to_string(num_sampled) +
                         " classes needs range_max >= num_sampled, got " +
                         std::to_string(range_max));
  std::vector<int64_t> truth = true_classes.to_vector<int64_t>();
  for (size_t i = 0; i < truth.size(); ++i)
    if (truth[i] < 0 || truth[i] >= range_max)
      detail::fail(op, "true_classes[" + std::to_string(i / static_cast<size_t>(true_classes.dim(1))) +
                           ", " + std::to_string(i % static_cast<size_t>(true_classes.dim(1))) +
                           "] = " + std::to_string(truth[i]) + " is not in [0, " +
                           std::to_string(range_max) + ")");

  UniformStream uniforms(gen, num_sampled);
  std::vector<int64_t> sampled(static_cast<size_t>(num_sampled));
  if (unique) {
    std::unordered_set<int64_t> seen;
    seen.reserve(static_cast<size_t>(2 * num_sampled));
    for (size_t picked = 0; picked < sampled.size();) {
      int64_t k = draw(uniforms.next());
      if (seen.insert(k).second) sampled[picked++] = k;
    }
  } else {
    for (auto& k : sampled) k = draw(uniforms.next());
  }
  uniforms.finish();

  // TensorFlow's ExpectedCountHelper, shortcut included: with as many tries as samples
  // (always so without `unique`) the count is num_sampled P(k), else the probability that
  // num_tries draws hit k at least once, 1 - (1 - P(k))^num_tries, written stably.
  const auto tries = static_cast<double>(uniforms.used());
  auto expected = [&](int64_t k) {
    double p = prob(k);
    double c = uniforms.used() == static_cast<uint64_t>(num_sampled)
                   ? p * static_cast<double>(num_sampled)
                   : -std::expm1(tries * std::log1p(-p));
    return static_cast<float>(c);
  };
  std::vector<float> true_count(truth.size()), sampled_count(sampled.size());
  for (size_t i = 0; i < truth.size(); ++i) true_count[i] = expected(truth[i]);
  for (size_t i = 0; i < sampled.size(); ++i) sampled_count[i] = expected(sampled[i]);
  return {constant(sampled, Shape{num_sampled}), constant(true_count, true_classes.shape()),
          constant(sampled_count, Shape{num_sampled})};
}

void check_rank(const char* op, const char* what, const Tensor& t, int rank, const char* dims) {
  if (!t.defined()) detail::fail(op, std::string(what) + " is an undefined tensor");
  if (t.rank() != rank)
    detail::fail(op, std::string(what) + " must be " + dims + ", got shape " + t.shape().str());
}

// TensorFlow's _compute_sampled_logits: logits [batch, num_true + num_sampled] with the
// log expected-count correction, and the matching labels (1/num_true, then zeros).
struct SampledLogits {
  Tensor logits, labels;
};

SampledLogits compute_sampled_logits(const char* op, const Tensor& weights, const Tensor& biases,
                                     const Tensor& labels, const Tensor& inputs,
                                     const SampledCandidates& candidates,
                                     bool remove_accidental_hits) {
  check_rank(op, "weights", weights, 2, "[num_classes, dim]");
  check_rank(op, "biases", biases, 1, "[num_classes]");
  check_rank(op, "labels", labels, 2, "[batch, num_true]");
  check_rank(op, "inputs", inputs, 2, "[batch, dim]");
  check_rank(op, "candidates.sampled", candidates.sampled, 1, "[num_sampled]");
  check_rank(op, "candidates.true_expected_count", candidates.true_expected_count, 2,
             "[batch, num_true]");
  check_rank(op, "candidates.sampled_expected_count", candidates.sampled_expected_count, 1,
             "[num_sampled]");
  const int64_t batch = inputs.dim(0), dim = inputs.dim(1), num_true = labels.dim(1),
                num_sampled = candidates.sampled.dim(0);
  if (biases.dim(0) != weights.dim(0) || weights.dim(1) != dim || labels.dim(0) != batch ||
      !(candidates.true_expected_count.shape() == labels.shape()) ||
      candidates.sampled_expected_count.dim(0) != num_sampled)
    detail::fail(op, "shapes do not agree: weights " + weights.shape().str() + ", biases " +
                         biases.shape().str() + ", labels " + labels.shape().str() +
                         ", inputs " + inputs.shape().str() + ", sampled " +
                         candidates.sampled.shape().str() + ", true_expected_count " +
                         candidates.true_expected_count.shape().str() +
                         ", sampled_expected_count " +
                         candidates.sampled_expected_count.shape().str());
  const DType dt = weights.dtype();
  const Tensor label_ids = labels.dtype() == i64 ? labels : cast(labels, i64);
  const Tensor sampled_ids =
      candidates.sampled.dtype() == i64 ? candidates.sampled : cast(candidates.sampled, i64);

  // One lookup of every row the step touches, so that the weights' gradient is a single
  // IndexedSlices of batch * num_true + num_sampled rows (as TensorFlow does it).
  Tensor all_ids = concat({reshape(label_ids, Shape{batch * num_true}), sampled_ids}, 0);
  Tensor all_w = embedding_lookup(weights, all_ids);
  Tensor all_b = embedding_lookup(biases, all_ids);
  Tensor true_w = reshape(slice(all_w, {0, 0}, {batch * num_true, dim}), Shape{batch, num_true, dim});
  Tensor true_b = reshape(slice(all_b, {0}, {batch * num_true}), Shape{batch, num_true});
  Tensor sampled_w = slice(all_w, {batch * num_true, 0}, {num_sampled, dim});
  Tensor sampled_b = slice(all_b, {batch * num_true}, {num_sampled});

  // Subtracting log Q(k) turns the sampled problem into an estimate of the full one.
  Tensor true_logits = sum(expand_dims(inputs, 1) * true_w, {2}) + true_b -
                       log(cast(candidates.true_expected_count, dt));
  Tensor sampled_logits = matmul(inputs, sampled_w, /*transpose_a=*/false, /*transpose_b=*/true) +
                          sampled_b - log(cast(candidates.sampled_expected_count, dt));
  if (remove_accidental_hits) {
    // A sampled class that is one of the row's labels would be pushed down as a negative:
    // add -FLT_MAX to its logit (TensorFlow's compute_accidental_hits), which zeroes its
    // loss and its gradient.
    Tensor hits = equal(reshape(label_ids, Shape{batch, num_true, 1}),
                        reshape(sampled_ids, Shape{1, 1, num_sampled}));
    Tensor hit = max(cast(hits, dt), {1});
    sampled_logits = sampled_logits + hit * -static_cast<double>(FLT_MAX);
  }
  Tensor out_labels =
      concat({fill(Shape{batch, num_true}, 1.0 / static_cast<double>(num_true), dt),
              zeros(Shape{batch, num_sampled}, dt)},
             1);
  return {concat({true_logits, sampled_logits}, 1), out_labels};
}

}  // namespace

SampledCandidates log_uniform_candidate_sampler(const Tensor& true_classes, int64_t num_sampled,
                                                bool unique, int64_t range_max, Generator& gen,
                                                const Loc& loc) {
  const char* op = "log_uniform_candidate_sampler";
  detail::ApiScope scope(op, loc);
  if (range_max < 1) detail::fail(op, "range_max must be >= 1, got " + std::to_string(range_max));
  const double log_range = std::log1p(static_cast<double>(range_max));
  auto draw = [&](double u) {
    auto k = static_cast<int64_t>(std::floor(std::exp(u * log_range))) - 1;
    return std::clamp<int64_t>(k, 0, range_max - 1);
  };
  auto prob = [&](int64_t k) { return std::log1p(1.0 / static_cast<double>(k + 1)) / log_range; };
  return sample_candidates_with(op, true_classes, num_sampled, unique, range_max, gen, draw, prob);
}

UnigramSampler::UnigramSampler(const std::vector<int64_t>& counts, double power, const Loc& loc) {
  const char* op = "UnigramSampler";
  detail::ApiScope scope(op, loc);
  if (counts.empty()) detail::fail(op, "counts is empty");
  if (!std::isfinite(power)) detail::fail(op, "power must be finite, got " + std::to_string(power));
  prob_.resize(counts.size());
  double total = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] < 0)
      detail::fail(op, "counts[" + std::to_string(k) + "] = " + std::to_string(counts[k]) +
                           " is negative");
    prob_[k] = counts[k] == 0 ? 0.0 : std::pow(static_cast<double>(counts[k]), power);
    total += prob_[k];
  }
  if (!(total > 0)) detail::fail(op, "counts has no positive entry");
  for (double& p : prob_) p /= total;

  // Vose's alias table: column k keeps k with probability accept_[k] and otherwise gives
  // alias_[k]; every column carries 1/n of the mass.
  const size_t n = prob_.size();
  accept_.assign(n, 1.0);
  alias_.resize(n);
  std::vector<double> scaled(n);
  std::vector<size_t> small, large;
  for (size_t k = 0; k < n; ++k) {
    alias_[k] = static_cast<int64_t>(k);
    scaled[k] = prob_[k] * static_cast<double>(n);
    (scaled[k] < 1.0 ? small : large).push_back(k);
  }
  while (!small.empty() && !large.empty()) {
    size_t s = small.back(), l = large.back();
    small.pop_back();
    accept_[s] = scaled[s];
    alias_[s] = static_cast<int64_t>(l);
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left is 1 up to rounding: such columns keep their own class (accept_ = 1).
}

int64_t UnigramSampler::draw(double u) const {
  // One uniform serves both choices: its integer part picks the column, the fraction
  // the coin (2^53 / n states are plenty for any vocabulary).
  const double x = u * static_cast<double>(prob_.size());
  const size_t col = std::min(static_cast<size_t>(x), prob_.size() - 1);
  return x - static_cast<double>(col) < accept_[col] ? static_cast<int64_t>(col) : alias_[col];
}

Tensor UnigramSampler::sample(int64_t n, Generator& gen, const Loc& loc) const {
  detail::ApiScope scope("UnigramSampler::sample", loc);
  if (n < 0) detail::fail("UnigramSampler::sample", "n must be >= 0, got " + std::to_string(n));
  UniformStream uniforms(gen, n);
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (auto& k : out) k = draw(uniforms.next());
  uniforms.finish();
  return constant(out, Shape{n});
}

SampledCandidates UnigramSampler::sample_candidates(const Tensor& true_classes,
                                                    int64_t num_sampled, bool unique,
                                                    Generator& gen, const Loc& loc) const {
  const char* op = "UnigramSampler::sample_candidates";
  detail::ApiScope scope(op, loc);
  if (unique) {
    // Unique sampling must be able to finish: it needs num_sampled classes of positive mass.
    auto positive = std::count_if(prob_.begin(), prob_.end(), [](double p) { return p > 0; });
    if (num_sampled > positive)
      detail::fail(op, "unique sampling of num_sampled = " + std::to_string(num_sampled) +
                           " classes, but only " + std::to_string(positive) +
                           " classes have a positive count");
  }
  return sample_candidates_with(
      op, true_classes, num_sampled, unique, range_max(), gen, [this](double u) { return draw(u); },
      [this](int64_t k) { return probability(k); });
}

Tensor nce_loss(const Tensor& weights, const Tensor& biases, const Tensor& labels,
                const Tensor& inputs, const SampledCandidates& candidates,
                bool remove_accidental_hits, const Loc& loc) {
  detail::ApiScope scope("nce_loss", loc);
  auto [logits, targets] = compute_sampled_logits("nce_loss", weights, biases, labels, inputs,
                                                  candidates, remove_accidental_hits);
  return sum(sigmoid_cross_entropy_with_logits(targets, logits), {1});
}

Tensor sampled_softmax_loss(const Tensor& weights, const Tensor& biases, const Tensor& labels,
                            const Tensor& inputs, const SampledCandidates& candidates,
                            bool remove_accidental_hits, const Loc& loc) {
  detail::ApiScope scope("sampled_softmax_loss", loc);
  auto [logits, targets] = compute_sampled_logits("sampled_softmax_loss", weights, biases, labels,
                                                  inputs, candidates, remove_accidental_hits);
  return softmax_cross_entropy_with_logits(targets, logits);
}

Tensor negative_sampling_loss(const Tensor& center_vectors, const Tensor& context_vectors,
                              const Tensor& negative_vectors, const Loc& loc) {
  const char* op = "negative_sampling_loss";
  detail::ApiScope scope(op, loc);
  check_rank(op, "center_vectors", center_vectors, 2, "[batch, dim]");
  check_rank(op, "context_vectors", context_vectors, 2, "[batch, dim]");
  if (!negative_vectors.defined()) detail::fail(op, "negative_vectors is an undefined tensor");
  const int64_t batch = center_vectors.dim(0), dim = center_vectors.dim(1);
  const bool shared = negative_vectors.rank() == 2;
  const bool ok = context_vectors.shape() == center_vectors.shape() &&
                  (shared ? negative_vectors.dim(1) == dim
                          : negative_vectors.rank() == 3 && negative_vectors.dim(0) == batch &&
                                negative_vectors.dim(2) == dim);
  if (!ok)
    detail::fail(op, "center_vectors " + center_vectors.shape().str() + " and context_vectors " +
                         context_vectors.shape().str() +
                         " must be [batch, dim] and negative_vectors [num_negative, dim] or "
                         "[batch, num_negative, dim], got " +
                         negative_vectors.shape().str());
  Tensor positive = sum(center_vectors * context_vectors, {1});  // [B]
  // Shared negatives are one [B, D] x [D, K] product; per-example ones a batched one.
  Tensor negative =
      shared ? matmul(center_vectors, negative_vectors, false, /*transpose_b=*/true)
             : squeeze(matmul(expand_dims(center_vectors, 1), negative_vectors, false,
                              /*transpose_b=*/true),
                       {1});  // [B, K]
  // -log sigmoid(x) = softplus(-x), whose kernel is stable for any x.
  return softplus(-positive) + sum(softplus(negative), {1});
}

}  // namespace kiln::nn
