// The skip-gram model's variables, loss and SGD step, written once for eager and traced use.
#include "word2vec/model.h"

#include <cmath>

#include "kiln/autodiff/tape.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"

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

kiln::Tensor cosine_similarities(const kiln::Tensor& embeddings, const kiln::Tensor& ids) {
  kiln::Tensor norm = kiln::sqrt(kiln::sum(kiln::square(embeddings), {1}, /*keepdims=*/true));
  kiln::Tensor normalized = embeddings / norm;
  return kiln::matmul(kiln::gather(normalized, ids), normalized, /*transpose_a=*/false,
                      /*transpose_b=*/true);
}

}  // namespace word2vec
