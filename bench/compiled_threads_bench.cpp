// Compiled code on threads (issue 4): large ops with CompileOptions::parallel off (/0)
// and on (/1): a 512×512 matmul and a 4M-element add, whose outer parallel loops run on
// every core through LLVM's OpenMP runtime; and the Huber train step and 100-epoch loop,
// whose ops are all below the parallel threshold and must not get slower. Wall-clock time
// (UseRealTime: CPU time counts every thread). Figures in bench/RESULTS.md, "Compiled
// code: threads".
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/CompiledModule.h"
#include "huber/export.h"
#include "huber/train.h"
#include "kiln/kiln.h"
#include "huber_bench_support.h"

namespace {

kiln::compiler::CompileOptions options(const benchmark::State& state) {
  return kiln::compiler::CompileOptions{}.set_parallel(state.range(0) != 0);
}

kiln::CompiledModule compile_fn(const std::string& name, const kiln::TraceFn& fn,
                                const std::vector<kiln::Tensor>& examples,
                                const kiln::compiler::CompileOptions& opts) {
  kiln::Signature sig;
  for (const kiln::Tensor& x : examples) sig.push_back(kiln::spec_of(x));
  return kiln::compile(kiln::trace(name, fn, sig), opts);
}

void run_binary(benchmark::State& state, const std::string& name, const kiln::TraceFn& fn,
                const std::vector<kiln::Tensor>& inputs) {
  kiln::CompiledModule m = compile_fn(name, fn, inputs, options(state));
  for (auto _ : state) {
    kiln::CallResult r = m.call(name, inputs, {});
    benchmark::DoNotOptimize(r);
  }
}

void BM_CompiledMatmul512(benchmark::State& state) {
  std::vector<kiln::Tensor> in = {kiln::random_normal({512, 512}, 1),
                                  kiln::random_normal({512, 512}, 2)};
  run_binary(
      state, "matmul",
      [](const std::vector<kiln::Tensor>& x) {
        return std::vector<kiln::Tensor>{matmul(x[0], x[1])};
      },
      in);
}
BENCHMARK(BM_CompiledMatmul512)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_CompiledAdd4M(benchmark::State& state) {
  std::vector<kiln::Tensor> in = {kiln::random_normal({2048, 2048}, 1),
                                  kiln::random_normal({2048, 2048}, 2)};
  run_binary(
      state, "add",
      [](const std::vector<kiln::Tensor>& x) { return std::vector<kiln::Tensor>{x[0] + x[1]}; },
      in);
}
BENCHMARK(BM_CompiledAdd4M)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

using kiln_bench::huber_data;

// One compiled train_step call, cycling through the data in file order.
void BM_CompiledHuberStepCall(benchmark::State& state) {
  kiln_bench::time_compiled_huber_steps(state, options(state));
}
BENCHMARK(BM_CompiledHuberStepCall)->Arg(0)->Arg(1)->UseRealTime();

// The compiled 100-epoch loop, one call.
void BM_CompiledHuberLoop(benchmark::State& state) {
  const huber::RegressionData& data = huber_data();
  huber::TrainOptions train_options;
  kiln::TracedModule traced = huber::trace_huber_functions(train_options, data.size());
  kiln::CompiledModule m = kiln::compile(traced, options(state));
  std::vector<kiln::Variable> variables = traced.variables();
  for (auto _ : state) {
    kiln::CallResult r = m.call("train", {data.x, data.y}, variables);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CompiledHuberLoop)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
