// kiln::optim::Optimizer: the base of SGD, Adagrad and Adam, with tf.keras semantics.
//
//   auto opt = kiln::optim::Adam(kiln::optim::AdamOptions(/*learning_rate=*/1e-3));
//   auto grads = tape.gradient(loss, model.trainable_variables());
//   opt.apply(grads, model.trainable_variables());
//   // or: opt.minimize([&] { return loss_fn(model, x, y); }, model.trainable_variables());
//
// Updates are written with kiln ops and in-place Variable updates (no per-element C++ loops),
// so a whole training step can be traced later. Sparse gradients (IndexedSlices, from gather
// and embedding_lookup) update only the rows they name wherever the algorithm allows; each
// subclass documents what it does with them.
//
// State is kiln::Variables, so checkpoints can save it: per-variable slots named as
// TensorFlow 1 names them ("<var>/Momentum", "<var>/Adagrad", "<var>/Adam", "<var>/Adam_1"),
// non-trainable, created on the first apply() that gives the variable a gradient; and the
// step count "<optimizer>/iter" (int64), which Adam's bias correction reads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiln/autodiff/functions.h"
#include "kiln/autodiff/gradient.h"
#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln::optim {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update step: var_i is updated with grads_i. Undefined gradients are skipped (the
  // target did not depend on that variable); all of them undefined is an error, as in Keras.
  // Everything is checked before any variable changes: on error nothing was updated.
  void apply(const std::vector<Gradient>& grads, const std::vector<Variable>& vars,
             const Loc& loc = Loc::current());
  // The pairs kiln::implicit_gradients returns.
  void apply(const std::vector<GradientAndVariable>& grads_and_vars,
             const Loc& loc = Loc::current());
  // Runs loss_fn under a tape, then applies the gradient of its result to `vars` (by
  // default, the trainable variables loss_fn read). Returns the loss.
  Tensor minimize(const std::function<Tensor()>& loss_fn, const std::vector<Variable>& vars,
                  const Loc& loc = Loc::current());
  Tensor minimize(const std::function<Tensor()>& loss_fn, const Loc& loc = Loc::current());
  // Creates the slots of `vars` now instead of at their first update, as Keras's
  // optimizer.build(var_list) does: restoring a checkpoint into a fresh optimizer needs the
  // slot variables to exist. Variables that already have slots keep them.
  void build(const std::vector<Variable>& vars, const Loc& loc = Loc::current());

  const std::string& name() const { return name_; }  // "SGD", "Adagrad", "Adam"
  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double lr, const Loc& loc = Loc::current());
  // The number of apply() calls so far (the value of iterations()).
  int64_t step() const;
  const Variable& iterations() const { return iterations_; }  // "<name>/iter", int64 scalar

  // The slot `slot_name` ("momentum", "accumulator", "m", "v") of `var`; an error if absent.
  Variable slot(const Variable& var, const std::string& slot_name,
                const Loc& loc = Loc::current()) const;
  // The names of the slots this optimizer keeps per variable.
  std::vector<std::string> slot_names() const;
  // Every slot variable, in creation order (variables in first-update order, then slots).
  std::vector<Variable> slot_variables() const;
  // iterations() followed by slot_variables(): everything a checkpoint needs.
  std::vector<Variable> variables() const;

 protected:
  struct SlotSpec {
    std::string name;    // "m": what slot() looks it up by
    std::string suffix;  // "Adam": the variable is "<var>/Adam"
    double initial;      // every element's starting value
  };
  Optimizer(std::string name, double learning_rate, std::vector<SlotSpec> slots);

  // The update rules. `slots` holds this variable's slot variables in SlotSpec order.
  // Implementations must not keep snapshots (value()) of a variable alive while updating it,
  // or the update copies the storage instead of working in place.
  virtual void apply_dense(const Tensor& grad, Variable& var, std::vector<Variable>& slots) = 0;
  virtual void apply_sparse(const IndexedSlices& grad, Variable& var,
                            std::vector<Variable>& slots) = 0;

  // The step being applied, 1 for the first apply(), as a scalar of `dtype`.
  Tensor local_step(DType dtype) const;

 private:
  void check(const Gradient& g, const Variable& v, size_t i) const;
  std::vector<Variable>& slots_for(const Variable& var);

  std::string name_;
  double learning_rate_;
  std::vector<SlotSpec> slot_specs_;
  Variable iterations_;
  std::map<uint64_t, std::vector<Variable>> slots_;  // by variable id
  std::vector<Variable> slot_order_;                 // creation order, for listings
};

}  // namespace kiln::optim
