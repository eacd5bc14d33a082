// Matrix products.
#pragma once

#include "kiln/tensor.h"

namespace kiln {

// [..., M, K] x [..., K, N] -> [..., M, N]; leading (batch) dimensions broadcast.
// Rank-1 operands are not promoted: use reshape. transpose_a/b swap the last two axes.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false,
              bool transpose_b = false, const Loc& loc = Loc::current());

}  // namespace kiln
