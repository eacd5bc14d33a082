// Tracing eager C++ into the kiln MLIR dialect, like tf.function / tfe.defun.
//
//   auto step = kiln::function("train_step", [&](kiln::Tensor x, kiln::Tensor y) {
//     kiln::GradientTape tape;
//     auto loss = model.loss(x, y);
//     optimizer.apply(tape.gradient(loss, model.variables()), model.variables());
//     return loss;
//   });
//   std::string ir = step.trace({kiln::spec({}, kiln::f32), kiln::spec({}, kiln::f32)}).mlir();
//
// Tracing runs the C++ function once with symbolic tensors; every primitive becomes
// one kiln op carrying the user's file:line, including the tape's backward pass and
// the optimizer's variable updates. Variables become function arguments marked
// {kiln.variable = "name"}; their new values are returned as results with the same
// mark (the compiler and runtime alias those buffers). kiln::function caches one
// trace per input signature and warns when it keeps retracing. Until the compiler
// lands, calling a kiln::function runs its C++ eagerly (like
// tf.config.run_functions_eagerly); the traced IR is what gets compiled.
#pragma once

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {

struct TensorSpec {
  Shape shape;
  DType dtype = f32;
  std::string str() const;  // "f32[2, 3]"
  bool operator==(const TensorSpec& o) const { return shape == o.shape && dtype == o.dtype; }
};
inline TensorSpec spec(const Shape& shape, DType dtype = f32) { return TensorSpec{shape, dtype}; }
inline TensorSpec spec_of(const Tensor& t) { return TensorSpec{t.shape(), t.dtype()}; }
using Signature = std::vector<TensorSpec>;
std::string signature_str(const Signature& s);

// An MLIR module of traced functions. Copyable handles share one module.
class TracedModule {
 public:
  TracedModule();
  ~TracedModule();
  TracedModule(const TracedModule&);
  TracedModule& operator=(const TracedModule&);

  // MLIR text; with locations, each op shows its loc("api"("file.cpp":line:col)).
  std::string mlir(bool with_locations = false) const;
  std::vector<std::string> function_names() const;
  // Adds (clones) every function of `other` into this module; names must not clash.
  void merge(const TracedModule& other, const Loc& loc = Loc::current());
  // Writes MLIR text, or MLIR bytecode when the path ends in ".mlirbc"; atomic.
  void save(const std::string& path, const Loc& loc = Loc::current()) const;
  // Parses and verifies a module written by save() (text or bytecode).
  static TracedModule load(const std::string& path, const Loc& loc = Loc::current());

  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The traced function's outputs, as the C++ function returned them.
using TraceFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

// Traces fn for `signature` into a module holding one func.func named `name`.
TracedModule trace(const std::string& name, const TraceFn& fn, const Signature& signature,
                   const Loc& loc = Loc::current());

// A counted loop: body(i) for i = lower .. upper-1, with i an int64 scalar tensor.
// Eagerly it is a C++ loop; inside a trace it becomes one kiln.loop op whose carried
// values are the variables the body reads or updates (so 100 epochs of SGD are one
// op, not 19,000 unrolled steps). Values computed in the body are visible outside
// it only through variables.
void fori_loop(int64_t lower, int64_t upper, const std::function<void(const Tensor&)>& body,
               const Loc& loc = Loc::current());

namespace detail {

template <class T> struct call_traits : call_traits<decltype(&T::operator())> {};
template <class C, class R, class... A> struct call_traits<R (C::*)(A...) const> {
  static constexpr size_t arity = sizeof...(A);
};
template <class C, class R, class... A> struct call_traits<R (C::*)(A...)> {
  static constexpr size_t arity = sizeof...(A);
};

template <class R> std::vector<Tensor> as_outputs(R&& r) {
  using T = std::decay_t<R>;
  if constexpr (std::is_convertible_v<T, Tensor>) return {Tensor(r)};
  else if constexpr (std::is_same_v<T, std::vector<Tensor>>) return r;
  else
    return std::apply([](auto&&... t) { return std::vector<Tensor>{Tensor(t)...}; },
                      std::forward<R>(r));
}

// Calls f with the first N tensors of xs as separate arguments.
template <class F, size_t... I>
std::vector<Tensor> call_unpacked(F& f, const std::vector<Tensor>& xs, std::index_sequence<I...>) {
  if constexpr (std::is_void_v<decltype(f(xs[I]...))>) {
    f(xs[I]...);
    return {};
  } else {
    return as_outputs(f(xs[I]...));
  }
}

void warn_retracing(const std::string& name, size_t traces, const Signature& latest);
void check_arity(const std::string& name, size_t want, size_t got, const Loc& loc);

}  // namespace detail

// tf.function for C++: see the top of this file.
template <class F> class Function {
 public:
  static constexpr size_t kArity = detail::call_traits<F>::arity;
  static constexpr size_t kRetraceWarning = 5;

  Function(std::string name, F f) : name_(std::move(name)), f_(std::move(f)) {}

  const std::string& name() const { return name_; }

  // The trace for this signature, traced on first request and cached.
  const TracedModule& trace(const Signature& signature, const Loc& loc = Loc::current()) {
    detail::check_arity(name_, kArity, signature.size(), loc);
    for (auto& [sig, module] : cache_)
      if (sig == signature) return module;
    TraceFn fn = [this](const std::vector<Tensor>& xs) {
      return detail::call_unpacked(f_, xs, std::make_index_sequence<kArity>{});
    };
    cache_.emplace_back(signature, kiln::trace(name_, fn, signature, loc));
    if (cache_.size() >= kRetraceWarning && !warned_) {
      detail::warn_retracing(name_, cache_.size(), signature);
      warned_ = true;
    }
    return cache_.back().second;
  }

  // Traces for the arguments' signature (cached), then runs the function.
  template <class... A> auto operator()(const A&... args) {
    std::vector<Tensor> xs{Tensor(args)...};
    Signature sig;
    for (const Tensor& x : xs) sig.push_back(spec_of(x));
    trace(sig);
    return f_(args...);
  }

  size_t num_traces() const { return cache_.size(); }

 private:
  std::string name_;
  F f_;
  std::vector<std::pair<Signature, TracedModule>> cache_;
  bool warned_ = false;
};

template <class F> Function<F> function(std::string name, F f) {
  return Function<F>(std::move(name), std::move(f));
}

}  // namespace kiln
