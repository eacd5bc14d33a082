// The CS20 lecture-4 skip-gram model (word2vec_eager): an embedding matrix and NCE output
// weights, trained by plain SGD whose updates touch only the rows a batch looked up.
//
//   kiln::Generator gen(seed, 0, "word2vec/rng");
//   word2vec::SkipGramModel model(/*vocab_size=*/50000, /*dim=*/128, gen);
//   auto cands = kiln::nn::log_uniform_candidate_sampler(targets, 64, true, 50000, gen);
//   kiln::Tensor loss = word2vec::sgd_step(model, /*learning_rate=*/1.0, centers, targets, cands);
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/nn/sampled.h"
#include "kiln/ops/reduce.h"
#include "kiln/random.h"
#include "kiln/variable.h"

namespace word2vec {

// The lecture's hyperparameters.
inline constexpr int64_t kCs20VocabSize = 50000;  // UNK + the 49,999 most frequent words
inline constexpr int64_t kCs20Dim = 128;
inline constexpr int64_t kCs20Batch = 128;
inline constexpr int64_t kCs20SkipWindow = 1;
inline constexpr int64_t kCs20NumSampled = 64;
inline constexpr double kCs20LearningRate = 1.0;

class SkipGramModel {
 public:
  // embed_matrix ~ U[0, 1), then nce_weight ~ truncated normal with stddev 1/sqrt(dim), both
  // drawn from `gen` in that order (as the lecture creates them); nce_bias = 0.
  SkipGramModel(int64_t vocab_size, int64_t dim, kiln::Generator& gen);

  int64_t vocab_size() const { return vocab_size_; }
  int64_t dim() const { return dim_; }
  // embed_matrix, nce_weight, nce_bias: the checkpoint keys in every mode.
  std::vector<kiln::Variable> variables() const { return {embed_matrix, nce_weight, nce_bias}; }

  // The batch's mean NCE loss: centers i64[batch], targets i64[batch, 1].
  kiln::Tensor loss(const kiln::Tensor& centers, const kiln::Tensor& targets,
                    const kiln::nn::SampledCandidates& candidates) const;

  kiln::Variable embed_matrix;  // [vocab_size, dim]
  kiln::Variable nce_weight;    // [vocab_size, dim]
  kiln::Variable nce_bias;      // [vocab_size]

 private:
  int64_t vocab_size_, dim_;
};

// One training step: the loss under a tape, its gradients (IndexedSlices for all three
// variables, since each is read through a gather) and plain SGD on the touched rows only,
// var[indices] -= learning_rate * values (duplicates accumulate), as kiln::optim::SGD without
// momentum does. Eager, or traced when called inside kiln::function. Returns the loss.
kiln::Tensor sgd_step(SkipGramModel& model, double learning_rate, const kiln::Tensor& centers,
                      const kiln::Tensor& targets, const kiln::nn::SampledCandidates& candidates);

// The standard skip-gram negative-sampling model (word2vec.c -cbow 0 -hs 0): input vectors
// "embed_matrix" ~ U[-0.5/dim, 0.5/dim) (drawn from `gen`) and output vectors
// "context_matrix" = 0, as word2vec initializes syn0 and syn1neg.
class SgnsModel {
 public:
  SgnsModel(int64_t vocab_size, int64_t dim, kiln::Generator& gen);

  int64_t vocab_size() const { return vocab_size_; }
  int64_t dim() const { return dim_; }
  // embed_matrix, context_matrix: the checkpoint keys.
  std::vector<kiln::Variable> variables() const { return {embed_matrix, context_matrix}; }

  // The batch's summed negative-sampling loss: centers i64[B], contexts i64[B], negatives
  // i64[K] shared by the whole batch (kiln::nn::negative_sampling_loss with [K, D] rows),
  // each negative term weighted by negatives_per_pair / K, so every pair sees the weight of
  // negatives_per_pair negatives (word2vec's -negative) spread over the K shared rows.
  kiln::Tensor loss(const kiln::Tensor& centers, const kiln::Tensor& contexts,
                    const kiln::Tensor& negatives, int64_t negatives_per_pair) const;

  kiln::Variable embed_matrix;    // [vocab_size, dim]
  kiln::Variable context_matrix;  // [vocab_size, dim]

 private:
  int64_t vocab_size_, dim_;
};

// One SGNS step: the summed loss under a tape (so each pair moves its rows by the learning
// rate, as word2vec's per-pair SGD does), its IndexedSlices gradients and
// var[rows] -= learning_rate * values on the touched rows only. learning_rate is an f32
// scalar tensor (an input when traced: it decays every step). Eager, or traced inside
// kiln::function. Returns the mean loss per pair.
kiln::Tensor sgns_step(SgnsModel& model, const kiln::Tensor& learning_rate,
                       const kiln::Tensor& centers, const kiln::Tensor& contexts,
                       const kiln::Tensor& negatives, int64_t negatives_per_pair);

// Cosine similarities f32[ids.numel(), vocab_size] of the rows `ids` against every row of
// `embeddings`, each row normalized to unit length (the lecture's nearest-neighbour view).
kiln::Tensor cosine_similarities(const kiln::Tensor& embeddings, const kiln::Tensor& ids);

// The k rows nearest to each of `ids` by cosine similarity, the row itself left out (as
// `kiln-word2vec neighbors` ranks words): values f32[n, k], most similar first, and
// indices i64[n, k]. Eager, or traced into the deployable neighbors function.
kiln::TopK nearest_neighbors(const kiln::Tensor& embeddings, const kiln::Tensor& ids, int64_t k);

}  // namespace word2vec
