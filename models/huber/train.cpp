// The CS20 lecture-4 training loop, eagerly: for each example, a tape, the loss, its
// gradients and one SGD step.
#include "huber/train.h"

#include <chrono>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "kiln/data/dataset.h"
#include "kiln/optim/sgd.h"

namespace huber {
namespace {

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
  if (options.epochs < 1)
    throw std::invalid_argument("epochs must be at least 1, got " + std::to_string(options.epochs));
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

TrainResult train(const TrainOptions& options) {
  check_options(options);
  return train(load_data(options), options);
}

TrainResult train(const RegressionData& data, const TrainOptions& options) {
  check_options(options);
  if (data.size() == 0) throw std::invalid_argument("no examples to train on");
  HuberRegression model(options.loss, options.delta);
  std::vector<kiln::Variable> variables = model.trainable_variables();
  kiln::optim::SGD optimizer(kiln::optim::SGDOptions(options.learning_rate));
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
  if (options.log != nullptr)
    *options.log << "w = " << result.w << ", b = " << result.b << "\n"
                 << "Took: " << result.seconds << " seconds\n";
  return result;
}

}  // namespace huber
