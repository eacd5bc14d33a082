// Gradients as the tape returns them: a dense tensor, or IndexedSlices for the
// gradient of a gather (rows `indices` of a tensor of `dense_shape`; duplicate
// indices mean their values add up, as in tf.IndexedSlices).
#pragma once

#include <iosfwd>

#include "kiln/tensor.h"

namespace kiln {

struct IndexedSlices {
  Tensor indices;     // 1-D int32/int64, row numbers into dense_shape[0]
  Tensor values;      // [indices.numel(), dense_shape[1:]...]
  Shape dense_shape;  // the shape of the tensor this is a gradient of

  // The dense tensor these slices stand for (duplicates summed).
  Tensor to_dense(const Loc& loc = Loc::current()) const;
  // Sorted unique indices with duplicate rows summed (what Adagrad/Adam need).
  IndexedSlices coalesce(const Loc& loc = Loc::current()) const;
};

class Gradient {
 public:
  Gradient() = default;  // undefined: the target does not depend on the source
  Gradient(Tensor dense) : dense_(std::move(dense)) {}  // NOLINT: implicit by design
  Gradient(IndexedSlices s) : sparse_(true), slices_(std::move(s)) {}  // NOLINT

  bool defined() const { return sparse_ || dense_.defined(); }
  bool is_sparse() const { return sparse_; }
  const IndexedSlices& slices() const;  // only when is_sparse()
  const Shape& shape() const { return sparse_ ? slices_.dense_shape : dense_.shape(); }
  DType dtype() const { return sparse_ ? slices_.values.dtype() : dense_.dtype(); }

  // The dense value (scatters sparse gradients into zeros).
  Tensor to_dense(const Loc& loc = Loc::current()) const;
  operator Tensor() const { return to_dense(); }  // NOLINT: use as a tensor
  double item(const Loc& loc = Loc::current()) const { return to_dense(loc).item(loc); }

 private:
  Tensor dense_;
  bool sparse_ = false;
  IndexedSlices slices_;
};

std::ostream& operator<<(std::ostream& os, const Gradient& g);

// a + b for gradients: sparse + sparse concatenates the slices; anything with a
// dense side is dense.
Gradient accumulate(const Gradient& a, const Gradient& b);

}  // namespace kiln
