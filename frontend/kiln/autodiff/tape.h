// Tape-based reverse-mode autodiff, as in TensorFlow eager.
//
//   kiln::GradientTape tape;                // records while in scope
//   auto loss = kiln::huber_loss(y, x * w + b, /*delta=*/1.0);
//   auto grads = tape.gradient(loss, {w, b});
//
// Every primitive op that reads a watched tensor records one entry: its inputs,
// its output and a backward rule written with kiln ops (so the backward pass
// could itself be recorded by an outer tape, or traced). Trainable variables are
// watched automatically when read; tensors with tape.watch(t).
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include "kiln/autodiff/backward_fn.h"
#include "kiln/autodiff/gradient.h"
#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln {

// What to differentiate with respect to: a tensor or a variable.
class Source {
 public:
  Source(const Tensor& t) : id_(t.id()), shape_(t.shape()), dtype_(t.dtype()) {}  // NOLINT
  Source(const Variable& v) : id_(v.id()), shape_(v.shape()), dtype_(v.dtype()) {}  // NOLINT
  uint64_t id() const { return id_; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }

 private:
  uint64_t id_;
  Shape shape_;
  DType dtype_;
};

enum class UnconnectedGradients { none, zero };

class GradientTape {
 public:
  explicit GradientTape(bool persistent = false, bool watch_accessed_variables = true);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& t);
  void watch(const Variable& v);

  // d target / d source for each source. A non-persistent tape answers once.
  std::vector<Gradient> gradient(const Tensor& target, std::initializer_list<Source> sources,
                                 UnconnectedGradients unconnected = UnconnectedGradients::none,
                                 const Loc& loc = Loc::current());
  std::vector<Gradient> gradient(const Tensor& target, const std::vector<Variable>& sources,
                                 UnconnectedGradients unconnected = UnconnectedGradients::none,
                                 const Loc& loc = Loc::current());
  std::vector<Gradient> gradient(const Tensor& target, const std::vector<Tensor>& sources,
                                 UnconnectedGradients unconnected = UnconnectedGradients::none,
                                 const Loc& loc = Loc::current());
  // With an explicit upstream gradient (vector-Jacobian product) of target's shape.
  std::vector<Gradient> gradient(const Tensor& target, const std::vector<Source>& sources,
                                 const Tensor& output_gradient,
                                 UnconnectedGradients unconnected = UnconnectedGradients::none,
                                 const Loc& loc = Loc::current());

  // The trainable variables read while recording, in first-read order.
  std::vector<Variable> watched_variables() const;

  // Pause recording inside a scope: { auto pause = tape.stop_recording(); ... }
  class Pause {
   public:
    explicit Pause(GradientTape* t);
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;
   private:
    GradientTape* tape_;
  };
  Pause stop_recording() { return Pause(this); }

  struct State;  // internal

 private:
  std::unique_ptr<State> state_;
  std::vector<Gradient> compute(const Tensor& target, const std::vector<Source>& sources,
                                const Tensor* output_gradient, UnconnectedGradients unconnected,
                                const Loc& loc);
};

// Disables recording on every tape of this thread while in scope (like torch.no_grad).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;
};

// The same value, cut off from every tape.
Tensor stop_gradient(const Tensor& t, const Loc& loc = Loc::current());

namespace detail {

// A primitive's backward rule (BackwardFn, backward_fn.h): input gradients from the
// output's gradient. It returns an undefined Gradient for inputs that have none.

// Number of tapes recording on this thread; ops skip all tape work when zero.
extern thread_local int t_recording_tapes;
inline bool tapes_active() { return t_recording_tapes > 0; }

// Records `output = op(inputs)` on every recording tape that watches an input.
void record_op(const char* op, std::initializer_list<const Tensor*> inputs, const Tensor& output,
               BackwardFn backward);
void record_op(const char* op, const std::vector<Tensor>& inputs, const Tensor& output,
               BackwardFn backward);
// Records a read of variable `v` that produced snapshot `value`.
void record_variable_read(const Variable& v, const Tensor& value);

}  // namespace detail
}  // namespace kiln
