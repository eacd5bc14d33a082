// Neural-network functions built from primitives (they get gradients for free).
#pragma once

#include "kiln/ops/reduce.h"
#include "kiln/tensor.h"

namespace kiln {

Tensor softmax(const Tensor& logits, int axis = -1, const Loc& loc = Loc::current());
Tensor log_softmax(const Tensor& logits, int axis = -1, const Loc& loc = Loc::current());

}  // namespace kiln
