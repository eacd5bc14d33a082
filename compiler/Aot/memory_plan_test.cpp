// Memory planning and fusion end to end on the word2vec training step (a small vocabulary):
// the arena against the sum of temporaries and the peak of live bytes, no dense V x D
// buffer, zero heap allocations per call through the runtime, the same steps with every
// optimization switched on or off, and the explain report. Plus the offset assignment alone.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "compiler/Aot/Aot.h"
#include "compiler/Aot/Package.h"
#include "compiler/Aot/allocation_counter.h"
#include "compiler/Transforms/PlanMemory.h"
#include "kiln/kiln.h"
#include "kiln/runtime.h"
#include "word2vec/export_mlir.h"

namespace {

namespace fs = std::filesystem;
using kiln::compiler::AotModule;
using kiln::compiler::AotOptions;

constexpr int64_t kVocab = 2000, kDim = 32, kBatch = 16, kSampled = 8;

int64_t round64(int64_t n) { return (n + 63) / 64 * 64; }

// Checks an assignment: alignment, no overlap between buffers live at the same time, and
// the arena covers every buffer. Returns the peak of live (rounded) bytes.
int64_t check_assignment(const std::vector<int64_t>& bytes,
                         const std::vector<std::pair<int64_t, int64_t>>& ranges,
                         const std::vector<int64_t>& offsets, int64_t arena) {
  std::map<int64_t, int64_t> delta;
  for (size_t i = 0; i < bytes.size(); ++i) {
    EXPECT_EQ(offsets[i] % 64, 0);
    EXPECT_LE(offsets[i] + round64(bytes[i]), arena);
    delta[ranges[i].first] += round64(bytes[i]);
    delta[ranges[i].second + 1] -= round64(bytes[i]);
    for (size_t j = 0; j < i; ++j) {
      bool live_together =
          ranges[i].first <= ranges[j].second && ranges[j].first <= ranges[i].second;
      bool apart = offsets[i] + round64(bytes[i]) <= offsets[j] ||
                   offsets[j] + round64(bytes[j]) <= offsets[i];
      EXPECT_TRUE(!live_together || apart) << "buffers " << i << " and " << j << " overlap";
    }
  }
  int64_t live = 0, peak = 0;
  for (const auto& [step, d] : delta) peak = std::max(peak, live += d);
  return peak;
}

TEST(AssignOffsets, SmallCasesAreExact) {
  int64_t arena = 0;
  // Three buffers one after another share one slot as large as the largest.
  auto offsets =
      kiln::compiler::assign_offsets({100, 200, 300}, {{0, 1}, {2, 3}, {4, 5}}, 64, arena);
  EXPECT_EQ(arena, 320);
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 0, 0}));
  // Live together: side by side.
  offsets = kiln::compiler::assign_offsets({100, 200}, {{0, 3}, {1, 2}}, 64, arena);
  EXPECT_EQ(arena, 128 + 256);
  check_assignment({100, 200}, {{0, 3}, {1, 2}}, offsets, arena);
}

TEST(AssignOffsets, RandomPlansAreValidAndNearThePeak) {
  std::mt19937 rng(7);
  double worst = 1;
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 40);
    std::vector<int64_t> bytes;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (int i = 0; i < n; ++i) {
      bytes.push_back(1 + static_cast<int64_t>(rng() % 5000));
      int64_t first = rng() % 60, length = rng() % 12;
      ranges.emplace_back(first, first + length);
    }
    int64_t arena = 0;
    auto offsets = kiln::compiler::assign_offsets(bytes, ranges, 64, arena);
    int64_t peak = check_assignment(bytes, ranges, offsets, arena);
    EXPECT_GE(arena, peak);
    worst = std::max(worst, static_cast<double>(arena) / static_cast<double>(peak));
  }
  // Greedy by size is not optimal on adversarial interval graphs, but stays close on these.
  EXPECT_LT(worst, 1.6);
}

// The traced CS20 training step of a small model.
const std::string& word2vec_step_mlir() {
  static const std::string text = [] {
    kiln::Generator gen(/*seed=*/3);
    word2vec::SkipGramModel model(kVocab, kDim, gen);
    return word2vec::trace_train_step(model, /*learning_rate=*/1.0, kBatch, kSampled)
        .mlir(/*with_locations=*/true);
  }();
  return text;
}

AotModule compile_step(bool fusion, bool memory_plan, bool explain = false) {
  AotOptions options;
  options.fusion = fusion;
  options.memory_plan = memory_plan;
  options.explain = explain;
  return kiln::compiler::compile_source(word2vec_step_mlir(), "w2v_step.mlir", options);
}

const kiln::compiler::AotFunction& function(const AotModule& m, const std::string& name) {
  for (const auto& f : m.functions)
    if (f.name == name) return f;
  throw std::runtime_error("no function " + name);
}

void ok(kiln_status s) {
  if (!s) return;
  std::string message = kiln_status_message(s);
  kiln_status_free(s);
  FAIL() << message;
}

// The step loaded by the runtime, with deterministic variables and inputs.
class LoadedStep {
 public:
  explicit LoadedStep(const AotModule& m) {
    std::string pattern = (fs::temp_directory_path() / "kiln-plan-test-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::vector<uint8_t> code =
        kiln::compiler::link_shared_object(m, kiln::compiler::default_toolchain());
    std::vector<uint8_t> bytes = kiln::compiler::build_artifact(m, code, "memory_plan_test");
    std::string path = dir_ + "/step.kiln";
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    ok(kiln_module_load(path.c_str(), &module_));
    ok(kiln_instance_create(module_, &instance_));
    for (const char* name : {"embed_matrix", "nce_weight", "nce_bias"}) {
      kiln_tensor_view v{};
      ok(kiln_instance_variable(instance_, name, &v));
      int64_t n = 1;
      for (int i = 0; i < v.rank; ++i) n *= v.shape[i];
      auto* data = static_cast<float*>(v.data);
      for (int64_t i = 0; i < n; ++i) data[i] = static_cast<float>(std::sin(0.37 * i + name[0]));
    }
    for (int64_t i = 0; i < kBatch; ++i) {
      centers_.push_back((i * 131) % kVocab);
      targets_.push_back((i * 17 + 5) % kVocab);
      true_expected_.push_back(0.01f * static_cast<float>(i + 1));
    }
    for (int64_t i = 0; i < kSampled; ++i) {
      sampled_.push_back(i * 3);  // duplicates with targets are fine: no removal
      sampled_expected_.push_back(0.2f);
    }
    inputs_[0] = view(KILN_I64, centers_.data(), {kBatch});
    inputs_[1] = view(KILN_I64, targets_.data(), {kBatch, 1});
    inputs_[2] = view(KILN_I64, sampled_.data(), {kSampled});
    inputs_[3] = view(KILN_F32, true_expected_.data(), {kBatch, 1});
    inputs_[4] = view(KILN_F32, sampled_expected_.data(), {kSampled});
    output_ = view(KILN_F32, &loss_, {});
  }
  ~LoadedStep() {
    kiln_instance_free(instance_);
    kiln_module_free(module_);
    fs::remove_all(dir_);
  }

  // One train_step through kiln_instance_call_into; returns the loss. (The views are made
  // once, so that the test itself allocates nothing here.)
  float step() {
    kiln_status s = kiln_instance_call_into(instance_, "train_step", inputs_, 5, &output_, 1);
    if (s) {
      ADD_FAILURE() << kiln_status_message(s);
      kiln_status_free(s);
    }
    return loss_;
  }

  std::vector<float> variable(const char* name) {
    kiln_tensor_view v{};
    ok(kiln_instance_variable(instance_, name, &v));
    int64_t n = 1;
    for (int i = 0; i < v.rank; ++i) n *= v.shape[i];
    const auto* data = static_cast<const float*>(v.data);
    return std::vector<float>(data, data + n);
  }

 private:
  static kiln_tensor_view view(kiln_dtype dtype, void* data, std::vector<int64_t> shape) {
    kiln_tensor_view v{};
    v.dtype = dtype;
    v.rank = static_cast<int32_t>(shape.size());
    for (size_t i = 0; i < shape.size(); ++i) v.shape[i] = shape[i];
    v.data = data;
    return v;
  }

  std::string dir_;
  kiln_module* module_ = nullptr;
  kiln_instance* instance_ = nullptr;
  std::vector<int64_t> centers_, targets_, sampled_;
  std::vector<float> true_expected_, sampled_expected_;
  kiln_tensor_view inputs_[5] = {}, output_ = {};
  float loss_ = 0;
};

TEST(MemoryPlan, Word2vecStepArenaIsNearThePeakAndHoldsNoDenseGradient) {
  AotModule m = compile_step(/*fusion=*/true, /*memory_plan=*/true);
  const auto& plan = function(m, "train_step").memory;
  EXPECT_TRUE(plan.heap.empty()) << plan.heap.front();
  EXPECT_GT(plan.arena_bytes, 0);
  EXPECT_GE(plan.arena_bytes, plan.peak_live_bytes);
  EXPECT_LE(static_cast<double>(plan.arena_bytes),
            1.10 * static_cast<double>(plan.peak_live_bytes));
  EXPECT_LT(plan.arena_bytes, plan.sum_temporaries_bytes);
  // Sparse updates: no temporary is as large as a V x D matrix (or even one of V rows).
  for (const auto& b : plan.buffers) EXPECT_LT(b.bytes, kVocab * 4) << b.shape;
  // Without the plan there is no arena and the temporaries stay on the heap.
  AotModule unplanned = compile_step(/*fusion=*/true, /*memory_plan=*/false);
  EXPECT_EQ(function(unplanned, "train_step").memory.arena_bytes, 0);
}

TEST(MemoryPlan, CompiledStepAllocatesNothingPerCall) {
  LoadedStep planned(compile_step(true, true));
  planned.step();  // warm-up
  kiln::testing::start_counting_allocations();
  for (int i = 0; i < 20; ++i) planned.step();
  EXPECT_EQ(kiln::testing::stop_counting_allocations(), 0);

  // The counter sees the compiled code's allocations: without the plan, every call allocates.
  // (Both modules are loaded at once: each must run its own code.)
  LoadedStep unplanned(compile_step(true, false));
  unplanned.step();
  kiln::testing::start_counting_allocations();
  for (int i = 0; i < 20; ++i) unplanned.step();
  EXPECT_GE(kiln::testing::stop_counting_allocations(), 20);
}

TEST(MemoryPlan, EveryOptimizationCombinationTakesTheSameSteps) {
  std::vector<float> losses_reference, embed_reference, weight_reference, bias_reference;
  for (bool fusion : {false, true})
    for (bool memory_plan : {false, true}) {
      LoadedStep step(compile_step(fusion, memory_plan));
      std::vector<float> losses;
      for (int i = 0; i < 5; ++i) losses.push_back(step.step());
      SCOPED_TRACE(std::string("fusion ") + (fusion ? "on" : "off") + ", memory plan " +
                   (memory_plan ? "on" : "off"));
      if (losses_reference.empty()) {
        losses_reference = losses;
        embed_reference = step.variable("embed_matrix");
        weight_reference = step.variable("nce_weight");
        bias_reference = step.variable("nce_bias");
        EXPECT_NE(losses.front(), losses.back());  // the steps do train
        continue;
      }
      EXPECT_EQ(losses, losses_reference);
      EXPECT_EQ(step.variable("embed_matrix"), embed_reference);
      EXPECT_EQ(step.variable("nce_weight"), weight_reference);
      EXPECT_EQ(step.variable("nce_bias"), bias_reference);
    }
}

TEST(Explain, ReportsKernelsFusionDecisionsAndThePlan) {
  AotModule m = compile_step(true, true, /*explain=*/true);
  nlohmann::json report = nlohmann::json::parse(kiln::compiler::report_json(m.report));
  const nlohmann::json* step = nullptr;
  for (const auto& f : report["functions"])
    if (f["name"] == "train_step") step = &f;
  ASSERT_NE(step, nullptr);
  const auto& kernels = (*step)["kernels"];
  ASSERT_FALSE(kernels.empty());
  EXPECT_LT(kernels.size(), (*step)["kernel_count_unfused"].get<size_t>());
  EXPECT_LT((*step)["bytes_moved"].get<double>(), (*step)["bytes_moved_unfused"].get<double>());
  // Each kernel names the user's ops; some kernels hold several (fused) ones from model.cpp.
  size_t fused_kernels = 0, with_lines = 0;
  for (const auto& k : kernels) {
    if (k["ops"].size() > 1) ++fused_kernels;
    for (const auto& o : k["ops"])
      if (o["file"] == "model.cpp" && o["line"].get<int>() > 0) ++with_lines;
  }
  EXPECT_GT(fused_kernels, 0u);
  EXPECT_GT(with_lines, 0u);
  size_t fused = 0, kept = 0;
  for (const auto& d : (*step)["fusion"]) {
    EXPECT_FALSE(d["reason"].get<std::string>().empty());
    (d["fused"].get<bool>() ? fused : kept)++;
  }
  EXPECT_GT(fused, 0u);
  EXPECT_GT(kept, 0u);
  const auto& plan = (*step)["memory_plan"];
  EXPECT_EQ(plan["arena_bytes"].get<int64_t>(), function(m, "train_step").memory.arena_bytes);
  EXPECT_GT(plan["sum_temporaries_bytes"].get<int64_t>(), plan["arena_bytes"].get<int64_t>());
  EXPECT_GT(plan["peak_live_bytes"].get<int64_t>(), 0);
  std::string html = kiln::compiler::report_html(m.report);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("train_step"), std::string::npos);
}

}  // namespace
