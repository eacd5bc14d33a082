// Traces the training step and the neighbour function of the skip-gram model.
#include "word2vec/export_mlir.h"

namespace word2vec {

kiln::TracedModule trace_train_step(SkipGramModel& model, double learning_rate, int64_t batch,
                                    int64_t num_sampled) {
  auto step = kiln::function(
      "train_step", [&](kiln::Tensor centers, kiln::Tensor targets, kiln::Tensor sampled,
                        kiln::Tensor true_expected, kiln::Tensor sampled_expected) {
        return sgd_step(model, learning_rate, centers, targets,
                        kiln::nn::SampledCandidates{sampled, true_expected, sampled_expected});
      });
  kiln::TracedModule module =
      step.trace({kiln::spec({batch}, kiln::i64), kiln::spec({batch, 1}, kiln::i64),
                  kiln::spec({num_sampled}, kiln::i64), kiln::spec({batch, 1}, kiln::f32),
                  kiln::spec({num_sampled}, kiln::f32)});
  module.set_input_names("train_step", {"centers", "targets", "sampled", "true_expected_count",
                                        "sampled_expected_count"});
  module.set_output_names("train_step", {"loss"});
  return module;
}

kiln::TracedModule trace_sgns_step(SgnsModel& model, int64_t batch, int64_t shared_negatives,
                                   int64_t negatives_per_pair) {
  auto step = kiln::function(
      "sgns_step", [&](kiln::Tensor centers, kiln::Tensor contexts, kiln::Tensor negatives,
                       kiln::Tensor learning_rate) {
        return sgns_step(model, learning_rate, centers, contexts, negatives, negatives_per_pair);
      });
  kiln::TracedModule module =
      step.trace({kiln::spec({batch}, kiln::i64), kiln::spec({batch}, kiln::i64),
                  kiln::spec({shared_negatives}, kiln::i64), kiln::spec({}, kiln::f32)});
  module.set_input_names("sgns_step", {"centers", "contexts", "negatives", "learning_rate"});
  module.set_output_names("sgns_step", {"loss"});
  return module;
}

namespace {
kiln::TracedModule trace_neighbors_of(const kiln::Variable& embed_matrix) {
  auto neighbors = kiln::function("neighbors", [&](kiln::Tensor word) {
    kiln::TopK nearest = nearest_neighbors(embed_matrix, word, kNeighbors);
    return std::vector<kiln::Tensor>{nearest.indices, nearest.values};
  });
  kiln::TracedModule module = neighbors.trace({kiln::spec({1}, kiln::i64)});
  module.set_batched("neighbors");
  module.set_input_names("neighbors", {"word"});
  module.set_output_names("neighbors", {"neighbors", "similarity"});
  // The checkpoint's "vocabulary" metadata (kiln::data::Vocabulary::serialize) maps words
  // to ids, so the deployed function takes and answers words.
  module.set_vocabulary("neighbors", "word", "vocabulary");
  module.set_vocabulary("neighbors", "neighbors", "vocabulary");
  return module;
}
}  // namespace

kiln::TracedModule trace_neighbors(const SkipGramModel& model) {
  return trace_neighbors_of(model.embed_matrix);
}

kiln::TracedModule trace_neighbors(const SgnsModel& model) {
  return trace_neighbors_of(model.embed_matrix);
}

kiln::TracedModule trace_word2vec_functions(SkipGramModel& model, double learning_rate,
                                            int64_t batch, int64_t num_sampled) {
  kiln::TracedModule module = trace_train_step(model, learning_rate, batch, num_sampled);
  module.merge(trace_neighbors(model));
  return module;
}

}  // namespace word2vec
