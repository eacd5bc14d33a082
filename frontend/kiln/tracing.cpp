// The per-thread active trace sink and single-result emission.
#include "kiln/tracing.h"

namespace kiln::detail {
namespace {
thread_local TraceSink* t_sink = nullptr;
}  // namespace

TraceSink* active_trace_sink() { return t_sink; }

TraceScope::TraceScope(TraceSink* sink) : previous_(t_sink) { t_sink = sink; }
TraceScope::~TraceScope() { t_sink = previous_; }

Tensor emit_op(const char* op, const std::vector<Tensor>& operands,
               std::initializer_list<TraceAttr> attrs, const Shape& shape, DType dtype) {
  if (!t_sink) fail(op, "internal error: a symbolic tensor outside of an active trace");
  std::pair<Shape, DType> result{shape, dtype};
  std::vector<TraceAttr> a(attrs);
  return t_sink->emit(op, operands, a, std::span<const std::pair<Shape, DType>>(&result, 1)).at(0);
}

Tensor emit_op(const char* op, std::initializer_list<Tensor> operands,
               std::initializer_list<TraceAttr> attrs, const Shape& shape, DType dtype) {
  return emit_op(op, std::vector<Tensor>(operands), attrs, shape, dtype);
}

}  // namespace kiln::detail
