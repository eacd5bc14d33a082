// Every op case (kiln/testing/op_cases.h) run eagerly and compiled, forward and, for the
// differentiable ones, backward (the gradients of sum(f(x) * w), taken by a GradientTape
// inside the traced function, so the backward pass is compiled too), compared element by
// element: float32 within atol 1e-5 + rtol 1.3e-6 (or the case's documented bound),
// float64 within 1e-12 absolute + 1e-12 relative, integers and booleans exactly.
// kKnownDifferences lists the (case, dtype) pairs expected to differ, with the reason; a
// listed pair that starts matching fails too, so the table stays honest.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "compiler/CompiledModule.h"
#include "kiln/kiln.h"
#include "kiln/testing/op_cases.h"

namespace kiln {
namespace {

using testing::OpCase;
using testing::Tolerance;

struct KnownDifference {
  const char* label;  // OpCase::label()
  const char* dtype;  // "f32", "f64" or "native" (cases without floating inputs)
  const char* reason;
};

// Expected mismatches between eager and compiled execution, e.g.
//   {"pow_same_shape", "f32", "powf is expanded to exp(b log a), off by a few ulp"},
// Each entry must still fail: fix the compiler and delete the entry together. Empty now:
// every case matches.
const std::vector<KnownDifference> kKnownDifferences = {};

// One case in one dtype: "f32"/"f64" cast the case's float64 inputs; "native" runs a case
// without floating inputs as it is. Every run is compiled twice: with the algebraic
// simplification (CompileOptions::simplify, the default) and without it.
struct CaseRun {
  const OpCase* c;
  std::string dtype;
  bool simplify = true;
  std::string key() const { return c->label() + "/" + dtype + (simplify ? "" : "/no-simplify"); }
};

void PrintTo(const CaseRun& r, std::ostream* os) { *os << r.key(); }

std::vector<CaseRun> all_runs() {
  std::vector<CaseRun> runs;
  for (bool simplify : {true, false})
    for (const OpCase& c : testing::op_cases()) {
      bool floating = false;
      for (const Tensor& x : c.inputs) floating |= is_floating(x.dtype());
      if (!floating) {
        runs.push_back({&c, "native", simplify});
        continue;
      }
      runs.push_back({&c, "f64", simplify});
      if (c.float32) runs.push_back({&c, "f32", simplify});
    }
  return runs;
}

std::vector<Tensor> inputs_of(const CaseRun& r) {
  std::vector<Tensor> xs;
  for (const Tensor& x : r.c->inputs)
    xs.push_back(is_floating(x.dtype()) && r.dtype == "f32" ? cast(x, f32) : x);
  return xs;
}

// The traced backward function: inputs are the case's inputs then w; outputs are the
// dense gradients with respect to each floating input.
std::vector<Tensor> gradients_of(const OpCase& c, const std::vector<Tensor>& xs_and_w) {
  std::vector<Tensor> xs(xs_and_w.begin(), xs_and_w.end() - 1);
  const Tensor& w = xs_and_w.back();
  GradientTape tape(/*persistent=*/false, /*watch_accessed_variables=*/false);
  std::vector<Tensor> sources;
  for (const Tensor& x : xs)
    if (is_floating(x.dtype())) tape.watch(x), sources.push_back(x);
  Tensor objective = sum(c.f(xs) * w);
  std::vector<Tensor> out;
  for (const Gradient& g : tape.gradient(objective, sources, UnconnectedGradients::zero))
    out.push_back(g.to_dense());
  return out;
}

// The first element outside its bound, or "" when all are within.
// Clears *exact when some element differs at all.
std::string compare(const std::string& what, const Tensor& got, const Tensor& want, const OpCase& c,
                    bool* exact) {
  std::ostringstream os;
  if (got.shape() != want.shape() || got.dtype() != want.dtype()) {
    os << what << ": compiled gives " << spec_of(got).str() << ", eager " << spec_of(want).str();
    return os.str();
  }
  Tolerance tol{0, 0};  // integers and booleans: exact
  if (want.dtype() == f32) tol = c.f32_tolerance;
  if (want.dtype() == f64) tol = {1e-12, 1e-12};
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i) {
    // Equal values pass, equal infinities included (their difference would be NaN).
    if (g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))) continue;
    *exact = false;
    double err = std::abs(g[i] - w[i]);
    if (!(err <= tol.atol + tol.rtol * std::abs(w[i]))) {
      os.precision(17);
      os << what << " element " << i << ": compiled " << g[i] << ", eager " << w[i] << " (|diff| "
         << err << " > atol " << tol.atol << " + rtol " << tol.rtol << ")";
      return os.str();
    }
  }
  return "";
}

Tensor i64s_for_test(std::vector<int64_t> v) { return constant(v); }

// One traced function of a run: its forward or its backward.
struct Item {
  size_t run;
  std::string name;
  TraceFn fn;
  std::vector<Tensor> inputs;
  std::vector<Tensor> eager;
  TracedModule traced;
};

struct Outcome {
  bool ok = true;
  bool exact = true;  // every element bit for bit (within the bound is what is asserted)
  std::string message;
  void fail(const std::string& m) {
    if (ok) message = m;
    ok = false;
  }
};

// Runs every case: traces each function, compiles them in batches (one module per batch;
// a batch that does not compile is retried one function at a time), calls and compares.
class DifferentialResults {
 public:
  static const DifferentialResults& get() {
    static const DifferentialResults results;
    return results;
  }
  // Every run, compiled with `options` (the optimizations switched on or off).
  explicit DifferentialResults(compiler::CompileOptions options)
      : runs(all_runs()), options_(std::move(options)) {
    std::vector<Item> items;
    for (size_t i = 0; i < runs.size(); ++i) add_items(i, items);
    compile_in_batches(items, 48);
  }
  std::vector<CaseRun> runs;
  std::map<std::string, Outcome> outcomes;  // by CaseRun::key()
  double seconds = 0;

 private:
  compiler::CompileOptions options_;

  DifferentialResults() {
    auto t0 = std::chrono::steady_clock::now();
    // Only the runs this process's tests ask for: ctest starts one process per test, and
    // each should compile its own case, not all of them.
    std::vector<CaseRun> all = all_runs();
    std::set<std::string> wanted = selected_keys();
    for (const CaseRun& r : all)
      if (wanted.empty() || wanted.count(r.key())) runs.push_back(r);
    std::vector<Item> items;
    for (size_t i = 0; i < runs.size(); ++i) add_items(i, items);
    // KILN_DIFFERENTIAL_ONE_BY_ONE=1: one module per function, each named on stderr before
    // it compiles (to find the function behind a crash).
    const bool one_by_one = std::getenv("KILN_DIFFERENTIAL_ONE_BY_ONE") != nullptr;
    // A batch is compiled with one setting of CompileOptions::simplify (runs are in order).
    compile_in_batches(items, one_by_one ? 1 : 48);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  // The keys of the selected CompiledVsEager tests; empty (meaning all) when the summary
  // test DifferentialTable.RunsInSeconds is selected too.
  static std::set<std::string> selected_keys() {
    std::set<std::string> keys;
    const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
    for (int i = 0; i < unit.total_test_suite_count(); ++i) {
      const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
      for (int j = 0; j < suite.total_test_count(); ++j) {
        const ::testing::TestInfo& info = *suite.GetTestInfo(j);
        if (!info.should_run()) continue;
        if (std::string(info.test_suite_name()) == "DifferentialTable" &&
            std::string(info.name()) == "RunsInSeconds")
          return {};
        if (info.value_param() && std::string(info.test_suite_name()).ends_with("CompiledVsEager"))
          keys.insert(info.value_param());
      }
    }
    return keys;
  }

  void add_items(size_t run, std::vector<Item>& items) {
    const CaseRun& r = runs[run];
    const OpCase& c = *r.c;
    Outcome& out = outcomes[r.key()];
    std::string name = c.label() + "_" + r.dtype;
    std::vector<Tensor> xs = inputs_of(r);
    Signature sig;
    for (const Tensor& x : xs) sig.push_back(spec_of(x));
    TraceFn forward = [&c](const std::vector<Tensor>& x) { return std::vector<Tensor>{c.f(x)}; };
    Tensor y;
    try {
      if (c.reset) c.reset();
      y = c.f(xs);
      items.push_back({run, name, forward, xs, {y}, trace(name, forward, sig)});
    } catch (const Error& e) {
      out.fail(name + ": eager run or trace threw: " + e.what());
      return;
    }
    if (!c.differentiable || !is_floating(y.dtype())) return;
    Tensor w = cast(random_normal(y.shape(), /*seed=*/977, 0, 1, f64), y.dtype());
    std::vector<Tensor> xw = xs;
    xw.push_back(w);
    sig.push_back(spec_of(w));
    TraceFn backward = [&c](const std::vector<Tensor>& x) { return gradients_of(c, x); };
    try {
      std::vector<Tensor> g = backward(xw);
      items.push_back({run, name + "_grad", backward, xw, g, trace(name + "_grad", backward, sig)});
    } catch (const Error& e) {
      out.fail(name + "_grad: eager run or trace threw: " + e.what());
    }
  }

  void compile_in_batches(std::vector<Item>& items, size_t batch) {
    for (size_t b = 0, e = 0; b < items.size(); b = e) {
      const bool simplify = runs[items[b].run].simplify;
      for (e = b; e < items.size() && e - b < batch && runs[items[e].run].simplify == simplify;)
        ++e;
      compile_and_call(items, b, e);
    }
  }

  void compile_and_call(std::vector<Item>& items, size_t begin, size_t end) {
    if (std::getenv("KILN_DIFFERENTIAL_ONE_BY_ONE"))
      std::cerr << "[ compile  ] " << items[begin].name << std::endl;
    compiler::CompileOptions options = options_;
    options.set_simplify(runs[items[begin].run].simplify);
    try {
      TracedModule merged;
      for (size_t i = begin; i < end; ++i) merged.merge(items[i].traced);
      CompiledModule m = compile(merged, options);
      for (size_t i = begin; i < end; ++i) call(m, items[i]);
      return;
    } catch (const Error&) {
      // Find the culprit: one module per function.
    }
    for (size_t i = begin; i < end; ++i) {
      try {
        call(compile(items[i].traced, options), items[i]);
      } catch (const Error& e) {
        outcomes[runs[items[i].run].key()].fail(items[i].name + ": compile threw: " + e.what());
      }
    }
  }

  void call(const CompiledModule& m, const Item& item) {
    const OpCase& c = *runs[item.run].c;
    Outcome& out = outcomes[runs[item.run].key()];
    if (c.reset) c.reset();
    CallResult r;
    try {
      r = m.call(item.name, item.inputs, item.traced.variables());
    } catch (const Error& e) {
      out.fail(item.name + ": compiled call threw: " + e.what());
      return;
    }
    if (r.outputs.size() != item.eager.size()) {
      out.fail(item.name + ": compiled call returned " + std::to_string(r.outputs.size()) +
               " outputs, eager " + std::to_string(item.eager.size()));
      return;
    }
    for (size_t k = 0; k < r.outputs.size(); ++k) {
      std::string diff = compare(item.name + " output " + std::to_string(k), r.outputs[k],
                                 item.eager[k], c, &out.exact);
      if (!diff.empty()) out.fail(diff);
    }
  }
};

const KnownDifference* known_difference(const CaseRun& r) {
  for (const KnownDifference& k : kKnownDifferences)
    if (r.c->label() == k.label && r.dtype == k.dtype) return &k;
  return nullptr;
}

class CompiledVsEager : public ::testing::TestWithParam<CaseRun> {};

TEST_P(CompiledVsEager, Matches) {
  const CaseRun& r = GetParam();
  const DifferentialResults& results = DifferentialResults::get();
  const Outcome& o = results.outcomes.at(r.key());
  if (const KnownDifference* k = known_difference(r)) {
    EXPECT_FALSE(o.ok) << r.key() << " is listed in kKnownDifferences (" << k->reason
                       << ") but now matches: delete its entry";
    if (!o.ok) std::cout << "[ known    ] " << r.key() << ": " << o.message << "\n";
  } else {
    EXPECT_TRUE(o.ok) << o.message;
  }
}

std::string run_name(const ::testing::TestParamInfo<CaseRun>& info) {
  return info.param.c->label() + "_" + info.param.dtype +
         (info.param.simplify ? "" : "_no_simplify");
}

INSTANTIATE_TEST_SUITE_P(Differential, CompiledVsEager, ::testing::ValuesIn(all_runs()), run_name);

TEST(DifferentialTable, KnownDifferencesNameExistingRuns) {
  std::set<std::string> keys;
  for (const CaseRun& r : all_runs()) keys.insert(r.key());
  for (const KnownDifference& k : kKnownDifferences) {
    EXPECT_TRUE(keys.count(std::string(k.label) + "/" + k.dtype))
        << "kKnownDifferences names " << k.label << "/" << k.dtype << ", which is no run";
    EXPECT_FALSE(std::string(k.reason).empty()) << k.label << ": say why it differs";
  }
}

// Every case again with each optimization switched off, alone and together: the same
// answers within the same bounds (fusion and memory planning change no arithmetic).
TEST(DifferentialTable, EveryOptimizationCombinationMatches) {
  struct Combination {
    const char* name;
    bool fusion, memory_plan;
  };
  for (const Combination& c : {Combination{"--no-fusion", false, true},
                               Combination{"--no-memory-plan", true, false},
                               Combination{"--no-fusion --no-memory-plan", false, false}}) {
    compiler::CompileOptions options;
    options.set_fusion(c.fusion).set_memory_plan(c.memory_plan);
    DifferentialResults results(options);
    int failed = 0;
    for (const CaseRun& r : results.runs) {
      const Outcome& o = results.outcomes[r.key()];
      if (!o.ok && !known_difference(r)) {
        ADD_FAILURE() << c.name << ": " << o.message;
        ++failed;
      }
    }
    EXPECT_EQ(failed, 0) << c.name;
    EXPECT_GT(results.runs.size(), 100u);
  }
}

// The comparison itself must be able to fail, just outside each bound.
TEST(DifferentialTable, CompareFailsJustOutsideTheBounds) {
  const OpCase& c = testing::op_cases().front();
  bool exact = true;
  EXPECT_EQ(compare("f32", constant({1.f, 2.f}), constant({1.f, 2.f + 1e-5f}), c, &exact), "");
  EXPECT_FALSE(exact);
  EXPECT_NE(compare("f32", constant({1.f, 2.f}), constant({1.f, 2.f + 2e-5f}), c, &exact), "");
  EXPECT_EQ(compare("f64", constant({1.0}), constant({1.0 + 1e-12}), c, &exact), "");
  EXPECT_NE(compare("f64", constant({1.0}), constant({1.0 + 3e-12}), c, &exact), "");
  EXPECT_NE(compare("i64", i64s_for_test({1, 2}), i64s_for_test({1, 3}), c, &exact), "");
  EXPECT_NE(compare("dtype", constant({1.0}), constant({1.f}), c, &exact), "");
}

TEST(DifferentialTable, LooserBoundsSayWhy) {
  const Tolerance def{1e-5, 1.3e-6};
  for (const OpCase& c : testing::op_cases()) {
    if (c.f32_tolerance.atol != def.atol || c.f32_tolerance.rtol != def.rtol) {
      EXPECT_FALSE(c.tolerance_reason.empty()) << c.label() << ": document the looser bound";
    }
  }
}

TEST(DifferentialTable, RunsInSeconds) {
  const DifferentialResults& results = DifferentialResults::get();
  size_t exact = 0;
  for (const auto& [key, o] : results.outcomes) exact += o.ok && o.exact;
  std::cout << "[ timing   ] " << results.runs.size() << " runs (" << exact << " bit for bit) in "
            << results.seconds << " s\n";
}

}  // namespace
}  // namespace kiln
