// Reference CPU kernels for elementwise ops with NumPy broadcasting. Callers
// (ops/*.cpp) validate dtypes and shapes first; kernels never throw.
#pragma once

#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::kernels {

enum class Unary : uint8_t {
  neg, exp, log, log1p, expm1, sqrt, rsqrt, abs, sign, square, tanh, sigmoid, relu, softplus,
  floor, logical_not
};
enum class Binary : uint8_t {
  add, sub, mul, div, pow, maximum, minimum,
  equal, not_equal, less, less_equal, greater, greater_equal,
  logical_and, logical_or
};

const char* name(Unary op);
const char* name(Binary op);
inline bool is_comparison(Binary op) { return op >= Binary::equal && op <= Binary::greater_equal; }
inline bool is_logical(Binary op) { return op == Binary::logical_and || op == Binary::logical_or; }
// Ops defined only for floating-point inputs.
bool needs_floating(Unary op);

Tensor unary(Unary op, const Tensor& x);
// a and b have one dtype; out_shape is their broadcast shape.
Tensor binary(Binary op, const Tensor& a, const Tensor& b, const Shape& out_shape);
// cond is bool; a and b have one dtype; all broadcast to out_shape.
Tensor select(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape);
// Float-to-int casts saturate and map NaN to 0 (no undefined behaviour).
Tensor cast(const Tensor& x, DType to);
// x broadcast to shape (a copy).
Tensor broadcast(const Tensor& x, const Shape& shape);

}  // namespace kiln::kernels
