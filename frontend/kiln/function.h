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
// trace per input signature and warns when it keeps retracing.
//
// Calling a kiln::function compiles its trace on the first call per signature and runs
// native code from then on, updating variables in place, when the program links the
// compiler (target kiln_compiler); otherwise, or with run_functions_eagerly(true) or
// the environment variable KILN_RUN_EAGERLY=1, it runs the C++ eagerly (like
// tf.config.run_functions_eagerly). Compiled calls do what the traced ops do: C++ side
// effects of the function (printing, pushing to a std::vector) happen at trace time only.
#pragma once

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "kiln/tensor.h"
#include "kiln/variable.h"

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
  // The variables the traced functions read or update, captured at trace time (a
  // module read by load() has none: its caller passes variables by name).
  std::vector<Variable> variables() const;
  // Adds (clones) every function of `other` into this module; names must not clash.
  void merge(const TracedModule& other, const Loc& loc = Loc::current());
  // Names the inputs (the non-variable arguments, in order) and outputs of `function`, as
  // the runtime shows them and kiln-run's `--input x=...` takes them. Unnamed inputs and
  // outputs are x0, x1, ... and result0, result1, ...
  void set_input_names(const std::string& function, const std::vector<std::string>& names,
                       const Loc& loc = Loc::current());
  void set_output_names(const std::string& function, const std::vector<std::string>& names,
                        const Loc& loc = Loc::current());
  // Marks `function` row-mapped (like vmap over a per-example function): it was traced for
  // one example (leading dim 1 on every input and output) and updates no variable; the
  // runtime runs it over inputs with any number of rows.
  void set_batched(const std::string& function, const Loc& loc = Loc::current());
  // Declares that the integer input or output `name` of `function` holds ids of the
  // vocabulary stored in checkpoint metadata under `metadata_key` (one token per line, the
  // id is the line number; kiln::data::Vocabulary::serialize writes it): kiln-run and
  // standalone executables then read words for that input and print words for that output
  // (like a string lookup layer around an exported model).
  void set_vocabulary(const std::string& function, const std::string& name,
                      const std::string& metadata_key, const Loc& loc = Loc::current());
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

// Whether kiln::function calls run their C++ eagerly instead of compiled code. The
// default is false, or true when the environment variable KILN_RUN_EAGERLY is 1.
void run_functions_eagerly(bool eagerly);
bool functions_run_eagerly();

namespace detail {

// kiln::function's compiled path, behind an interface so that this header and
// kiln_frontend have no MLIR in them. The compiler library registers its
// FunctionCompiler at static initialization when it is linked into the program (its
// CMake target forces the registering object in); without one, functions run eagerly.
class CompiledFunction {
 public:
  virtual ~CompiledFunction() = default;
  // Runs the function on `inputs`, updating its variables in place; returns its outputs.
  virtual std::vector<Tensor> run(const std::vector<Tensor>& inputs) = 0;
};
using FunctionCompiler = std::unique_ptr<CompiledFunction> (*)(const TracedModule& module,
                                                               const std::string& name);
void set_function_compiler(FunctionCompiler compiler);
FunctionCompiler function_compiler();  // null when no compiler is linked in
// Inside a trace, a kiln::function call is traced inline; under a recording
// GradientTape it runs eagerly, so that the tape sees its ops.
bool must_run_inline();

// Rebuilds what the C++ function returns (R) from the compiled outputs.
template <class R> R from_outputs(std::vector<Tensor>& outs) {
  if constexpr (std::is_void_v<R>) {
    (void)outs;
    return;
  } else if constexpr (std::is_same_v<R, Tensor>) {
    return outs.at(0);
  } else if constexpr (std::is_same_v<R, std::vector<Tensor>>) {
    return outs;
  } else {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return R{outs.at(I)...};
    }(std::make_index_sequence<std::tuple_size_v<R>>{});
  }
}

// Whether compiled outputs can be handed back as an R (else the call runs eagerly).
template <class R> constexpr bool compiled_returnable() {
  if constexpr (std::is_void_v<R> || std::is_same_v<R, Tensor> ||
                std::is_same_v<R, std::vector<Tensor>>) {
    return true;
  } else {
    return requires { std::tuple_size<R>::value; };
  }
}

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
    return entry(signature, loc).module;
  }

  // Traces for the arguments' signature (cached); then runs the compiled function
  // (compiled on its first call), or the C++ eagerly (see the top of this file).
  template <class... A> auto operator()(const A&... args) {
    using R = decltype(f_(args...));
    if (detail::must_run_inline()) return f_(args...);
    std::vector<Tensor> xs{Tensor(args)...};
    Signature sig;
    for (const Tensor& x : xs) sig.push_back(spec_of(x));
    Entry& e = entry(sig, Loc::current());
    if constexpr (detail::compiled_returnable<R>()) {
      detail::FunctionCompiler compiler = detail::function_compiler();
      if (compiler && !functions_run_eagerly()) {
        if (!e.compiled) e.compiled = compiler(e.module, name_);
        std::vector<Tensor> outs = e.compiled->run(xs);
        return detail::from_outputs<R>(outs);
      }
    }
    return f_(args...);
  }

  size_t num_traces() const { return cache_.size(); }

 private:
  struct Entry {
    Signature signature;
    TracedModule module;
    std::shared_ptr<detail::CompiledFunction> compiled;  // made on the first call
  };

  Entry& entry(const Signature& signature, const Loc& loc) {
    detail::check_arity(name_, kArity, signature.size(), loc);
    for (Entry& e : cache_)
      if (e.signature == signature) return e;
    TraceFn fn = [this](const std::vector<Tensor>& xs) {
      return detail::call_unpacked(f_, xs, std::make_index_sequence<kArity>{});
    };
    cache_.push_back(Entry{signature, kiln::trace(name_, fn, signature, loc), nullptr});
    if (cache_.size() >= kRetraceWarning && !warned_) {
      detail::warn_retracing(name_, cache_.size(), signature);
      warned_ = true;
    }
    return cache_.back();
  }

  std::string name_;
  F f_;
  std::vector<Entry> cache_;
  bool warned_ = false;
};

template <class F> Function<F> function(std::string name, F f) {
  return Function<F>(std::move(name), std::move(f));
}

}  // namespace kiln
