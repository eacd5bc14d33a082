// Compiled code (issue 4): how long the CPU pipeline takes to compile the Huber train step
// and the 100-epoch loop, and compiled against eager kernels for a 128×128 matmul, a
// 128-row gather and one Huber step. Compiled figures include the cost of a
// CompiledModule::call (argument marshalling, the run-time status check), as a user pays it.
// bench/run_compiled_bench.sh runs this beside the whole Huber runs and prints the table in
// bench/RESULTS.md. CPU time is the whole process's (MeasureProcessCPUTime).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compiler/CompiledModule.h"
#include "huber/export.h"
#include "huber/train.h"
#include "kiln/kiln.h"
#include "huber_bench_support.h"

namespace {

using kiln_bench::huber_data;

// Tracing is left out: the figure is kiln::compile of an already traced module.
void compile_huber(benchmark::State& state, const std::string& function) {
  huber::TrainOptions options;  // 100 epochs
  kiln::TracedModule traced =
      huber::trace_huber_functions(options, huber_data().size(), {function});
  for (auto _ : state) {
    kiln::CompiledModule m = kiln::compile(traced);
    benchmark::DoNotOptimize(m);
  }
}

void BM_CompileHuberStep(benchmark::State& state) { compile_huber(state, "train_step"); }
BENCHMARK(BM_CompileHuberStep)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_CompileHuberLoop(benchmark::State& state) { compile_huber(state, "train"); }
BENCHMARK(BM_CompileHuberLoop)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

// Tracing the loop, for comparison with compiling it.
void BM_TraceHuberLoop(benchmark::State& state) {
  huber::TrainOptions options;
  for (auto _ : state) {
    kiln::TracedModule traced =
        huber::trace_huber_functions(options, huber_data().size(), {"train"});
    benchmark::DoNotOptimize(traced);
  }
}
BENCHMARK(BM_TraceHuberLoop)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

// Compiles fn for the examples' shapes; false (the benchmark skipped with the compiler's
// message) when that fails, so that one op the compiler rejects does not end the run.
bool compile_fn(benchmark::State& state, kiln::CompiledModule* out, const std::string& name,
                const kiln::TraceFn& fn, const std::vector<kiln::Tensor>& examples) {
  kiln::Signature sig;
  for (const kiln::Tensor& x : examples) sig.push_back(kiln::spec_of(x));
  try {
    *out = kiln::compile(kiln::trace(name, fn, sig));
    return true;
  } catch (const kiln::Error& e) {
    state.SkipWithError(("compile failed: " + e.detail().substr(0, 200)).c_str());
    return false;
  }
}

void BM_EagerMatmul128(benchmark::State& state) {
  kiln::Tensor a = kiln::random_uniform({128, 128}, /*seed=*/1);
  kiln::Tensor b = kiln::random_uniform({128, 128}, /*seed=*/2);
  for (auto _ : state) {
    kiln::Tensor c = kiln::matmul(a, b);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * 2 * 128 * 128 * 128);  // flops
}
BENCHMARK(BM_EagerMatmul128)->MeasureProcessCPUTime();

void BM_CompiledMatmul128(benchmark::State& state) {
  kiln::Tensor a = kiln::random_uniform({128, 128}, /*seed=*/1);
  kiln::Tensor b = kiln::random_uniform({128, 128}, /*seed=*/2);
  kiln::CompiledModule m;
  auto fn = [](const std::vector<kiln::Tensor>& x) {
    return std::vector<kiln::Tensor>{kiln::matmul(x[0], x[1])};
  };
  if (!compile_fn(state, &m, "matmul", fn, {a, b})) return;
  for (auto _ : state) {
    kiln::CallResult r = m.call("matmul", {a, b}, {});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 2 * 128 * 128 * 128);
}
BENCHMARK(BM_CompiledMatmul128)->MeasureProcessCPUTime();

struct GatherInputs {
  kiln::Tensor params, indices;
};

GatherInputs gather_inputs() {
  GatherInputs in;
  in.params = kiln::random_uniform({50000, 128}, /*seed=*/3);
  std::mt19937_64 rng(/*seed=*/4);
  std::uniform_int_distribution<int64_t> row(0, 49999);
  std::vector<int64_t> ids(128);
  for (int64_t& id : ids) id = row(rng);
  in.indices = kiln::constant(ids);
  return in;
}

void BM_EagerGather128of50000(benchmark::State& state) {
  GatherInputs in = gather_inputs();
  for (auto _ : state) {
    kiln::Tensor rows = kiln::gather(in.params, in.indices);
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(state.iterations() * 128 * 128 * sizeof(float));
}
BENCHMARK(BM_EagerGather128of50000)->MeasureProcessCPUTime();

void BM_CompiledGather128of50000(benchmark::State& state) {
  GatherInputs in = gather_inputs();
  kiln::CompiledModule m;
  auto fn = [](const std::vector<kiln::Tensor>& x) {
    return std::vector<kiln::Tensor>{kiln::gather(x[0], x[1])};
  };
  if (!compile_fn(state, &m, "gather", fn, {in.params, in.indices})) return;
  for (auto _ : state) {
    kiln::CallResult r = m.call("gather", {in.params, in.indices}, {});
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * 128 * 128 * sizeof(float));
}
BENCHMARK(BM_CompiledGather128of50000)->MeasureProcessCPUTime();

// One compiled train_step call (loss, gradient, SGD update of w and b in place), cycling
// through the data in file order as the eager BM_HuberStep does.
void BM_CompiledHuberStepCall(benchmark::State& state) {
  kiln_bench::time_compiled_huber_steps(state, kiln::compiler::CompileOptions{});
}
BENCHMARK(BM_CompiledHuberStepCall)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
