// The gradient tape: recording entries and the reverse sweep.
#include "kiln/autodiff/tape.h"

#include <algorithm>
#include <span>

#include "kiln/ops/math.h"
#include "kiln/tracing.h"

namespace kiln {

namespace detail {
thread_local int t_recording_tapes = 0;
}  // namespace detail

namespace {

// One recorded op. Inputs are tensor/variable ids; at most three inline (only
// concat has more).
struct Entry {
  const char* op;
  uint64_t output;
  uint32_t num_inputs;
  uint64_t inline_inputs[3];
  std::vector<uint64_t> more_inputs;
  detail::CallSite site;  // the user's call that ran the forward op
  detail::BackwardFn backward;  // empty: a variable read, gradient passes through unchanged

  uint64_t input(uint32_t k) const { return k < 3 ? inline_inputs[k] : more_inputs[k - 3]; }
};

// A set of ids kept as a sorted vector: ids are handed out in increasing order,
// so inserting a new op's output is a push_back, and lookups are binary searches.
class IdSet {
 public:
  bool contains(uint64_t id) const { return std::binary_search(ids_.begin(), ids_.end(), id); }
  void insert(uint64_t id) {
    if (ids_.empty() || ids_.back() < id) {
      ids_.push_back(id);
      return;
    }
    auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
    if (it == ids_.end() || *it != id) ids_.insert(it, id);
  }

 private:
  std::vector<uint64_t> ids_;
};

}  // namespace

struct GradientTape::State {
  bool persistent;
  bool watch_variables;
  int paused = 0;
  bool used = false;
  IdSet watched;
  std::vector<Entry> entries;       // in recording order: outputs strictly increase
  std::vector<Variable> variables;  // read while recording, first-read order
  IdSet variable_ids;
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
  // A fresh identity that no tape entry produces. Inside a trace it must also be a value
  // of the trace (an alias's new id is unknown to the sink): a same-shape reshape.
  if (t.is_symbolic()) return detail::emit_op("kiln.reshape", {t}, {}, t.shape(), t.dtype());
  return Tensor::alias(t, t.shape());
}

namespace detail {

namespace {

Entry make_entry(const char* op, std::span<const uint64_t> ids, uint64_t output) {
  Entry e{op, output, static_cast<uint32_t>(ids.size()), {0, 0, 0}, {}, current_call_site(), {}};
  for (size_t k = 0; k < ids.size(); ++k) {
    if (k < 3) e.inline_inputs[k] = ids[k];
    else e.more_inputs.push_back(ids[k]);
  }
  return e;
}

void record_on_tapes(const char* op, std::span<const uint64_t> ids, const Tensor& output,
                     BackwardFn backward) {
  GradientTape::State* hits[16];
  int n = 0;
  for (auto* s : t_tapes) {
    if (s->paused || n == 16) continue;
    for (uint64_t id : ids)
      if (s->watched.contains(id)) {
        hits[n++] = s;
        break;
      }
  }
  if (n == 0) return;
  if (n == 1) {
    Entry e = make_entry(op, ids, output.id());
    e.backward = std::move(backward);
    hits[0]->entries.push_back(std::move(e));
    hits[0]->watched.insert(output.id());
    return;
  }
  // Several tapes (nested tapes): they share one rule.
  auto shared = std::make_shared<BackwardFn>(std::move(backward));
  for (int i = 0; i < n; ++i) {
    Entry e = make_entry(op, ids, output.id());
    e.backward = [shared](const Tensor& dy) { return (*shared)(dy); };
    hits[i]->entries.push_back(std::move(e));
    hits[i]->watched.insert(output.id());
  }
}

}  // namespace

void record_op(const char* op, std::initializer_list<const Tensor*> inputs, const Tensor& output,
               BackwardFn backward) {
  if (t_recording_tapes == 0) return;
  uint64_t ids[8];
  size_t n = 0;
  for (const Tensor* t : inputs)
    if (n < 8) ids[n++] = t->id();
  record_on_tapes(op, std::span<const uint64_t>(ids, n), output, std::move(backward));
}

void record_op(const char* op, const std::vector<Tensor>& inputs, const Tensor& output,
               BackwardFn backward) {
  if (t_recording_tapes == 0) return;
  std::vector<uint64_t> ids;
  for (const Tensor& t : inputs) ids.push_back(t.id());
  record_on_tapes(op, ids, output, std::move(backward));
}

void record_variable_read(const Variable& v, const Tensor& value) {
  if (t_recording_tapes == 0) return;
  for (auto* s : t_tapes) {
    if (s->paused) continue;
    bool watch = s->watched.contains(v.id()) || (v.trainable() && s->watch_variables);
    if (!watch) continue;
    s->watched.insert(v.id());
    if (!s->variable_ids.contains(v.id())) {
      s->variable_ids.insert(v.id());
      s->variables.push_back(v);
    }
    uint64_t id = v.id();
    s->entries.push_back(make_entry("read_variable", std::span<const uint64_t>(&id, 1), value.id()));
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

  // Gradients live in two places: per entry (its output's gradient, found by binary
  // search since outputs increase) and per source that no entry produced (leaves).
  const size_t n = s.entries.size();
  auto producer = [&](uint64_t id) -> ptrdiff_t {
    auto it = std::lower_bound(s.entries.begin(), s.entries.end(), id,
                               [](const Entry& e, uint64_t v) { return e.output < v; });
    return (it != s.entries.end() && it->output == id) ? it - s.entries.begin() : -1;
  };
  // A source this tape does not watch gets no gradient, even when a recorded op read it
  // (as in TensorFlow: gradient(x * u, [x, u]) is [u, None] when only x is watched).
  auto is_source = [&](uint64_t id) {
    for (const Source& src : sources)
      if (src.id() == id) return s.watched.contains(id);
    return false;
  };

  // Forward pass: which entries depend on a source (only those need gradients).
  std::vector<char> useful(n, 0);
  auto relevant = [&](uint64_t id) {
    if (is_source(id)) return true;
    ptrdiff_t p = producer(id);
    return p >= 0 && useful[p];
  };
  for (size_t i = 0; i < n; ++i) {
    const Entry& e = s.entries[i];
    for (uint32_t k = 0; k < e.num_inputs; ++k)
      if (relevant(e.input(k))) {
        useful[i] = 1;
        break;
      }
  }

  std::vector<Gradient> entry_grad(n);
  std::vector<std::pair<uint64_t, Gradient>> leaf_grad;
  auto slot_for = [&](uint64_t id) -> Gradient& {
    ptrdiff_t p = producer(id);
    if (p >= 0) return entry_grad[p];
    for (auto& [lid, g] : leaf_grad)
      if (lid == id) return g;
    return leaf_grad.emplace_back(id, Gradient()).second;
  };
  Gradient seed = output_gradient ? Gradient(*output_gradient) : Gradient(ones_like(target));
  slot_for(target.id()) = seed;

  for (size_t i = n; i-- > 0;) {
    if (!useful[i] || !entry_grad[i].defined()) continue;
    const Entry& e = s.entries[i];
    Gradient dy = is_source(e.output) ? entry_grad[i] : std::move(entry_grad[i]);
    std::vector<Gradient> in_grads;
    if (!e.backward) in_grads.push_back(std::move(dy));  // variable read: may stay sparse
    else {
      detail::CallSite site = e.site;
      site.backward = true;
      detail::SiteOverride at_forward_op(site);
      in_grads = e.backward(dy.to_dense());
    }
    for (uint32_t k = 0; k < e.num_inputs && k < in_grads.size(); ++k) {
      if (!in_grads[k].defined() || !relevant(e.input(k))) continue;
      Gradient& slot = slot_for(e.input(k));
      slot = slot.defined() ? accumulate(slot, in_grads[k]) : std::move(in_grads[k]);
    }
  }

  std::vector<Gradient> out;
  out.reserve(sources.size());
  for (const Source& src : sources) {
    Gradient g = src.id() == target.id() ? seed : slot_for(src.id());
    if (g.defined()) out.push_back(std::move(g));
    else if (unconnected == UnconnectedGradients::zero) out.emplace_back(zeros(src.shape(), src.dtype()));
    else out.emplace_back();
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
