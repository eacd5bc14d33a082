// The seam between eager execution and tracing (kiln::function / kiln::trace).
//
// While a trace is active, tensors that depend on the traced function's inputs or
// on variables are *symbolic*: defined (shape, dtype, identity) but without
// storage. A primitive with a symbolic operand does not run its kernel; it asks
// the active TraceSink to emit the matching `kiln` dialect op. Primitives whose
// operands are all concrete still run eagerly (that is constant folding at trace
// time). This header has no MLIR in it: the sink that builds MLIR lives in
// kiln/trace/ (library kiln_trace).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {
class Variable;

namespace detail {

// An op attribute: integer, float, integer array, or string.
struct TraceAttr {
  const char* name;
  std::variant<int64_t, double, std::vector<int64_t>, std::string> value;
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // Emits `op` (a kiln dialect op name such as "kiln.add") with operands that
  // already have the op's exact operand types (no implicit broadcasting), and
  // returns its results as new symbolic tensors.
  virtual std::vector<Tensor> emit(const char* op, std::span<const Tensor> operands,
                                   std::span<const TraceAttr> attrs,
                                   std::span<const std::pair<Shape, DType>> results) = 0;
  // The current value of a variable inside the trace (an argument on first use).
  virtual Tensor read_variable(const Variable& v) = 0;
  // Records that the traced function leaves `value` in variable v.
  virtual void write_variable(const Variable& v, const Tensor& value) = 0;
  // fori_loop: opens a kiln.loop body and returns its induction variable; the body
  // is traced next, then end_loop() closes it.
  virtual Tensor begin_loop(int64_t lower, int64_t upper) = 0;
  virtual void end_loop() = 0;
};

// The sink of the innermost active trace on this thread, or null when eager.
TraceSink* active_trace_sink();

// Installs a sink for the lifetime of the guard (traces may nest).
class TraceScope {
 public:
  explicit TraceScope(TraceSink* sink);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  TraceSink* previous_;
};

inline bool any_symbolic(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts)
    if (t->is_symbolic()) return true;
  return false;
}

// Emits a single-result op on the active sink (which must exist).
Tensor emit_op(const char* op, std::initializer_list<Tensor> operands,
               std::initializer_list<TraceAttr> attrs, const Shape& shape, DType dtype);
Tensor emit_op(const char* op, const std::vector<Tensor>& operands,
               std::initializer_list<TraceAttr> attrs, const Shape& shape, DType dtype);

}  // namespace detail
}  // namespace kiln
