// Reference matrix-multiply kernel.
#pragma once

#include "kiln/tensor.h"

namespace kiln::kernels {

// a: [..., M, K], b: [..., K, N] with batch dims already broadcast-compatible;
// out_shape = broadcast(batch) + [M, N]. Both contiguous, not transposed.
Tensor matmul(const Tensor& a, const Tensor& b, const Shape& out_shape);

}  // namespace kiln::kernels
