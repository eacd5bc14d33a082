// The CS20 lecture-4 training loop, eagerly: for each example, a tape, the loss, its
// gradients and one SGD step.
#include "huber/train.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "kiln/data/dataset.h"
#include "kiln/optim/sgd.h"

namespace huber {
namespace {

// The shortest text that reads back as `v` ("0.01", not "0.010000").
std::string shortest(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

}  // namespace

void check_options(const TrainOptions& options) {
  if (!(options.learning_rate > 0) || !std::isfinite(options.learning_rate))
    throw std::invalid_argument("learning rate must be a positive number, got " +
                                std::to_string(options.learning_rate));
  if (options.epochs < (options.restore ? 0 : 1))
    throw std::invalid_argument("epochs must be at least " +
                                std::string(options.restore ? "0" : "1") + ", got " +
                                std::to_string(options.epochs));
  if (!(options.delta > 0) || !std::isfinite(options.delta))
    throw std::invalid_argument("delta must be a positive number, got " +
                                std::to_string(options.delta));
  if (options.print_every < 1)
    throw std::invalid_argument("print_every must be at least 1, got " +
                                std::to_string(options.print_every));
}

RegressionData load_data(const TrainOptions& options) {
  if (!options.data_path.empty()) return read_birth_life_data(options.data_path);
  DataLookup lookup = find_birth_life_data();
  if (lookup.path) return read_birth_life_data(*lookup.path);
  RegressionData data = synthetic_birth_life_data();
  if (options.notices != nullptr)
    *options.notices << "data folder not found (no " << kDataFileName << " in "
                     << join(lookup.searched) << "): using " << data.size()
                     << " synthetic points (seed " << kSyntheticSeed << ")\n";
  return data;
}

void save_huber_checkpoint(const std::string& path, const TrainResult& result,
                           const TrainOptions& options) {
  kiln::CheckpointOptions checkpoint;
  checkpoint.step = result.step;
  checkpoint.metadata = {{"loss", std::string(loss_kind_name(options.loss))},
                         {"delta", shortest(options.delta)},
                         {"lr", shortest(options.learning_rate)},
                         {"epochs", std::to_string(options.epochs)}};
  // The optimizer's state goes along, so that compiled functions that update it (the
  // runtime's train_step, train_epoch) can continue from this checkpoint: SGD has no slots,
  // and its step count is the number of examples seen.
  kiln::optim::SGD optimizer(kiln::optim::SGDOptions(options.learning_rate));
  kiln::Variable iterations = optimizer.iterations();
  iterations.assign(kiln::cast(kiln::constant(static_cast<double>(result.step)), kiln::i64));
  checkpoint.optimizer = &optimizer;
  kiln::save_checkpoint(path, result.variables, checkpoint);
}

void restore_huber_variables(const TrainOptions& options,
                             const std::vector<kiln::Variable>& variables) {
  if (options.restore) kiln::restore_checkpoint(*options.restore, variables);
}

void restore_huber_optimizer_step(const TrainOptions& options, kiln::Variable iterations) {
  if (options.restore && options.restore->contains(iterations.name()))
    iterations.assign(options.restore->tensor(iterations.name()));
}

TrainResult train(const TrainOptions& options) {
  check_options(options);
  return train(load_data(options), options);
}

TrainResult train(const RegressionData& data, const TrainOptions& options) {
  check_options(options);
  if (data.size() == 0) throw std::invalid_argument("no examples to train on");
  HuberRegression model(options.loss, options.delta);
  std::vector<kiln::Variable> variables = model.trainable_variables();
  restore_huber_variables(options, variables);
  kiln::optim::SGD optimizer(kiln::optim::SGDOptions(options.learning_rate));
  restore_huber_optimizer_step(options, optimizer.iterations());
  auto dataset = kiln::data::Dataset::from_tensors({data.x, data.y});
  double n = static_cast<double>(data.size());

  TrainResult result;
  auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    double total_loss = 0;
    for (const std::vector<kiln::Tensor>& example : dataset) {
      kiln::GradientTape tape;
      kiln::Tensor loss = model.loss(example[0], example[1]);
      std::vector<kiln::Gradient> grads = tape.gradient(loss, variables);
      optimizer.apply(grads, variables);
      total_loss += loss.item();
    }
    result.epoch_loss.push_back(total_loss / n);
    if (options.log != nullptr && epoch % options.print_every == 0)
      *options.log << "Epoch " << epoch << ": " << result.epoch_loss.back() << "\n";
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.w = model.w.value().item();
  result.b = model.b.value().item();
  result.data = data;
  result.step = (options.restore ? options.restore->step() : 0) +
                options.epochs * static_cast<int64_t>(data.size());
  result.variables = variables;
  if (options.log != nullptr)
    *options.log << "w = " << result.w << ", b = " << result.b << "\n"
                 << "Took: " << result.seconds << " seconds\n";
  return result;
}

}  // namespace huber
