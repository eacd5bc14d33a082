// Per-op cost of Kiln's eager front end: the small-op overhead (scalar add, with and
// without a recording tape), two medium kernels (matmul, gather) and one step of the
// CS20 Huber regression. bench/peers/torch_eager_ops.py times the same work in PyTorch.
// CPU time is the whole process's (MeasureProcessCPUTime), as Python's process_time is,
// so that it counts the kernel thread pool's workers too.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace {

void BM_ScalarAdd(benchmark::State& state) {
  kiln::Tensor a = kiln::constant(1.5f);
  kiln::Tensor b = kiln::constant(2.25f);
  for (auto _ : state) {
    kiln::Tensor c = a + b;
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_ScalarAdd)->MeasureProcessCPUTime();

// The same add while a tape records it: `a` is a snapshot of a watched variable, so
// every add appends one tape entry. A tape that lived for millions of iterations would
// grow without bound, so it is replaced every kOpsPerTape adds; the amortized cost of
// building and freeing the tape is part of the figure (PyTorch frees its graph nodes
// per op, which its figure includes too).
void BM_ScalarAddWithTape(benchmark::State& state) {
  constexpr int64_t kOpsPerTape = 1024;
  kiln::Variable w("bench/w", kiln::constant(1.5f));
  kiln::Tensor b = kiln::constant(2.25f);
  auto tape = std::make_unique<kiln::GradientTape>();
  kiln::Tensor a = w.value();
  int64_t n = 0;
  for (auto _ : state) {
    kiln::Tensor c = a + b;
    benchmark::DoNotOptimize(c);
    if (++n % kOpsPerTape == 0) {
      tape.reset();
      tape = std::make_unique<kiln::GradientTape>();
      a = w.value();
    }
  }
}
BENCHMARK(BM_ScalarAddWithTape)->MeasureProcessCPUTime();

void BM_Matmul128(benchmark::State& state) {
  kiln::Tensor a = kiln::random_uniform({128, 128}, /*seed=*/1);
  kiln::Tensor b = kiln::random_uniform({128, 128}, /*seed=*/2);
  for (auto _ : state) {
    kiln::Tensor c = kiln::matmul(a, b);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations() * 2 * 128 * 128 * 128);  // flops
}
BENCHMARK(BM_Matmul128)->MeasureProcessCPUTime();

void BM_Gather128of50000(benchmark::State& state) {
  kiln::Tensor params = kiln::random_uniform({50000, 128}, /*seed=*/3);
  std::mt19937_64 rng(/*seed=*/4);
  std::uniform_int_distribution<int64_t> row(0, 49999);
  std::vector<int64_t> ids(128);
  for (int64_t& id : ids) id = row(rng);
  kiln::Tensor indices = kiln::constant(ids);
  for (auto _ : state) {
    kiln::Tensor rows = kiln::gather(params, indices);
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(state.iterations() * 128 * 128 * sizeof(float));
}
BENCHMARK(BM_Gather128of50000)->MeasureProcessCPUTime();

// ---------------------------------------------------------------------------
// One per-sample SGD step of the CS20 Huber regression, cycling through the real data
// in file order, so the step is exactly one of the 19,000 steps of the full run.

struct Samples {
  std::vector<kiln::Tensor> x, y;
};

// birth_life_2010.txt: a header row, then `country \t birth rate \t life expectancy`.
// KILN_DATA_DIR overrides the shared data folder beside the checkout.
bool load_birth_life(Samples* out, std::string* error) {
  const char* env = std::getenv("KILN_DATA_DIR");
  std::string path = std::string(env ? env : KILN_SHARED_DATA_DIR) + "/birth_life_2010.txt";
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path + " (set KILN_DATA_DIR to the folder holding it)";
    return false;
  }
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string country, birth, life;
    if (!std::getline(fields, country, '\t') || !std::getline(fields, birth, '\t') ||
        !std::getline(fields, life))
      continue;
    out->x.push_back(kiln::constant(std::stof(birth)));
    out->y.push_back(kiln::constant(std::stof(life)));
  }
  if (out->x.empty()) *error = path + " holds no samples";
  return !out->x.empty();
}

// One step: the loss of one sample under a tape, its gradient, and the SGD update.
// Not inlined, so that a profiler can single out the step from the benchmark's setup
// (valgrind --toggle-collect='*huber_step*').
[[gnu::noinline]] void huber_step(const kiln::Tensor& x, const kiln::Tensor& y, kiln::Variable& w,
                                  kiln::Variable& b, double learning_rate) {
  std::vector<kiln::Gradient> g;
  {
    kiln::GradientTape tape;
    kiln::Tensor t = y - (x * w + b);
    kiln::Tensor abs_t = kiln::abs(t);
    // CS20's huber_loss with m = 1: t^2 if |t| <= m else m (2|t| - m).
    kiln::Tensor loss = kiln::where(abs_t <= 1.0, kiln::square(t), 2.0 * abs_t - 1.0);
    g = tape.gradient(loss, {w, b});
  }
  w.assign_sub(learning_rate * g[0]);
  b.assign_sub(learning_rate * g[1]);
}

void BM_HuberStep(benchmark::State& state) {
  Samples data;
  std::string error;
  if (!load_birth_life(&data, &error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  kiln::Variable w("huber/w", kiln::constant(0.0f));
  kiln::Variable b("huber/b", kiln::constant(0.0f));
  size_t i = 0;
  for (auto _ : state) {
    huber_step(data.x[i], data.y[i], w, b, /*learning_rate=*/0.01);
    i = (i + 1) % data.x.size();
  }
  benchmark::DoNotOptimize(w.storage().item<float>());
}
BENCHMARK(BM_HuberStep)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
