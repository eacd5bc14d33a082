// Reference kernels that move elements: transpose, concat, slice, gather, scatter-add.
// Callers validate shapes and indices first.
#pragma once

#include <vector>

#include "kiln/tensor.h"

namespace kiln::kernels {

Tensor transpose(const Tensor& x, const std::vector<int>& perm);
Tensor concat(const std::vector<Tensor>& xs, int axis, const Shape& out_shape);
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const Shape& out_shape);
// Rows of params (axis 0) at int32/int64 indices (all in range).
Tensor gather(const Tensor& params, const Tensor& indices);
// out = x; out[indices[i]] += updates[i] for each i.
Tensor scatter_add(const Tensor& x, const Tensor& indices, const Tensor& updates);
// In place: x[indices[i]] += sign * updates[i]; for variable updates.
void scatter_accumulate(Tensor& x, const Tensor& indices, const Tensor& updates, double sign);
// The first index outside [0, rows), or -1 when all are in range.
int64_t first_out_of_range(const Tensor& indices, int64_t rows);
int64_t index_at(const Tensor& indices, int64_t i);

}  // namespace kiln::kernels
