// Optimizer: argument checks, slot bookkeeping, the step count, and minimize().
#include "kiln/optim/optimizer.h"

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/layout.h"
#include "kiln/ops/math.h"

namespace kiln::optim {

namespace {

std::string var_label(const Variable& v, size_t i) {
  return "variable '" + v.name() + "' (vars[" + std::to_string(i) + "])";
}

}  // namespace

Optimizer::Optimizer(std::string name, double learning_rate, std::vector<SlotSpec> slots)
    : name_(std::move(name)),
      learning_rate_(learning_rate),
      slot_specs_(std::move(slots)),
      iterations_(name_ + "/iter", zeros({}, i64), /*trainable=*/false) {}

void Optimizer::set_learning_rate(double lr, const Loc& loc) {
  kiln::detail::ApiScope api("set_learning_rate", loc);
  if (!(lr >= 0))
    kiln::detail::fail("set_learning_rate",
                       "the learning rate must be >= 0, got " + std::to_string(lr));
  learning_rate_ = lr;
}

int64_t Optimizer::step() const { return iterations_.storage().item<int64_t>(); }

Tensor Optimizer::local_step(DType dtype) const { return cast(iterations_.value() + 1.0, dtype); }

void Optimizer::check(const Gradient& g, const Variable& v, size_t i) const {
  if (!v.defined()) kiln::detail::fail("apply", "vars[" + std::to_string(i) + "] is undefined");
  if (!g.defined()) return;
  if (g.dtype() != v.dtype())
    kiln::detail::fail("apply", var_label(v, i) + " has dtype " +
                                    std::string(dtype_name(v.dtype())) + ", its gradient has " +
                                    std::string(dtype_name(g.dtype())));
  if (!(g.shape() == v.shape()))
    kiln::detail::fail("apply", var_label(v, i) + " has shape " + v.shape().str() +
                                    ", its gradient has shape " + g.shape().str());
  if (!g.is_sparse()) return;
  const IndexedSlices& s = g.slices();
  if (v.shape().rank() == 0)
    kiln::detail::fail("apply", var_label(v, i) + " is a scalar but its gradient is sparse");
  if (!s.indices.defined() || s.indices.rank() != 1 ||
      (s.indices.dtype() != i32 && s.indices.dtype() != i64))
    kiln::detail::fail(
        "apply", "the sparse gradient of " + var_label(v, i) + " needs 1-D int32/int64 indices");
  Shape want{s.indices.numel()};
  for (int d = 1; d < v.shape().rank(); ++d) want.push_back(v.shape()[d]);
  if (!s.values.defined() || !(s.values.shape() == want))
    kiln::detail::fail("apply", "the sparse gradient of " + var_label(v, i) +
                                    " has values of shape " +
                                    (s.values.defined() ? s.values.shape().str() : "undefined") +
                                    ", expected " + want.str());
  // Traced indices have no values yet: the compiled update checks them at run time (the
  // scatter's own check site), so only eager indices are scanned here.
  if (s.indices.is_symbolic()) return;
  int64_t bad = kernels::first_out_of_range(s.indices, v.shape()[0]);
  if (bad >= 0)
    kiln::detail::fail("apply", "the sparse gradient of " + var_label(v, i) + " has indices[" +
                                    std::to_string(bad) +
                                    "] = " + std::to_string(kernels::index_at(s.indices, bad)) +
                                    ", not in [0, " + std::to_string(v.shape()[0]) + ")");
}

void Optimizer::apply(const std::vector<Gradient>& grads, const std::vector<Variable>& vars,
                      const Loc& loc) {
  kiln::detail::ApiScope api("Optimizer::apply", loc);
  if (grads.size() != vars.size())
    kiln::detail::fail("apply", "got " + std::to_string(grads.size()) + " gradients for " +
                                    std::to_string(vars.size()) + " variables");
  bool any = false;
  for (size_t i = 0; i < vars.size(); ++i) {
    check(grads[i], vars[i], i);
    any = any || grads[i].defined();
  }
  if (!any && !vars.empty()) {
    std::string names;
    for (const Variable& v : vars) names += (names.empty() ? "'" : ", '") + v.name() + "'";
    kiln::detail::fail(
        "apply", "no gradient for any variable (" + names + "): does the loss depend on them?");
  }
  // The update itself is not differentiable: keep it off any tape that is recording.
  NoGradGuard no_grad;
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!grads[i].defined()) continue;
    Variable var = vars[i];
    std::vector<Variable>& slots = slots_for(var);
    if (grads[i].is_sparse())
      apply_sparse(grads[i].slices(), var, slots);
    else
      apply_dense(grads[i].to_dense(), var, slots);
  }
  iterations_.assign_add(1.0);
}

void Optimizer::apply(const std::vector<GradientAndVariable>& grads_and_vars, const Loc& loc) {
  std::vector<Gradient> grads;
  std::vector<Variable> vars;
  for (const GradientAndVariable& gv : grads_and_vars) {
    grads.push_back(gv.gradient);
    vars.push_back(gv.variable);
  }
  apply(grads, vars, loc);
}

Tensor Optimizer::minimize(const std::function<Tensor()>& loss_fn,
                           const std::vector<Variable>& vars, const Loc& loc) {
  Tensor loss;
  std::vector<Gradient> grads;
  {
    // The tape ends before the update, so no recorded snapshot forces a copy-on-write.
    GradientTape tape;
    loss = loss_fn();
    grads = tape.gradient(loss, vars, UnconnectedGradients::none, loc);
  }
  apply(grads, vars, loc);
  return loss;
}

Tensor Optimizer::minimize(const std::function<Tensor()>& loss_fn, const Loc& loc) {
  Tensor loss;
  std::vector<Variable> vars;
  std::vector<Gradient> grads;
  {
    GradientTape tape;
    loss = loss_fn();
    vars = tape.watched_variables();
    grads = tape.gradient(loss, vars, UnconnectedGradients::none, loc);
  }
  apply(grads, vars, loc);
  return loss;
}

void Optimizer::build(const std::vector<Variable>& vars, const Loc& loc) {
  kiln::detail::ApiScope api("Optimizer::build", loc);
  for (size_t i = 0; i < vars.size(); ++i)
    if (!vars[i].defined()) kiln::detail::fail("build", "vars[" + std::to_string(i) + "] is undefined");
  for (const Variable& var : vars) slots_for(var);
}

std::vector<Variable>& Optimizer::slots_for(const Variable& var) {
  auto it = slots_.find(var.id());
  if (it != slots_.end()) return it->second;
  std::vector<Variable> made;
  for (const SlotSpec& spec : slot_specs_) {
    made.emplace_back(var.name() + "/" + spec.suffix, fill(var.shape(), spec.initial, var.dtype()),
                      /*trainable=*/false);
    slot_order_.push_back(made.back());
  }
  return slots_.emplace(var.id(), std::move(made)).first->second;
}

Variable Optimizer::slot(const Variable& var, const std::string& slot_name, const Loc& loc) const {
  kiln::detail::ApiScope api("Optimizer::slot", loc);
  size_t k = 0;
  while (k < slot_specs_.size() && slot_specs_[k].name != slot_name) ++k;
  if (k == slot_specs_.size()) {
    std::string names;
    for (const SlotSpec& s : slot_specs_) names += (names.empty() ? "" : ", ") + s.name;
    kiln::detail::fail("slot", name_ + " has no slot '" + slot_name +
                                   "'; its slots are: " + (names.empty() ? "(none)" : names));
  }
  auto it = var.defined() ? slots_.find(var.id()) : slots_.end();
  if (it == slots_.end())
    kiln::detail::fail("slot", "variable '" + (var.defined() ? var.name() : "<undefined>") +
                                   "' has no slots yet: " + name_ +
                                   " creates them at its first update");
  return it->second[k];
}

std::vector<std::string> Optimizer::slot_names() const {
  std::vector<std::string> out;
  for (const SlotSpec& s : slot_specs_) out.push_back(s.name);
  return out;
}

std::vector<Variable> Optimizer::slot_variables() const { return slot_order_; }

std::vector<Variable> Optimizer::variables() const {
  std::vector<Variable> out{iterations_};
  out.insert(out.end(), slot_order_.begin(), slot_order_.end());
  return out;
}

}  // namespace kiln::optim
