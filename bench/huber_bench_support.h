// What the compiled benchmarks share about the CS20 Huber model: its data, and the loop
// that times one compiled train_step call at a time.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "compiler/CompiledModule.h"
#include "huber/export.h"
#include "huber/train.h"

namespace kiln_bench {

// The CS20 defaults, on the shared data (KILN_DATA_DIR, else ../shared/data; 190 synthetic
// points of the same shape when neither has it).
inline const huber::RegressionData& huber_data() {
  static const huber::RegressionData data = huber::load_data(huber::TrainOptions{});
  return data;
}

// One compiled train_step call per iteration (loss, gradient, SGD update of w and b in
// place), cycling through the data in file order as the eager BM_HuberStep does.
inline void time_compiled_huber_steps(benchmark::State& state,
                                      const kiln::compiler::CompileOptions& options) {
  const huber::RegressionData& data = huber_data();
  kiln::TracedModule traced =
      huber::trace_huber_functions(huber::TrainOptions{}, data.size(), {"train_step"});
  kiln::CompiledModule m = kiln::compile(traced, options);
  std::vector<kiln::Variable> variables = traced.variables();
  std::vector<kiln::Tensor> xs, ys;
  for (int64_t i = 0; i < data.size(); ++i) xs.push_back(data.x[i]), ys.push_back(data.y[i]);
  size_t i = 0;
  for (auto _ : state) {
    kiln::CallResult r = m.call("train_step", {xs[i], ys[i]}, variables);
    benchmark::DoNotOptimize(r);
    i = (i + 1) % xs.size();
  }
}

}  // namespace kiln_bench
