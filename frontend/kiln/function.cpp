// The parts of kiln::function that need no MLIR: signatures, warnings, fori_loop.
#include "kiln/function.h"

#include <atomic>
#include <cstdlib>

#include "kiln/autodiff/tape.h"
#include "kiln/tracing.h"

namespace kiln {

std::string TensorSpec::str() const {
  static const char* short_names[] = {"f32", "f64", "i32", "i64", "bool"};
  std::string s = short_names[static_cast<int>(dtype)];
  s += "[";
  for (int i = 0; i < shape.rank(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string signature_str(const Signature& sig) {
  std::string s = "(";
  for (size_t i = 0; i < sig.size(); ++i) s += (i ? ", " : "") + sig[i].str();
  return s + ")";
}

void fori_loop(int64_t lower, int64_t upper, const std::function<void(const Tensor&)>& body,
               const Loc& loc) {
  detail::TraceSink* sink = nullptr;
  {
    detail::ApiScope scope("fori_loop", loc);
    if (upper < lower)
      detail::fail("fori_loop", "upper bound " + std::to_string(upper) + " is below lower bound " +
                                    std::to_string(lower));
    sink = detail::active_trace_sink();
  }
  if (!sink) {
    for (int64_t i = lower; i < upper; ++i) body(constant(i));
    return;
  }
  Tensor i;
  {
    detail::ApiScope scope("fori_loop", loc);
    i = sink->begin_loop(lower, upper);
  }
  try {
    body(i);
  } catch (...) {
    sink->end_loop();
    throw;
  }
  detail::ApiScope scope("fori_loop", loc);
  sink->end_loop();
}

namespace {

detail::FunctionCompiler g_function_compiler = nullptr;

// -1: not decided yet (read KILN_RUN_EAGERLY on first use).
std::atomic<int> g_run_eagerly{-1};

}  // namespace

void run_functions_eagerly(bool eagerly) { g_run_eagerly = eagerly ? 1 : 0; }

bool functions_run_eagerly() {
  int v = g_run_eagerly.load();
  if (v < 0) {
    const char* env = std::getenv("KILN_RUN_EAGERLY");
    v = env && std::string(env) == "1" ? 1 : 0;
    g_run_eagerly = v;
  }
  return v == 1;
}

namespace detail {

void set_function_compiler(FunctionCompiler compiler) { g_function_compiler = compiler; }
FunctionCompiler function_compiler() { return g_function_compiler; }
bool must_run_inline() { return active_trace_sink() != nullptr || tapes_active(); }

void warn_retracing(const std::string& name, size_t traces, const Signature& latest) {
  std::cerr << "kiln: warning: function '" << name << "' has been traced " << traces
            << " times (latest signature " << signature_str(latest)
            << "). Each new input shape or dtype triggers a retrace; pass tensors of fixed "
               "shapes to reuse the compiled code.\n";
}

void check_arity(const std::string& name, size_t want, size_t got, const Loc& loc) {
  if (want == got) return;
  ApiScope scope("trace", loc);
  fail("trace", "function '" + name + "' takes " + std::to_string(want) +
                    " tensors, but the signature has " + std::to_string(got));
}

}  // namespace detail
}  // namespace kiln
