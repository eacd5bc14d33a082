// Elementwise math with NumPy broadcasting: arithmetic, unary functions,
// comparisons, where, cast. Operands of different dtypes never mix (cast
// explicitly); C++ scalars take the tensor's dtype.
#pragma once

#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln {

// An operand of an overloaded operator: a tensor, a variable (read), or a gradient
// (densified), plus the user's source location (operators cannot take a default
// location argument, so the conversion captures it).
struct Operand {
  Operand(const Tensor& t, const Loc& l = Loc::current()) : tensor(t), loc(l) {}    // NOLINT
  Operand(const Variable& v, const Loc& l = Loc::current()) : tensor(v.value()), loc(l) {}  // NOLINT
  Operand(const Gradient& g, const Loc& l = Loc::current()) : tensor(g.to_dense()), loc(l) {}  // NOLINT
  Tensor tensor;
  Loc loc;
};

// Binary arithmetic.
Tensor add(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor subtract(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor multiply(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor divide(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor pow(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor pow(const Tensor& a, double exponent, const Loc& loc = Loc::current());
Tensor maximum(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor minimum(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());

// Unary functions.
Tensor neg(const Tensor& x, const Loc& loc = Loc::current());
Tensor exp(const Tensor& x, const Loc& loc = Loc::current());
Tensor log(const Tensor& x, const Loc& loc = Loc::current());
Tensor log1p(const Tensor& x, const Loc& loc = Loc::current());
Tensor expm1(const Tensor& x, const Loc& loc = Loc::current());
Tensor sqrt(const Tensor& x, const Loc& loc = Loc::current());
Tensor rsqrt(const Tensor& x, const Loc& loc = Loc::current());
Tensor abs(const Tensor& x, const Loc& loc = Loc::current());
Tensor sign(const Tensor& x, const Loc& loc = Loc::current());
Tensor square(const Tensor& x, const Loc& loc = Loc::current());
Tensor tanh(const Tensor& x, const Loc& loc = Loc::current());
Tensor sigmoid(const Tensor& x, const Loc& loc = Loc::current());
Tensor relu(const Tensor& x, const Loc& loc = Loc::current());
Tensor softplus(const Tensor& x, const Loc& loc = Loc::current());
Tensor floor(const Tensor& x, const Loc& loc = Loc::current());
Tensor logical_not(const Tensor& x, const Loc& loc = Loc::current());

// Comparisons return bool tensors.
Tensor equal(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor not_equal(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor less(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor less_equal(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor greater(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor greater_equal(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor logical_and(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor logical_or(const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());

// where(cond, a, b): a where cond is true, else b (all three broadcast).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Loc& loc = Loc::current());
Tensor cast(const Tensor& x, DType dtype, const Loc& loc = Loc::current());

// Operators. Scalars adopt the tensor operand's dtype.
Tensor operator+(const Operand& a, const Operand& b);
Tensor operator-(const Operand& a, const Operand& b);
Tensor operator*(const Operand& a, const Operand& b);
Tensor operator/(const Operand& a, const Operand& b);
Tensor operator+(const Operand& a, double b);
Tensor operator-(const Operand& a, double b);
Tensor operator*(const Operand& a, double b);
Tensor operator/(const Operand& a, double b);
Tensor operator+(double a, const Operand& b);
Tensor operator-(double a, const Operand& b);
Tensor operator*(double a, const Operand& b);
Tensor operator/(double a, const Operand& b);
Tensor operator-(const Operand& a);
Tensor operator<(const Operand& a, const Operand& b);
Tensor operator<=(const Operand& a, const Operand& b);
Tensor operator>(const Operand& a, const Operand& b);
Tensor operator>=(const Operand& a, const Operand& b);
Tensor operator<(const Operand& a, double b);
Tensor operator<=(const Operand& a, double b);
Tensor operator>(const Operand& a, double b);
Tensor operator>=(const Operand& a, double b);
Tensor operator&&(const Operand& a, const Operand& b);
Tensor operator||(const Operand& a, const Operand& b);
Tensor operator!(const Operand& a);

}  // namespace kiln
