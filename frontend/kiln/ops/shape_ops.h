// Ops that move data without arithmetic: reshape, transpose, broadcast, concat, slice.
#pragma once

#include <vector>

#include "kiln/tensor.h"

namespace kiln {

// One dimension may be -1 (inferred). Shares storage with x.
Tensor reshape(const Tensor& x, const Shape& shape, const Loc& loc = Loc::current());
// perm empty: reverse the axes.
Tensor transpose(const Tensor& x, const std::vector<int>& perm = {},
                 const Loc& loc = Loc::current());
Tensor broadcast_to(const Tensor& x, const Shape& shape, const Loc& loc = Loc::current());
Tensor concat(const std::vector<Tensor>& xs, int axis, const Loc& loc = Loc::current());
// size[i] = -1 means "to the end of axis i".
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size,
             const Loc& loc = Loc::current());
// Zero padding: low[i] elements before and high[i] after along each axis.
Tensor pad(const Tensor& x, const std::vector<int64_t>& low, const std::vector<int64_t>& high,
           const Loc& loc = Loc::current());
Tensor expand_dims(const Tensor& x, int axis, const Loc& loc = Loc::current());
// axes empty: remove every size-1 axis.
Tensor squeeze(const Tensor& x, const std::vector<int>& axes = {},
               const Loc& loc = Loc::current());
Tensor stack(const std::vector<Tensor>& xs, int axis = 0, const Loc& loc = Loc::current());

}  // namespace kiln
