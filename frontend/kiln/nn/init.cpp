// Weight initializers: fan computation and the draws.
#include "kiln/nn/init.h"

#include <cmath>

namespace kiln::nn {

Tensor glorot_uniform(const Shape& shape, Generator& gen, DType dtype, const Loc& loc) {
  kiln::detail::ApiScope api("glorot_uniform", loc);
  double fan_in = 1, fan_out = 1;
  if (shape.rank() == 1) {
    fan_in = fan_out = static_cast<double>(shape[0]);
  } else if (shape.rank() >= 2) {
    double receptive = 1;
    for (int i = 0; i + 2 < shape.rank(); ++i) receptive *= static_cast<double>(shape[i]);
    fan_in = static_cast<double>(shape.dim(-2)) * receptive;
    fan_out = static_cast<double>(shape.dim(-1)) * receptive;
  }
  if (fan_in + fan_out <= 0)
    kiln::detail::fail("glorot_uniform", "shape " + shape.str() + " has no fan-in or fan-out");
  double limit = std::sqrt(6.0 / (fan_in + fan_out));
  return random_uniform(shape, gen, -limit, limit, dtype);
}

}  // namespace kiln::nn
