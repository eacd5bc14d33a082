// kiln::Variable: named, mutable state (model weights, optimizer slots).
//
// A Variable is a handle: copies refer to the same variable. Reading it
// (value(), or passing it where a Tensor is expected) yields a snapshot that
// later updates never change: updates happen in place when no snapshot is alive,
// otherwise copy-on-write. Trainable variables are watched by every active
// GradientTape when read. Names are checkpoint keys ("huber/w").
#pragma once

#include <memory>
#include <string>

#include "kiln/autodiff/gradient.h"
#include "kiln/tensor.h"

namespace kiln {

class Variable {
 public:
  Variable() = default;
  Variable(std::string name, const Tensor& initial, bool trainable = true,
           const Loc& loc = Loc::current());

  bool defined() const { return impl_ != nullptr; }
  const std::string& name() const;
  bool trainable() const;
  uint64_t id() const;  // identity on gradient tapes
  DType dtype() const;
  const Shape& shape() const;

  // A snapshot of the current value, recorded on tapes that watch this variable.
  Tensor value() const;
  operator Tensor() const { return value(); }  // NOLINT: a variable reads as a tensor
  Tensor read_value() const { return value(); }

  // Updates. Shapes and dtypes must match the variable's (a C++ scalar or a
  // tensor broadcastable to it is accepted for assign_add/assign_sub).
  void assign(const Tensor& v, const Loc& loc = Loc::current());
  void assign_add(const Tensor& delta, const Loc& loc = Loc::current());
  void assign_sub(const Tensor& delta, const Loc& loc = Loc::current());
  void assign_add(double delta, const Loc& loc = Loc::current());
  void assign_sub(double delta, const Loc& loc = Loc::current());
  // Row updates: var[indices[i], ...] -= updates[i, ...] (duplicates accumulate).
  void scatter_sub(const Tensor& indices, const Tensor& updates, const Loc& loc = Loc::current());
  void scatter_add(const Tensor& indices, const Tensor& updates, const Loc& loc = Loc::current());
  void scatter_sub(const IndexedSlices& s, const Loc& loc = Loc::current()) {
    scatter_sub(s.indices, s.values, loc);
  }

  // A second handle on this variable's bytes, for Hogwild training (several threads updating
  // shared weights without locks, as word2vec.c does): same name, shape and memory, its own
  // identity on tapes and its own storage object, so its copy-on-write sees only the
  // snapshots taken through it; give each thread one and keep a thread's snapshots dead
  // while it updates (as sgns_step does), and every update lands in the shared bytes. Reads
  // and writes of other threads race on the values (accepted by Hogwild, never on the
  // handles). This variable treats its views as snapshots: update through the views while
  // they live. The bytes live as long as the variable or any view does.
  Variable shared_view(const Loc& loc = Loc::current()) const;

  // The live storage, for checkpoint writers and the runtime: no snapshot, no tape.
  const Tensor& storage() const;
  // The live storage, first made uniquely owned (a snapshot alive elsewhere keeps the
  // old contents): for compiled code, which updates the variable in place through it.
  Tensor& mutable_storage();

  std::string str() const;

 private:
  struct Impl;
  Tensor& writable_value();
  std::shared_ptr<Impl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Variable& v);

}  // namespace kiln
