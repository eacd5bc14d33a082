// Reference reduction kernels. `reduced[i]` marks the axes to reduce; the output
// keeps reduced axes as size 1 (callers reshape for keepdims=false).
#pragma once

#include <vector>

#include "kiln/tensor.h"

namespace kiln::kernels {

enum class Reduce : uint8_t { sum, max, min };

Tensor reduce(Reduce op, const Tensor& x, const std::vector<bool>& reduced);
// int64 indices of the maximum along `axis` (first on ties), axis removed.
Tensor argmax(const Tensor& x, int axis);
// The k largest values along the last axis, sorted descending (a NaN ranks above every
// number; ties and NaNs by lower index first), and their int64 indices: both of shape
// x.shape with the last axis replaced by k. Requires 1 <= k <= x.shape.back().
struct TopK {
  Tensor values, indices;
};
TopK top_k(const Tensor& x, int64_t k);

}  // namespace kiln::kernels
