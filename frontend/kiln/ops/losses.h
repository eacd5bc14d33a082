// Losses, elementwise unless they say otherwise (reduce with kiln::mean / kiln::sum).
#pragma once

#include "kiln/tensor.h"

namespace kiln {

// Standard Huber loss (tf.keras.losses.Huber, elementwise):
//   0.5 t^2 if |t| <= delta, else delta (|t| - 0.5 delta), with t = labels - predictions.
Tensor huber_loss(const Tensor& labels, const Tensor& predictions, double delta = 1.0,
                  const Loc& loc = Loc::current());
// (a - b)^2 elementwise.
Tensor squared_difference(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
// tf.nn.sigmoid_cross_entropy_with_logits, elementwise and stable for any logits.
Tensor sigmoid_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits,
                                         const Loc& loc = Loc::current());
// tf.nn.softmax_cross_entropy_with_logits along the last axis: one loss per row.
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits,
                                         const Loc& loc = Loc::current());

}  // namespace kiln
