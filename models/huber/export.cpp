// Traces predict, train_step, one epoch and the whole training loop of the Huber regression.
#include "huber/export.h"

#include <algorithm>
#include <stdexcept>

#include "kiln/optim/sgd.h"

namespace huber {

kiln::TracedModule trace_huber_functions(const TrainOptions& options, int64_t n,
                                         const std::vector<std::string>& functions) {
  for (const std::string& name : functions)
    if (std::find(kHuberFunctions.begin(), kHuberFunctions.end(), name) == kHuberFunctions.end())
      throw std::invalid_argument("no Huber function named '" + name + "'");
  auto wanted = [&](const char* name) {
    return std::find(functions.begin(), functions.end(), name) != functions.end();
  };

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
  // Values leave a loop only through variables: the epoch's losses are summed into one.
  kiln::Variable loss_sum("huber/epoch_loss_sum", kiln::zeros({}, kiln::f64),
                          /*trainable=*/false);
  auto train_epoch = kiln::function("train_epoch", [&](kiln::Tensor x, kiln::Tensor y) {
    loss_sum.assign(kiln::zeros({}, kiln::f64));
    kiln::fori_loop(0, n, [&](const kiln::Tensor& i) {
      kiln::Tensor loss = sgd_step(kiln::gather(x, i), kiln::gather(y, i));
      loss_sum.assign_add(kiln::cast(loss, kiln::f64));
    });
    return loss_sum.value() / static_cast<double>(n);
  });

  kiln::TracedModule module;
  bool first = true;
  auto add = [&](kiln::TracedModule traced) {
    if (first)
      module = std::move(traced);
    else
      module.merge(traced);
    first = false;
  };
  // predict is per example: traced for one row and row-mapped by the runtime, so that it
  // takes any number of birth rates.
  if (wanted("predict")) {
    add(predict.trace({kiln::spec({1})}));
    module.set_batched("predict");
    module.set_input_names("predict", {"x"});
    module.set_output_names("predict", {"y"});
  }
  if (wanted("train_step")) add(train_step.trace({scalar, scalar}));
  if (wanted("train")) add(train_loop.trace({batch, batch}));
  if (wanted("train_epoch")) add(train_epoch.trace({batch, batch}));
  for (const char* fn : {"train_step", "train", "train_epoch"})
    if (wanted(fn)) {
      module.set_input_names(fn, {"x", "y"});
      module.set_output_names(fn, {"loss"});
    }
  return module;
}

}  // namespace huber
