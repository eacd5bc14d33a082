// The skip-gram model's functions traced into the kiln dialect: the whole training step (for
// compiled training and --emit-mlir) and the nearest-neighbour similarities (for kiln-compile
// --emit=exe, a standalone binary that reads a trained checkpoint's embed_matrix).
#pragma once

#include <cstdint>

#include "kiln/function.h"
#include "word2vec/model.h"

namespace word2vec {

// train_step(centers i64[batch], targets i64[batch, 1], sampled i64[num_sampled],
//            true_expected_count f32[batch, 1], sampled_expected_count f32[num_sampled])
//   -> loss f32[]: sgd_step() traced, updating model's variables in place.
// The samplers stay on the host, so the negatives are inputs.
kiln::TracedModule trace_train_step(SkipGramModel& model, double learning_rate, int64_t batch,
                                    int64_t num_sampled);

// sgns_step(centers i64[batch], contexts i64[batch], negatives i64[shared_negatives],
//           learning_rate f32[]) -> loss f32[]: sgns_step() traced (the mean loss per pair),
// updating model's variables in place.
kiln::TracedModule trace_sgns_step(SgnsModel& model, int64_t batch, int64_t shared_negatives,
                                   int64_t negatives_per_pair);

// Neighbours per word in the traced neighbors function (as kiln-word2vec neighbors -k).
inline constexpr int64_t kNeighbors = 10;

// neighbors(word i64[1]) -> (neighbors i64[1, kNeighbors], similarity f32[1, kNeighbors]):
// nearest_neighbors() of one word, marked batched (any number of query words at run time);
// `word` and `neighbors` hold ids of the checkpoint's "vocabulary" metadata, so kiln-run and
// standalone executables take and print words.
kiln::TracedModule trace_neighbors(const SkipGramModel& model);
kiln::TracedModule trace_neighbors(const SgnsModel& model);

// Both, in one module (train_step first).
kiln::TracedModule trace_word2vec_functions(SkipGramModel& model, double learning_rate,
                                            int64_t batch, int64_t num_sampled);

}  // namespace word2vec
