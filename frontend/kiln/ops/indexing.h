// Row lookups and updates by integer index.
#pragma once

#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln {

// params[indices[...], ...] along axis 0: result shape indices.shape + params.shape[1:].
// Indices are int32 or int64 and must be in [0, params.shape[0]). Its gradient with
// respect to params is sparse (IndexedSlices).
Tensor gather(const Tensor& params, const Tensor& indices, const Loc& loc = Loc::current());
// tf.nn.embedding_lookup: gather rows of an embedding matrix.
Tensor embedding_lookup(const Tensor& params, const Tensor& ids, const Loc& loc = Loc::current());
// A copy of x with updates added at rows `indices` (duplicates accumulate):
// x[indices[i], ...] += updates[i, ...]; updates shape = indices.shape + x.shape[1:].
Tensor scatter_add(const Tensor& x, const Tensor& indices, const Tensor& updates,
                   const Loc& loc = Loc::current());
// one_hot(indices, depth)[..., j] = on if indices[...] == j else off.
Tensor one_hot(const Tensor& indices, int64_t depth, double on_value = 1, double off_value = 0,
               DType dtype = f32, const Loc& loc = Loc::current());

}  // namespace kiln
