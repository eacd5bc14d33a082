// The gradient tape: recording entries and the reverse sweep.
#include "kiln/autodiff/tape.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "kiln/ops/math.h"

namespace kiln {

namespace detail {
thread_local int t_recording_tapes = 0;
}  // namespace detail

namespace {

struct Entry {
  const char* op;
  std::vector<uint64_t> inputs;
  uint64_t output;
  detail::BackwardFn backward;  // empty: a variable read, gradient passes through unchanged
};

}  // namespace

struct GradientTape::State {
  bool persistent;
  bool watch_variables;
  int paused = 0;
  bool used = false;
  std::unordered_set<uint64_t> watched;
  std::vector<Entry> entries;
  std::vector<Variable> variables;  // read while recording, first-read order
  std::unordered_set<uint64_t> variable_ids;
};

namespace {

thread_local std::vector<GradientTape::State*> t_tapes;
thread_local int t_no_grad = 0;

void refresh_recording_count() {
  int n = 0;
  if (t_no_grad == 0)
    for (auto* s : t_tapes) n += s->paused == 0;
  detail::t_recording_tapes = n;
}

}  // namespace

GradientTape::GradientTape(bool persistent, bool watch_accessed_variables)
    : state_(std::make_unique<State>()) {
  state_->persistent = persistent;
  state_->watch_variables = watch_accessed_variables;
  t_tapes.push_back(state_.get());
  refresh_recording_count();
}

GradientTape::~GradientTape() {
  auto it = std::find(t_tapes.begin(), t_tapes.end(), state_.get());
  if (it != t_tapes.end()) t_tapes.erase(it);
  refresh_recording_count();
}

void GradientTape::watch(const Tensor& t) {
  if (t.defined()) state_->watched.insert(t.id());
}

void GradientTape::watch(const Variable& v) {
  if (v.defined()) state_->watched.insert(v.id());
}

std::vector<Variable> GradientTape::watched_variables() const { return state_->variables; }

GradientTape::Pause::Pause(GradientTape* t) : tape_(t) {
  ++tape_->state_->paused;
  refresh_recording_count();
}

GradientTape::Pause::~Pause() {
  --tape_->state_->paused;
  refresh_recording_count();
}

NoGradGuard::NoGradGuard() {
  ++t_no_grad;
  refresh_recording_count();
}

NoGradGuard::~NoGradGuard() {
  --t_no_grad;
  refresh_recording_count();
}

Tensor stop_gradient(const Tensor& t, const Loc& loc) {
  detail::ApiScope scope("stop_gradient", loc);
  if (!t.defined()) detail::fail("stop_gradient", "operand is an undefined tensor");
  return Tensor::alias(t, t.shape());
}

namespace detail {

namespace {
template <class Ids>
void record_on_tapes(const char* op, const Ids& input_ids, const Tensor& output,
                     BackwardFn& backward) {
  for (auto* s : t_tapes) {
    if (s->paused) continue;
    bool hit = false;
    for (uint64_t id : input_ids)
      if (s->watched.count(id)) { hit = true; break; }
    if (!hit) continue;
    s->entries.push_back(Entry{op, {input_ids.begin(), input_ids.end()}, output.id(), backward});
    s->watched.insert(output.id());
  }
}
}  // namespace

void record_op(const char* op, std::initializer_list<const Tensor*> inputs, const Tensor& output,
               BackwardFn backward) {
  if (t_recording_tapes == 0) return;
  uint64_t ids[8];
  size_t n = 0;
  for (const Tensor* t : inputs) {
    if (n < 8) ids[n++] = t->id();
  }
  record_on_tapes(op, std::span<const uint64_t>(ids, n), output, backward);
}

void record_op(const char* op, const std::vector<Tensor>& inputs, const Tensor& output,
               BackwardFn backward) {
  if (t_recording_tapes == 0) return;
  std::vector<uint64_t> ids;
  for (const Tensor& t : inputs) ids.push_back(t.id());
  record_on_tapes(op, ids, output, backward);
}

void record_variable_read(const Variable& v, const Tensor& value) {
  if (t_recording_tapes == 0) return;
  for (auto* s : t_tapes) {
    if (s->paused) continue;
    bool watch = s->watched.count(v.id()) || (v.trainable() && s->watch_variables);
    if (!watch) continue;
    s->watched.insert(v.id());
    if (s->variable_ids.insert(v.id()).second) s->variables.push_back(v);
    s->entries.push_back(Entry{"read_variable", {v.id()}, value.id(), nullptr});
    s->watched.insert(value.id());
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------
// The reverse sweep.

std::vector<Gradient> GradientTape::compute(const Tensor& target,
                                            const std::vector<Source>& sources,
                                            const Tensor* output_gradient,
                                            UnconnectedGradients unconnected, const Loc& loc) {
  detail::ApiScope scope("gradient", loc);
  State& s = *state_;
  if (s.used && !s.persistent)
    detail::fail("gradient",
                 "a non-persistent GradientTape can compute gradients only once; create it with "
                 "GradientTape(/*persistent=*/true) to call gradient() repeatedly");
  if (!target.defined()) detail::fail("gradient", "the target is an undefined tensor");
  if (!is_floating(target.dtype()))
    detail::fail("gradient", "the target must be floating-point, got " +
                                 std::string(dtype_name(target.dtype())));
  if (output_gradient && !(output_gradient->shape() == target.shape()))
    detail::fail("gradient", "output_gradient has shape " + output_gradient->shape().str() +
                                 ", the target has shape " + target.shape().str());
  s.used = true;
  Pause pause(this);  // the backward pass is not recorded on this tape (outer tapes do)

  // Forward pass: which values depend on a source (only those need gradients).
  std::unordered_set<uint64_t> relevant;
  for (const Source& src : sources) relevant.insert(src.id());
  std::vector<bool> useful(s.entries.size(), false);
  for (size_t i = 0; i < s.entries.size(); ++i) {
    const Entry& e = s.entries[i];
    for (uint64_t in : e.inputs)
      if (relevant.count(in)) { useful[i] = true; break; }
    if (useful[i]) relevant.insert(e.output);
  }

  std::unordered_map<uint64_t, Gradient> grads;
  grads[target.id()] = output_gradient ? *output_gradient : ones_like(target);
  std::unordered_set<uint64_t> keep;
  for (const Source& src : sources) keep.insert(src.id());

  for (size_t i = s.entries.size(); i-- > 0;) {
    if (!useful[i]) continue;
    const Entry& e = s.entries[i];
    auto it = grads.find(e.output);
    if (it == grads.end()) continue;
    Gradient dy = it->second;
    if (!keep.count(e.output)) grads.erase(it);
    std::vector<Gradient> in_grads;
    if (!e.backward) in_grads = {dy};  // variable read: pass through (may stay sparse)
    else in_grads = e.backward(dy.to_dense());
    for (size_t k = 0; k < e.inputs.size() && k < in_grads.size(); ++k) {
      if (!in_grads[k].defined() || !relevant.count(e.inputs[k])) continue;
      auto& slot = grads[e.inputs[k]];
      slot = slot.defined() ? accumulate(slot, in_grads[k]) : in_grads[k];
    }
  }

  std::vector<Gradient> out;
  out.reserve(sources.size());
  for (const Source& src : sources) {
    auto it = grads.find(src.id());
    if (it != grads.end() && src.id() != target.id()) {
      out.push_back(it->second);
    } else if (src.id() == target.id()) {
      out.push_back(output_gradient ? *output_gradient : ones_like(target));
    } else if (unconnected == UnconnectedGradients::zero) {
      out.push_back(zeros(src.shape(), src.dtype()));
    } else {
      out.emplace_back();
    }
  }
  if (!s.persistent) {
    s.entries.clear();
    s.entries.shrink_to_fit();
  }
  return out;
}

std::vector<Gradient> GradientTape::gradient(const Tensor& target,
                                             std::initializer_list<Source> sources,
                                             UnconnectedGradients unconnected, const Loc& loc) {
  return compute(target, std::vector<Source>(sources), nullptr, unconnected, loc);
}

std::vector<Gradient> GradientTape::gradient(const Tensor& target,
                                             const std::vector<Variable>& sources,
                                             UnconnectedGradients unconnected, const Loc& loc) {
  return compute(target, std::vector<Source>(sources.begin(), sources.end()), nullptr, unconnected,
                 loc);
}

std::vector<Gradient> GradientTape::gradient(const Tensor& target,
                                             const std::vector<Tensor>& sources,
                                             UnconnectedGradients unconnected, const Loc& loc) {
  return compute(target, std::vector<Source>(sources.begin(), sources.end()), nullptr, unconnected,
                 loc);
}

std::vector<Gradient> GradientTape::gradient(const Tensor& target,
                                             const std::vector<Source>& sources,
                                             const Tensor& output_gradient,
                                             UnconnectedGradients unconnected, const Loc& loc) {
  return compute(target, sources, &output_gradient, unconnected, loc);
}

}  // namespace kiln
