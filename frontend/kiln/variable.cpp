// Variables: named state updated in place, copy-on-write when snapshots are alive.
#include "kiln/variable.h"

#include <cstring>
#include <functional>
#include <ostream>

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/elementwise.h"
#include "kiln/kernels/layout.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/math.h"
#include "kiln/tracing.h"

namespace kiln {

struct Variable::Impl {
  std::string name;
  Tensor value;
  bool trainable;
  uint64_t id;
};

namespace {

Tensor copy_of(const Tensor& t) {
  Tensor c = Tensor::empty(t.shape(), t.dtype());
  if (t.nbytes()) std::memcpy(c.raw(), t.raw(), t.nbytes());
  return c;
}

}  // namespace

Variable::Variable(std::string name, const Tensor& initial, bool trainable, const Loc& loc) {
  detail::ApiScope scope("Variable", loc);
  if (!initial.defined()) detail::fail("Variable", "initial value of '" + name + "' is undefined");
  if (name.empty()) detail::fail("Variable", "a variable needs a non-empty name");
  // The variable owns its storage: never shares a buffer with the caller's tensor.
  impl_ = std::make_shared<Impl>(Impl{std::move(name), copy_of(initial), trainable,
                                      detail::next_tensor_id()});
}

const std::string& Variable::name() const { return impl_->name; }
bool Variable::trainable() const { return impl_->trainable; }
uint64_t Variable::id() const { return impl_->id; }
DType Variable::dtype() const { return impl_->value.dtype(); }
const Shape& Variable::shape() const { return impl_->value.shape(); }
const Tensor& Variable::storage() const { return impl_->value; }
Tensor& Variable::mutable_storage() { return writable_value(); }

Tensor Variable::value() const {
  if (!impl_) detail::fail("Variable", "reading an uninitialized (default-constructed) variable");
  // Inside a trace the value is symbolic: an argument of the traced function, or
  // what an earlier update in the same trace left.
  detail::TraceSink* sink = detail::active_trace_sink();
  Tensor snapshot = sink ? sink->read_variable(*this)  // a fresh symbolic tensor per read
                         : Tensor::alias(impl_->value, impl_->value.shape());
  if (detail::tapes_active()) detail::record_variable_read(*this, snapshot);
  return snapshot;
}

Variable Variable::shared_view(const Loc& loc) const {
  detail::ApiScope scope("shared_view", loc);
  if (!impl_) detail::fail("shared_view", "the variable is uninitialized");
  const Tensor& value = impl_->value;
  if (value.is_symbolic()) detail::fail("shared_view", "not inside a trace");
  // A second control block over the same Buffer: the view's use count is its own, and its
  // deleter only releases the original.
  std::shared_ptr<detail::Buffer> owner = value.impl_->buffer;
  auto* bytes = owner.get();
  auto impl = std::make_shared<detail::TensorImpl>(*value.impl_);
  impl->buffer = std::shared_ptr<detail::Buffer>(bytes, [owner](detail::Buffer*) {});
  impl->id = detail::next_tensor_id();
  Variable view;
  view.impl_ = std::make_shared<Impl>(
      Impl{impl_->name, Tensor(std::move(impl)), impl_->trainable, detail::next_tensor_id()});
  return view;
}

Tensor& Variable::writable_value() {
  // Copy on write: a snapshot handed out earlier keeps the old contents.
  if (impl_->value.storage_use_count() > 1) impl_->value = copy_of(impl_->value);
  return impl_->value;
}

namespace {

void check_update(const char* op, const Variable& v, const Tensor& t, bool exact_shape) {
  if (!v.defined()) detail::fail(op, "the variable is uninitialized");
  if (!t.defined()) detail::fail(op, "the new value is an undefined tensor");
  if (t.dtype() != v.dtype())
    detail::fail(op, "variable '" + v.name() + "' has dtype " + std::string(dtype_name(v.dtype())) +
                         ", the value has dtype " + std::string(dtype_name(t.dtype())));
  Shape b;
  bool ok = exact_shape ? t.shape() == v.shape()
                        : broadcast_shapes(t.shape(), v.shape(), &b) && b == v.shape();
  if (!ok)
    detail::fail(op, "variable '" + v.name() + "' has shape " + v.shape().str() +
                         ", the value has shape " + t.shape().str());
}

}  // namespace

namespace {

// In a trace, an update is a new value computed with ops, left in the variable.
bool traced_update(const Variable& v, const std::function<Tensor(const Tensor&)>& new_value) {
  detail::TraceSink* sink = detail::active_trace_sink();
  if (!sink) return false;
  NoGradGuard no_tape;  // updates are not differentiable
  sink->write_variable(v, new_value(sink->read_variable(v)));
  return true;
}

}  // namespace

void Variable::assign(const Tensor& v, const Loc& loc) {
  detail::ApiScope scope("assign", loc);
  check_update("assign", *this, v, /*exact_shape=*/true);
  if (traced_update(*this, [&](const Tensor&) { return v; })) return;
  Tensor& dst = writable_value();
  if (dst.nbytes()) std::memmove(dst.raw(), v.raw(), dst.nbytes());
}

void Variable::assign_add(const Tensor& delta, const Loc& loc) {
  detail::ApiScope scope("assign_add", loc);
  check_update("assign_add", *this, delta, /*exact_shape=*/false);
  if (traced_update(*this, [&](const Tensor& cur) { return add(cur, delta); })) return;
  Tensor sum = kernels::binary(kernels::Binary::add, impl_->value, delta, shape());
  Tensor& dst = writable_value();
  std::memcpy(dst.raw(), sum.raw(), dst.nbytes());
}

void Variable::assign_sub(const Tensor& delta, const Loc& loc) {
  detail::ApiScope scope("assign_sub", loc);
  check_update("assign_sub", *this, delta, /*exact_shape=*/false);
  if (traced_update(*this, [&](const Tensor& cur) { return subtract(cur, delta); })) return;
  Tensor diff = kernels::binary(kernels::Binary::sub, impl_->value, delta, shape());
  Tensor& dst = writable_value();
  std::memcpy(dst.raw(), diff.raw(), dst.nbytes());
}

void Variable::assign_add(double delta, const Loc& loc) {
  detail::ApiScope scope("assign_add", loc);
  assign_add(scalar_like(delta, impl_->value), loc);
}

void Variable::assign_sub(double delta, const Loc& loc) {
  detail::ApiScope scope("assign_sub", loc);
  assign_sub(scalar_like(delta, impl_->value), loc);
}

namespace {

void check_scatter(const char* op, const Variable& v, const Tensor& indices,
                   const Tensor& updates) {
  if (!v.defined()) detail::fail(op, "the variable is uninitialized");
  if (v.shape().rank() == 0) detail::fail(op, "variable '" + v.name() + "' is a scalar");
  if (!indices.defined() || (indices.dtype() != i32 && indices.dtype() != i64))
    detail::fail(op, "indices must be an int32 or int64 tensor");
  int64_t bad = indices.is_symbolic() ? -1 : kernels::first_out_of_range(indices, v.shape()[0]);
  if (bad >= 0)
    detail::fail(op, "indices[" + std::to_string(bad) + "] = " +
                         std::to_string(kernels::index_at(indices, bad)) + " is not in [0, " +
                         std::to_string(v.shape()[0]) + ")");
  if (!updates.defined() || updates.dtype() != v.dtype())
    detail::fail(op, "updates must have the variable's dtype " + std::string(dtype_name(v.dtype())));
  Shape want = indices.shape();
  for (int i = 1; i < v.shape().rank(); ++i) want.push_back(v.shape()[i]);
  if (!(updates.shape() == want))
    detail::fail(op, "updates have shape " + updates.shape().str() + ", expected " + want.str());
}

}  // namespace

void Variable::scatter_sub(const Tensor& indices, const Tensor& updates, const Loc& loc) {
  detail::ApiScope scope("scatter_sub", loc);
  check_scatter("scatter_sub", *this, indices, updates);
  if (traced_update(*this, [&](const Tensor& cur) {
        return kiln::scatter_add(cur, indices, neg(updates));
      }))
    return;
  kernels::scatter_accumulate(writable_value(), indices, updates, -1);
}

void Variable::scatter_add(const Tensor& indices, const Tensor& updates, const Loc& loc) {
  detail::ApiScope scope("scatter_add", loc);
  check_scatter("scatter_add", *this, indices, updates);
  if (traced_update(*this, [&](const Tensor& cur) {
        return kiln::scatter_add(cur, indices, updates);
      }))
    return;
  kernels::scatter_accumulate(writable_value(), indices, updates, +1);
}

std::string Variable::str() const {
  if (!impl_) return "kiln.Variable(<uninitialized>)";
  const Tensor& t = impl_->value;
  return "kiln.Variable('" + impl_->name + "', shape=" + t.shape().str() +
         ", dtype=" + std::string(dtype_name(t.dtype())) + ", numpy=" + t.values_str() + ")";
}

std::ostream& operator<<(std::ostream& os, const Variable& v) { return os << v.str(); }

}  // namespace kiln
