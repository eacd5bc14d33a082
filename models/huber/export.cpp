// Traces predict, train_step and the whole training loop of the Huber regression.
#include "huber/export.h"

#include "kiln/optim/sgd.h"

namespace huber {

kiln::TracedModule trace_huber_functions(const TrainOptions& options, int64_t n) {
  HuberRegression model(options.loss, options.delta);
  std::vector<kiln::Variable> variables = model.trainable_variables();
  kiln::optim::SGD optimizer(kiln::optim::SGDOptions(options.learning_rate));
  const kiln::TensorSpec scalar = kiln::spec({}), batch = kiln::spec({n});

  // One per-example step, exactly as train() runs it eagerly.
  auto sgd_step = [&](const kiln::Tensor& x, const kiln::Tensor& y) {
    kiln::GradientTape tape;
    kiln::Tensor loss = model.loss(x, y);
    optimizer.apply(tape.gradient(loss, variables), variables);
    return loss;
  };

  auto predict = kiln::function("predict", [&](kiln::Tensor x) { return model.predict(x); });
  auto train_step = kiln::function("train_step", sgd_step);
  auto train_loop = kiln::function("train", [&](kiln::Tensor x, kiln::Tensor y) {
    kiln::fori_loop(0, options.epochs * n, [&](const kiln::Tensor& k) {
      kiln::Tensor i = k - (k / static_cast<double>(n)) * static_cast<double>(n);  // k mod n
      sgd_step(kiln::gather(x, i), kiln::gather(y, i));
    });
    return kiln::mean(model.loss(x, y));
  });

  kiln::TracedModule module = predict.trace({batch});
  module.merge(train_step.trace({scalar, scalar}));
  module.merge(train_loop.trace({batch, batch}));
  return module;
}

}  // namespace huber
