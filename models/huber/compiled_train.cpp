// The Huber regression trained by compiled code: train_epoch (export.h) compiled once and
// called once per epoch.
#include "huber/compiled_train.h"

#include <chrono>
#include <ostream>
#include <stdexcept>

#include "compiler/CompiledModule.h"
#include "huber/export.h"

namespace huber {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const kiln::Variable& find_variable(const std::vector<kiln::Variable>& variables,
                                    const std::string& name) {
  for (const kiln::Variable& v : variables)
    if (v.name() == name) return v;
  throw std::logic_error("the traced Huber module has no variable " + name);
}

}  // namespace

TrainResult train_compiled(const RegressionData& data, const TrainOptions& options,
                           const CompiledTrainOptions& compiled_options) {
  check_options(options);
  if (data.size() == 0) throw std::invalid_argument("no examples to train on");
  const int64_t n = static_cast<int64_t>(data.size());

  TrainResult result;
  auto start = std::chrono::steady_clock::now();
  kiln::TracedModule traced = trace_huber_functions(options, n, {"train_epoch"});
  kiln::compiler::CompileOptions compile_options;
  compile_options.set_dump_ir_dir(compiled_options.dump_ir_dir);
  kiln::CompiledModule module = kiln::compile(traced, compile_options);
  result.compile_seconds = seconds_since(start);
  if (options.log != nullptr)
    *options.log << "Compiled train_epoch in " << result.compile_seconds << " seconds\n";

  // The traced module holds the variables (w = b = 0 at first, unless restored); calls update
  // them in place.
  const std::vector<kiln::Variable> variables = traced.variables();
  const std::vector<kiln::Variable> model_variables = {find_variable(variables, "huber/w"),
                                                       find_variable(variables, "huber/b")};
  restore_huber_variables(options, model_variables);
  restore_huber_optimizer_step(options, find_variable(variables, "SGD/iter"));
  start = std::chrono::steady_clock::now();
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    kiln::CallResult r = module.call("train_epoch", {data.x, data.y}, variables);
    result.epoch_loss.push_back(r.outputs.at(0).item());
    if (options.log != nullptr && epoch % options.print_every == 0)
      *options.log << "Epoch " << epoch << ": " << result.epoch_loss.back() << "\n";
  }
  result.seconds = seconds_since(start);
  result.w = find_variable(variables, "huber/w").value().item();
  result.b = find_variable(variables, "huber/b").value().item();
  result.data = data;
  result.step = (options.restore ? options.restore->step() : 0) + options.epochs * n;
  result.variables = model_variables;
  if (options.log != nullptr)
    *options.log << "w = " << result.w << ", b = " << result.b << "\n"
                 << "Took: " << result.seconds << " seconds\n";
  return result;
}

}  // namespace huber
