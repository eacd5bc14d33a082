// Reductions over axes. An empty axis list reduces every axis; negative axes count
// from the end; keepdims keeps reduced axes with size 1 (NumPy semantics).
#pragma once

#include <vector>

#include "kiln/tensor.h"

namespace kiln {

using Axes = std::vector<int>;

Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false,
           const Loc& loc = Loc::current());
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false,
            const Loc& loc = Loc::current());
Tensor max(const Tensor& x, const Axes& axes = {}, bool keepdims = false,
           const Loc& loc = Loc::current());
Tensor min(const Tensor& x, const Axes& axes = {}, bool keepdims = false,
           const Loc& loc = Loc::current());
// Index of the largest value along one axis (first on ties), as int64.
Tensor argmax(const Tensor& x, int axis, const Loc& loc = Loc::current());
// The k largest entries along the last axis, like tf.math.top_k / torch.topk: `values`
// (x's dtype) and `indices` (int64), both of shape [..., k], sorted by value descending.
// Ties go to the lower index first; a NaN ranks above every number (as in argmax), and
// several NaNs keep their index order. Requires a numeric x of rank >= 1 and
// 1 <= k <= x.shape[-1]. The gradient flows through `values` only: it is the upstream
// gradient scattered back to the selected positions (zero elsewhere).
struct TopK {
  Tensor values;
  Tensor indices;
};
TopK top_k(const Tensor& x, int64_t k, const Loc& loc = Loc::current());
// log(sum(exp(x))) computed stably.
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false,
                 const Loc& loc = Loc::current());

// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
Tensor sum_to(const Tensor& x, const Shape& shape, const Loc& loc = Loc::current());

}  // namespace kiln
