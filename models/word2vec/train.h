// Training the CS20 skip-gram model (model.h) eagerly or compiled, with checkpoints that a
// later run resumes from bit-identically, the lecture's "Average loss at step N" report,
// progress output and TensorBoard scalars.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "kiln/data/vocabulary.h"
#include "kiln/variable.h"

namespace word2vec {

enum class Mode { kEager, kCompiled };

// kCs20: the lecture's model (model.h SkipGramModel). kSgns: word2vec's skip-gram negative
// sampling (SgnsModel), on `threads` threads (Hogwild): vocabulary min count `min_count`,
// dynamic window `skip_window`, subsampling `sample`, `shared_negatives` unigram^0.75 rows per
// batch shared by its pairs and weighted as `num_sampled` negatives per pair, learning rate
// decaying linearly from `learning_rate` to learning_rate * 1e-4. sgns_options() gives its
// settings.
enum class Recipe { kCs20, kSgns };

struct TrainOptions {
  std::string corpus;  // a whitespace-separated text file (text8's format)
  Mode mode = Mode::kEager;
  Recipe recipe = Recipe::kCs20;
  // Train until the global step reaches `steps` (a resumed run continues from its checkpoint's
  // step); when 0, `epochs` passes over the corpus' skip-gram pairs decide it instead.
  int64_t steps = 0;
  int64_t epochs = 0;
  uint64_t seed = 0;
  // The model has one row per vocabulary word (UNK included); 0: every word (sgns).
  int64_t max_vocab_size = 50000;
  int64_t min_count = 0;  // words seen fewer times are not in the vocabulary (sgns: 5)
  double sample = 0;      // sgns' subsampling threshold (1e-4)
  // sgns: negative rows drawn per batch, shared by all its pairs; each pair weighs them as
  // num_sampled negatives (num_sampled / shared_negatives each).
  int64_t shared_negatives = 0;
  // sgns: threads updating the shared variables without locks (Hogwild, as word2vec.c), each
  // with its own shard of the corpus, negative-sampler stream, learning-rate schedule over its
  // share of the run and (compiled) compiled instance. 1: reproducible and resumable; more:
  // neither (the interleaving of updates decides the result; resume is refused).
  int64_t threads = 1;
  // Compiled mode: f32 exp/log1p as libm calls instead of vectorizable polynomials
  // (CompileOptions::exact_math).
  bool exact_math = false;
  int64_t dim = 128;
  int64_t batch = 128;
  int64_t skip_window = 1;
  int64_t num_sampled = 64;
  double learning_rate = 1.0;
  // "Average loss at step N" is the mean step loss over each `report_every` steps.
  int64_t report_every = 5000;
  std::string checkpoint_dir;    // empty: no checkpoints
  int64_t checkpoint_every = 0;  // 0: only at the end (when checkpoint_dir is set)
  bool resume = false;           // continue from checkpoint_dir's latest checkpoint
  std::string logdir;            // empty: no TensorBoard scalars
  // After training, write train_step and neighbors (export_mlir.h) here as MLIR (.mlirbc:
  // bytecode); empty: none.
  std::string emit_mlir;
  std::ostream* log = nullptr;  // the lecture's report lines and notices; null: quiet
  bool progress_bar = false;    // redraw one status line on `log` (a terminal) as it runs
};

struct TrainResult {
  std::map<int64_t, double> average_loss;  // by the last step index of each report window
  std::vector<double> step_losses;         // every step this run took, in order
  int64_t first_step = 0;                  // the global step this run started at
  int64_t last_step = 0;                   // the global step it reached
  double seconds = 0;                      // the training loop alone
  double compile_seconds = 0;              // tracing and compiling (compiled mode)
  double words_per_second = 0;             // center words consumed per second
  std::vector<kiln::Variable> variables;   // embed_matrix, nce_weight, nce_bias (sgns:
                                           // embed_matrix, context_matrix)
  std::vector<double> learning_rates;      // sgns: the rate of every step this run took
  kiln::data::Vocabulary vocabulary;
  std::vector<std::string> checkpoints;  // the files written, in order

  double ms_per_step() const {
    return step_losses.empty() ? 0 : 1e3 * seconds / static_cast<double>(step_losses.size());
  }
};

// The sgns recipe's settings: no vocabulary cap, min count 5, dimension 128, batch 256 pairs,
// window 5 (dynamic), subsampling 1e-4, 5 negatives per pair as 64 rows shared per batch
// (5 shared rows diverge: docs/word2vec.md), learning rate 0.025.
TrainOptions sgns_options();

// Trains as `options` says. Throws kiln::data::DataError for an unreadable corpus or
// vocabulary, kiln::Error for a checkpoint that does not fit, and std::invalid_argument
// for options out of range.
TrainResult train(const TrainOptions& options);

// Throws std::invalid_argument naming the first option out of range.
void check_options(const TrainOptions& options);

// The checkpoint DIR/checkpoint names (TensorFlow's "model_checkpoint_path" line); throws
// kiln::data::DataError when there is none.
std::string latest_checkpoint(const std::string& dir);

}  // namespace word2vec
