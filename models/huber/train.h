// Eager training of the CS20 Huber regression: per-example SGD over the data in file order,
// exactly the lecture's loop (w = b = 0, lr 0.01, 100 epochs, float32) unless told otherwise.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "huber/birth_life_data.h"
#include "huber/huber_model.h"
#include "kiln/checkpoint.h"

namespace huber {

struct TrainOptions {
  // The data file; empty: find_birth_life_data(), or synthetic data if it finds nothing.
  std::string data_path;
  LossKind loss = LossKind::kCs20Huber;
  double delta = 1.0;  // m of cs20-huber, delta of huber; unused by squared
  double learning_rate = 0.01;
  int64_t epochs = 100;             // 0 only with `restore`: evaluate the restored model
  int64_t print_every = 10;         // log "Epoch k: <mean loss>" when k % print_every == 0
  std::ostream* log = nullptr;      // progress and the final w, b; null: quiet
  std::ostream* notices = nullptr;  // where the use of synthetic data is announced; null: quiet
  // Start from this checkpoint's huber/w and huber/b (and its step) instead of w = b = 0.
  std::optional<kiln::CheckpointFile> restore;
};

struct TrainResult {
  double w = 0, b = 0;
  std::vector<double> epoch_loss;  // the mean per-example loss of each epoch, while it ran
  double seconds = 0;              // wall time of the training loop alone
  double compile_seconds = 0;      // compiled training: tracing and compiling, before the loop
  RegressionData data;             // what was trained on
  int64_t step = 0;                // examples seen: the restored step + epochs * examples
  std::vector<kiln::Variable> variables;  // the trained huber/w and huber/b, for checkpoints
};

// Saves result.variables and the SGD optimizer's step count ("SGD/iter" = result.step) to
// `path` with result.step and, as metadata, the loss, delta, learning rate and epochs of
// `options`. Throws kiln::Error (naming the path) on failure.
void save_huber_checkpoint(const std::string& path, const TrainResult& result,
                           const TrainOptions& options);

// Sets `variables` (huber/w, huber/b) from options.restore, if any; throws kiln::Error that
// lists every missing or mismatched name.
void restore_huber_variables(const TrainOptions& options,
                             const std::vector<kiln::Variable>& variables);
// Sets the optimizer's step count `iterations` ("SGD/iter") from options.restore when the
// checkpoint has it (checkpoints saved by save_huber_checkpoint do).
void restore_huber_optimizer_step(const TrainOptions& options, kiln::Variable iterations);

// Loads the data as TrainOptions says, then trains. Throws kiln::data::DataError for a missing
// or malformed data file and std::invalid_argument for options out of range.
TrainResult train(const TrainOptions& options);

// Trains on data already loaded (options.data_path is ignored).
TrainResult train(const RegressionData& data, const TrainOptions& options);

// Throws std::invalid_argument for options out of range.
void check_options(const TrainOptions& options);

// The data TrainOptions asks for: options.data_path, else the shared folder, else synthetic
// (announced on options.notices).
RegressionData load_data(const TrainOptions& options);

}  // namespace huber
