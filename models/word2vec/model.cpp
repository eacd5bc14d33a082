// The skip-gram model's variables, loss and SGD step, written once for eager and traced use.
#include "word2vec/model.h"

#include <cmath>
#include <limits>

#include "kiln/autodiff/tape.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"
#include "kiln/ops/shape_ops.h"

namespace word2vec {

SkipGramModel::SkipGramModel(int64_t vocab_size, int64_t dim, kiln::Generator& gen)
    : embed_matrix("embed_matrix", kiln::random_uniform({vocab_size, dim}, gen, 0, 1)),
      nce_weight("nce_weight", kiln::truncated_normal({vocab_size, dim}, gen, 0,
                                                      1.0 / std::sqrt(static_cast<double>(dim)))),
      nce_bias("nce_bias", kiln::zeros({vocab_size})),
      vocab_size_(vocab_size),
      dim_(dim) {}

kiln::Tensor SkipGramModel::loss(const kiln::Tensor& centers, const kiln::Tensor& targets,
                                 const kiln::nn::SampledCandidates& candidates) const {
  kiln::Tensor embed = kiln::embedding_lookup(embed_matrix, centers);
  return kiln::mean(kiln::nn::nce_loss(nce_weight, nce_bias, targets, embed, candidates,
                                       /*remove_accidental_hits=*/false));
}

kiln::Tensor sgd_step(SkipGramModel& model, double learning_rate, const kiln::Tensor& centers,
                      const kiln::Tensor& targets, const kiln::nn::SampledCandidates& candidates) {
  std::vector<kiln::Variable> variables = model.variables();
  kiln::Tensor loss;
  std::vector<kiln::Gradient> grads;
  {
    // The tape must be gone before the update: a recorded snapshot of a variable alive during
    // scatter_sub would make it copy the whole [V, D] matrix instead of updating in place.
    kiln::GradientTape tape;
    loss = model.loss(centers, targets, candidates);
    grads = tape.gradient(loss, variables);
  }
  // Plain SGD on the touched rows, written out as the lecture's optimizer step (no step
  // counter variable, unlike kiln::optim::SGD, so checkpoints hold exactly the model).
  kiln::NoGradGuard no_grad;
  for (size_t i = 0; i < variables.size(); ++i) {
    const kiln::IndexedSlices& g = grads[i].slices();
    variables[i].scatter_sub(g.indices, g.values * learning_rate);
  }
  return loss;
}

SgnsModel::SgnsModel(int64_t vocab_size, int64_t dim, kiln::Generator& gen)
    : embed_matrix("embed_matrix",
                   kiln::random_uniform({vocab_size, dim}, gen, -0.5 / static_cast<double>(dim),
                                        0.5 / static_cast<double>(dim))),
      context_matrix("context_matrix", kiln::zeros({vocab_size, dim})),
      vocab_size_(vocab_size),
      dim_(dim) {}

kiln::Tensor SgnsModel::loss(const kiln::Tensor& centers, const kiln::Tensor& contexts,
                             const kiln::Tensor& negatives, int64_t negatives_per_pair) const {
  kiln::Tensor center = kiln::embedding_lookup(embed_matrix, centers);
  kiln::Tensor context = kiln::embedding_lookup(context_matrix, contexts);
  kiln::Tensor negative = kiln::embedding_lookup(context_matrix, negatives);
  kiln::Tensor per_pair = kiln::nn::negative_sampling_loss(center, context, negative);
  const int64_t shared = negatives.shape()[0];
  if (shared == negatives_per_pair) return kiln::sum(per_pair);
  // w (positive + sum_k negative_k) + (1 - w) positive = positive + w sum_k negative_k, with
  // the positive term -log sigmoid(c . o) = softplus(-c . o).
  const double w = static_cast<double>(negatives_per_pair) / static_cast<double>(shared);
  kiln::Tensor positive = kiln::softplus(-kiln::sum(center * context, {1}));
  return kiln::sum(per_pair * w + positive * (1 - w));
}

kiln::Tensor sgns_step(SgnsModel& model, const kiln::Tensor& learning_rate,
                       const kiln::Tensor& centers, const kiln::Tensor& contexts,
                       const kiln::Tensor& negatives, int64_t negatives_per_pair) {
  std::vector<kiln::Variable> variables = model.variables();
  kiln::Tensor loss;
  std::vector<kiln::Gradient> grads;
  {
    // As in sgd_step: the tape must be gone before the in-place update.
    kiln::GradientTape tape;
    loss = model.loss(centers, contexts, negatives, negatives_per_pair);
    grads = tape.gradient(loss, variables);
  }
  kiln::NoGradGuard no_grad;
  for (size_t i = 0; i < variables.size(); ++i) {
    const kiln::IndexedSlices& g = grads[i].slices();
    variables[i].scatter_sub(g.indices, g.values * learning_rate);
  }
  return loss / static_cast<double>(centers.shape()[0]);
}

kiln::Tensor cosine_similarities(const kiln::Tensor& embeddings, const kiln::Tensor& ids) {
  kiln::Tensor norm = kiln::sqrt(kiln::sum(kiln::square(embeddings), {1}, /*keepdims=*/true));
  kiln::Tensor normalized = embeddings / norm;
  return kiln::matmul(kiln::gather(normalized, ids), normalized, /*transpose_a=*/false,
                      /*transpose_b=*/true);
}

kiln::TopK nearest_neighbors(const kiln::Tensor& embeddings, const kiln::Tensor& ids, int64_t k) {
  kiln::Tensor similarities = cosine_similarities(embeddings, ids);
  const int64_t rows = embeddings.shape()[0];
  kiln::Tensor self = kiln::equal(kiln::reshape(ids, {ids.numel(), 1}),
                                  kiln::reshape(kiln::arange(rows), {1, rows}));
  kiln::Tensor others =
      kiln::where(self, kiln::scalar_like(-std::numeric_limits<double>::infinity(), similarities),
                  similarities);
  return kiln::top_k(others, k);
}

}  // namespace word2vec
