// Candidate samplers and sampled losses (tf.random.log_uniform_candidate_sampler,
// tf.nn.nce_loss, tf.nn.sampled_softmax_loss, word2vec's negative sampling).
//
// The samplers run on the host over the Generator's Philox uniforms, and refuse to run
// inside a trace: a training step receives the sampled ids as inputs, so eager and
// compiled steps with one seed see the same negatives. The losses are composed from primitives (gather, matmul, elementwise,
// reductions), so the tape differentiates them, the gradient with respect to the class
// weights is sparse (IndexedSlices of the gathered rows only), and they trace into the
// kiln dialect like any other code.
//
//   auto cands = kiln::nn::log_uniform_candidate_sampler(labels, /*num_sampled=*/64,
//                                                        /*unique=*/true, /*range_max=*/50000, gen);
//   Tensor loss = kiln::mean(kiln::nn::nce_loss(nce_w, nce_b, labels, embed, cands));
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/random.h"
#include "kiln/tensor.h"

namespace kiln::nn {

// What a candidate sampler returns (tf.random.*_candidate_sampler's three outputs).
struct SampledCandidates {
  Tensor sampled;                 // i64[num_sampled]
  Tensor true_expected_count;     // f32[batch, num_true]: expected occurrences in `sampled`
  Tensor sampled_expected_count;  // f32[num_sampled]
};

// How the samplers consume the Generator: draw j uses the float64 uniform that
// random_uniform({n}, gen, 0, 1, f64) would put at element j (two Philox lanes per
// uniform, so draws 2b and 2b+1 share block offset + b), and the generator advances by
// ceil(draws / 2) blocks, where draws is the number of uniforms used: num_sampled (or
// n) without `unique`, and num_tries, the total number of draws it took to see
// num_sampled distinct classes, with it.

// TensorFlow's log-uniform (Zipfian) sampler over [0, range_max):
//   P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1),
// drawing k = floor(exp(u log(range_max + 1))) - 1, clamped to [0, range_max).
// Without `unique` the classes are drawn with replacement and the expected count of a
// class is num_sampled P(k); with it, draws repeat until num_sampled distinct classes
// have been seen (in first-seen order) and the count is -expm1(num_tries log1p(-P(k))).
// true_classes: i64 (or i32) [batch, num_true], each in [0, range_max).
SampledCandidates log_uniform_candidate_sampler(const Tensor& true_classes, int64_t num_sampled,
                                                bool unique, int64_t range_max, Generator& gen,
                                                const Loc& loc = Loc::current());

// Classes drawn with probability proportional to counts[k]^power (word2vec's negatives
// use unigram counts and power 0.75; tf.random.fixed_unigram_candidate_sampler). Walker's
// alias method: O(vocabulary) to build, O(1) per draw, one uniform per draw.
class UnigramSampler {
 public:
  // counts: one non-negative count per class, at least one positive.
  explicit UnigramSampler(const std::vector<int64_t>& counts, double power = 0.75,
                          const Loc& loc = Loc::current());

  int64_t range_max() const { return static_cast<int64_t>(prob_.size()); }
  // P(k) = counts[k]^power / sum_j counts[j]^power.
  double probability(int64_t k) const { return prob_[static_cast<size_t>(k)]; }

  // n classes with replacement: i64[n].
  Tensor sample(int64_t n, Generator& gen, const Loc& loc = Loc::current()) const;
  // The candidate-sampler form (same `unique` semantics and expected counts as
  // log_uniform_candidate_sampler), for nce_loss / sampled_softmax_loss.
  SampledCandidates sample_candidates(const Tensor& true_classes, int64_t num_sampled,
                                      bool unique, Generator& gen,
                                      const Loc& loc = Loc::current()) const;

 private:
  int64_t draw(double u) const;

  std::vector<double> prob_;   // P(k)
  std::vector<double> accept_; // alias table: keep column k with probability accept_[k]
  std::vector<int64_t> alias_; // ... else take alias_[k]
};

// tf.nn.nce_loss, one loss per example: f[batch].
//   weights [num_classes, dim], biases [num_classes], labels int [batch, num_true],
//   inputs [batch, dim], candidates from a sampler (its expected counts are constants).
// logits = [inputs . w_true + b_true - log(true_expected_count),
//           inputs . w_sampled^T + b_sampled - log(sampled_expected_count)],
// labels 1/num_true for the true columns and 0 for the sampled ones, sigmoid
// cross-entropy summed over the row. remove_accidental_hits pushes a sampled logit whose
// class equals one of the row's labels to -FLT_MAX (so it contributes nothing).
Tensor nce_loss(const Tensor& weights, const Tensor& biases, const Tensor& labels,
                const Tensor& inputs, const SampledCandidates& candidates,
                bool remove_accidental_hits = false, const Loc& loc = Loc::current());

// tf.nn.sampled_softmax_loss: the same logits, softmax cross-entropy over the row.
Tensor sampled_softmax_loss(const Tensor& weights, const Tensor& biases, const Tensor& labels,
                            const Tensor& inputs, const SampledCandidates& candidates,
                            bool remove_accidental_hits = true,
                            const Loc& loc = Loc::current());

// word2vec's skip-gram negative-sampling objective, one loss per example: f[B],
//   -log sigmoid(c . o) - sum_k log sigmoid(-c . n_k),
// center c [B, D], context o [B, D], negatives [K, D] (shared by the batch: one GEMM)
// or [B, K, D] (per example). Stable for any logits.
Tensor negative_sampling_loss(const Tensor& center_vectors, const Tensor& context_vectors,
                              const Tensor& negative_vectors, const Loc& loc = Loc::current());

}  // namespace kiln::nn
