// The runtime's load and call costs (issue 5): opening a 2 × 50000×128 f32 checkpoint
// (51 MB) with every checksum verified, the same restored into eager kiln::Variables, and
// loading and calling the compiled Huber artifact. bench/run_runtime_bench.sh runs it
// beside bench/peers/checkpoint_load.py (NumPy and PyTorch loading the same two arrays).
//
// The Huber artifact is built by the script (kiln-huber --emit-mlir, kiln-compile) and
// passed in KILN_BENCH_HUBER_ARTIFACT, so this program needs no compiler; without it the
// module benchmarks are skipped with a message.
#include <benchmark/benchmark.h>
#include <stdlib.h>  // mkdtemp

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kiln/checkpoint.h"
#include "kiln/kiln.h"
#include "kiln/runtime.h"

namespace {

constexpr int64_t kRows = 50000;
constexpr int64_t kCols = 128;
constexpr int64_t kTensorBytes = kRows * kCols * static_cast<int64_t>(sizeof(float));
constexpr int kTensorCount = 2;
// The names of the two tensors, as an embedding table and its Adam slot would be saved.
const char* const kTensorNames[kTensorCount] = {"embedding/table", "embedding/table/adam_m"};

// Throws the status's message (and frees it); a benchmark cannot continue past a failure.
void check(kiln_status status, const char* what) {
  if (status == nullptr) return;
  std::string message = std::string(what) + ": " + kiln_status_message(status);
  kiln_status_free(status);
  throw std::runtime_error(message);
}

// A scratch folder holding the 51 MB checkpoint, written once by the runtime's writer with
// random contents (checksums of zeros would be no cheaper, but random data rules out any
// shortcut) and removed at exit.
class CheckpointFixture {
 public:
  CheckpointFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kiln-runtime-bench-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    path_ = (std::filesystem::path(dir_) / "embedding.kckpt").string();
    std::mt19937 rng(/*seed=*/5);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> data(static_cast<size_t>(kRows * kCols));
    kiln_checkpoint_writer* writer = nullptr;
    check(kiln_checkpoint_writer_create(&writer), "kiln_checkpoint_writer_create");
    for (const char* name : kTensorNames) {
      for (float& v : data) v = uniform(rng);
      kiln_tensor_view view = {KILN_F32, 2, {kRows, kCols}, data.data()};
      check(kiln_checkpoint_writer_add(writer, name, KILN_KIND_VARIABLE, &view),
            "kiln_checkpoint_writer_add");
    }
    kiln_status saved = kiln_checkpoint_writer_save(writer, path_.c_str());
    kiln_checkpoint_writer_free(writer);
    check(saved, "kiln_checkpoint_writer_save");
  }
  ~CheckpointFixture() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  CheckpointFixture(const CheckpointFixture&) = delete;
  CheckpointFixture& operator=(const CheckpointFixture&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

const CheckpointFixture& checkpoint_fixture() {
  static const CheckpointFixture fixture;
  return fixture;
}

// Opens and closes the checkpoint: map, FlatBuffers verifier, offsets and overlaps, and the
// checksum of every tensor byte. The file is opened once before timing, so the page cache is
// warm (the case the "ready to run in under 10 ms" describes); bytes_per_second is
// the checksum throughput over the 51 MB.
void BM_CheckpointOpenVerify(benchmark::State& state) {
  const std::string& path = checkpoint_fixture().path();
  kiln_checkpoint* warm = nullptr;
  check(kiln_checkpoint_open(path.c_str(), &warm), "kiln_checkpoint_open");
  kiln_checkpoint_close(warm);
  for (auto _ : state) {
    kiln_checkpoint* checkpoint = nullptr;
    check(kiln_checkpoint_open(path.c_str(), &checkpoint), "kiln_checkpoint_open");
    benchmark::DoNotOptimize(checkpoint);
    kiln_checkpoint_close(checkpoint);
  }
  state.SetBytesProcessed(state.iterations() * kTensorCount * kTensorBytes);
}
BENCHMARK(BM_CheckpointOpenVerify)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// The same open, then restoring both tensors into eager variables (one copy of each into
// the variable's storage): the checkpoint "ready to run" from the front end.
void BM_CheckpointRestoreVariables(benchmark::State& state) {
  const std::string& path = checkpoint_fixture().path();
  std::vector<kiln::Variable> variables;
  for (const char* name : kTensorNames) variables.emplace_back(name, kiln::zeros({kRows, kCols}));
  kiln::restore_checkpoint(path, variables);
  for (auto _ : state) {
    kiln::restore_checkpoint(kiln::load_checkpoint(path), variables);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kTensorCount * kTensorBytes);
}
BENCHMARK(BM_CheckpointRestoreVariables)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// The compiled Huber artifact the script built, or "" after skipping the benchmark.
std::string huber_artifact(benchmark::State& state) {
  const char* path = std::getenv("KILN_BENCH_HUBER_ARTIFACT");
  if (path == nullptr || *path == '\0') {
    state.SkipWithError(
        "KILN_BENCH_HUBER_ARTIFACT is not set (bench/run_runtime_bench.sh sets it)");
    return "";
  }
  return path;
}

// kiln_module_load and free: read the artifact, verify it (FlatBuffers verifier,
// signatures, code checksum, target), copy its shared object into a memfd and dlopen it.
void BM_HuberModuleLoad(benchmark::State& state) {
  const std::string path = huber_artifact(state);
  if (path.empty()) return;
  for (auto _ : state) {
    kiln_module* module = nullptr;
    check(kiln_module_load(path.c_str(), &module), "kiln_module_load");
    benchmark::DoNotOptimize(module);
    kiln_module_free(module);
  }
}
BENCHMARK(BM_HuberModuleLoad)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

// One kiln_instance_call of the batched predict (y = w·x + b) on `rows` rows, its result
// freed: the per-call overhead of the C API (argument checks against the signature, the call
// into compiled code, the result's allocation).
void time_huber_predict(benchmark::State& state, int64_t rows) {
  const std::string path = huber_artifact(state);
  if (path.empty()) return;
  kiln_module* module = nullptr;
  check(kiln_module_load(path.c_str(), &module), "kiln_module_load");
  kiln_instance* instance = nullptr;
  check(kiln_instance_create(module, &instance), "kiln_instance_create");
  std::vector<float> x(static_cast<size_t>(rows), 1.8f);
  kiln_tensor_view input = {KILN_F32, 1, {rows}, x.data()};
  for (auto _ : state) {
    kiln_result* result = nullptr;
    check(kiln_instance_call(instance, "predict", &input, 1, &result), "kiln_instance_call");
    benchmark::DoNotOptimize(result);
    kiln_result_free(result);
  }
  kiln_instance_free(instance);
  kiln_module_free(module);
}

// One row, and the whole birth_life_2010.txt data set (190 countries) in one call.
void BM_HuberPredict1Row(benchmark::State& state) { time_huber_predict(state, 1); }
BENCHMARK(BM_HuberPredict1Row)->MeasureProcessCPUTime();
void BM_HuberPredict190Rows(benchmark::State& state) { time_huber_predict(state, 190); }
BENCHMARK(BM_HuberPredict190Rows)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
