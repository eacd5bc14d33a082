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
// log(sum(exp(x))) computed stably.
Tensor logsumexp(const Tensor& x, const Axes& axes = {}, bool keepdims = false,
                 const Loc& loc = Loc::current());

// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
Tensor sum_to(const Tensor& x, const Shape& shape, const Loc& loc = Loc::current());

}  // namespace kiln
