// Weight initializers, as in tf.keras.initializers: random tensors drawn from a
// kiln::Generator, so a seed gives the same weights eagerly and compiled.
#pragma once

#include "kiln/random.h"
#include "kiln/tensor.h"

namespace kiln::nn {

// Glorot (Xavier) uniform: U[-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)), fans
// computed as Keras does: a [in, out] kernel has fan_in = in and fan_out = out; for rank > 2
// both are multiplied by the receptive field prod(shape[:-2]); rank 1 uses shape[0] for both.
Tensor glorot_uniform(const Shape& shape, Generator& gen, DType dtype = f32,
                      const Loc& loc = Loc::current());

}  // namespace kiln::nn
