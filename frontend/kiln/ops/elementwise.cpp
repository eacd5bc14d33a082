// Elementwise primitives and their gradient rules (one rule beside each forward).
#include <cmath>

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/elementwise.h"
#include "kiln/kernels/layout.h"
#include "kiln/ops/math.h"
#include "kiln/ops/reduce.h"
#include "kiln/ops/shape_ops.h"
#include "kiln/tracing.h"

namespace kiln {
namespace {

using kernels::Binary;
using kernels::Unary;
using Grads = std::vector<Gradient>;

void check_defined(const char* op, const Tensor& t) {
  if (!t.defined()) detail::fail(op, "an operand is an undefined tensor");
}

std::string dt(DType d) { return std::string(dtype_name(d)); }

// The kiln dialect's name for each elementwise op (see dialects/kiln).
const char* dialect_name(Unary op) {
  return op == Unary::logical_not ? "kiln.not" : nullptr;
}

const char* dialect_name(Binary op) {
  switch (op) {
    case Binary::add: return "kiln.add";
    case Binary::sub: return "kiln.sub";
    case Binary::mul: return "kiln.mul";
    case Binary::div: return "kiln.div";
    case Binary::pow: return "kiln.pow";
    case Binary::maximum: return "kiln.max";
    case Binary::minimum: return "kiln.min";
    case Binary::logical_and: return "kiln.and";
    case Binary::logical_or: return "kiln.or";
    default: return "kiln.compare";
  }
}

const char* compare_predicate(Binary op) {
  switch (op) {
    case Binary::equal: return "eq";
    case Binary::not_equal: return "ne";
    case Binary::less: return "lt";
    case Binary::less_equal: return "le";
    case Binary::greater: return "gt";
    default: return "ge";
  }
}

// In a trace the dialect has no implicit broadcasting: broadcast operands first.
Tensor broadcast_for_trace(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  NoGradGuard no_tape;  // the op's own gradient rule already undoes the broadcast
  return broadcast_to(t, shape);
}

// ---------------------------------------------------------------------------
// Unary

Tensor unary_prim(Unary op, const Tensor& x) {
  const char* nm = kernels::name(op);
  check_defined(nm, x);
  if (kernels::needs_floating(op) && !is_floating(x.dtype()))
    detail::fail(nm, "expected a floating-point tensor, got " + dt(x.dtype()) +
                         "; cast it with kiln::cast");
  if (op == Unary::logical_not && x.dtype() != boolean)
    detail::fail(nm, "expected a bool tensor, got " + dt(x.dtype()));
  if (op != Unary::logical_not && x.dtype() == boolean)
    detail::fail(nm, "not defined for bool tensors; cast first");
  Tensor y;
  if (x.is_symbolic()) {
    std::string name = dialect_name(op) ? dialect_name(op) : std::string("kiln.") + nm;
    y = detail::emit_op(name.c_str(), {x}, {}, x.shape(), x.dtype());
  } else {
    y = kernels::unary(op, x);
  }
  if (!detail::tapes_active() || !is_floating(x.dtype())) return y;
  detail::BackwardFn rule;
  switch (op) {
    case Unary::neg: rule = [](const Tensor& dy) -> Grads { return {neg(dy)}; }; break;
    case Unary::exp: rule = [y](const Tensor& dy) -> Grads { return {dy * y}; }; break;
    case Unary::log: rule = [x](const Tensor& dy) -> Grads { return {dy / x}; }; break;
    case Unary::log1p: rule = [x](const Tensor& dy) -> Grads { return {dy / (x + 1.0)}; }; break;
    case Unary::expm1: rule = [y](const Tensor& dy) -> Grads { return {dy * (y + 1.0)}; }; break;
    case Unary::sqrt: rule = [y](const Tensor& dy) -> Grads { return {dy * 0.5 / y}; }; break;
    case Unary::rsqrt:
      rule = [y](const Tensor& dy) -> Grads { return {dy * -0.5 * y * y * y}; };
      break;
    case Unary::abs: rule = [x](const Tensor& dy) -> Grads { return {dy * sign(x)}; }; break;
    case Unary::square: rule = [x](const Tensor& dy) -> Grads { return {dy * 2.0 * x}; }; break;
    case Unary::tanh:
      rule = [y](const Tensor& dy) -> Grads { return {dy * (1.0 - y * y)}; };
      break;
    case Unary::sigmoid:
      rule = [y](const Tensor& dy) -> Grads { return {dy * y * (1.0 - y)}; };
      break;
    case Unary::relu:
      rule = [x](const Tensor& dy) -> Grads { return {where(x > 0.0, dy, zeros_like(dy))}; };
      break;
    case Unary::softplus:
      rule = [x](const Tensor& dy) -> Grads { return {dy * sigmoid(x)}; };
      break;
    default: return y;  // sign, floor, logical_not: no gradient
  }
  detail::record_op(nm, {&x}, y, std::move(rule));
  return y;
}

// ---------------------------------------------------------------------------
// Binary

Tensor binary_prim(Binary op, const Tensor& a, const Tensor& b) {
  const char* nm = kernels::name(op);
  check_defined(nm, a);
  check_defined(nm, b);
  if (a.dtype() != b.dtype())
    detail::fail(nm, "dtype mismatch: " + dt(a.dtype()) + " and " + dt(b.dtype()) +
                         " (kiln does not convert implicitly; cast one operand)");
  if (kernels::is_logical(op) && a.dtype() != boolean)
    detail::fail(nm, "expected bool tensors, got " + dt(a.dtype()));
  if (!kernels::is_logical(op) && !kernels::is_comparison(op) && a.dtype() == boolean)
    detail::fail(nm, "arithmetic is not defined for bool tensors; cast first");
  Shape out;
  if (!broadcast_shapes(a.shape(), b.shape(), &out))
    detail::fail(nm, "shapes " + a.shape().str() + " and " + b.shape().str() +
                         " are not broadcastable");
  if (op == Binary::div && is_integer(a.dtype()) && !b.is_symbolic()) {
    for (int64_t i = 0, n = b.numel(); i < n; ++i)
      if (kernels::index_at(b, i) == 0)
        detail::fail(nm, "integer division by zero (divisor element " + std::to_string(i) + ")");
  }
  Tensor y;
  if (detail::any_symbolic({&a, &b})) {
    DType rdt = kernels::is_comparison(op) || kernels::is_logical(op) ? boolean : a.dtype();
    Tensor ta = broadcast_for_trace(a, out), tb = broadcast_for_trace(b, out);
    if (kernels::is_comparison(op))
      y = detail::emit_op("kiln.compare", {ta, tb},
                          {{"predicate", std::string(compare_predicate(op))}}, out, rdt);
    else
      y = detail::emit_op(dialect_name(op), {ta, tb}, {}, out, rdt);
  } else {
    y = kernels::binary(op, a, b, out);
  }
  if (!detail::tapes_active() || !is_floating(a.dtype()) || kernels::is_comparison(op) ||
      kernels::is_logical(op))
    return y;
  detail::BackwardFn rule;
  switch (op) {
    // Without broadcasting the rules skip sum_to (and capture no shapes): the common
    // case of a training step, where recording must stay cheap.
    case Binary::add:
      if (a.shape() == b.shape())
        rule = [](const Tensor& dy) -> Grads { return {dy, dy}; };
      else
        rule = [sa = a.shape(), sb = b.shape()](const Tensor& dy) -> Grads {
          return {sum_to(dy, sa), sum_to(dy, sb)};
        };
      break;
    case Binary::sub:
      if (a.shape() == b.shape())
        rule = [](const Tensor& dy) -> Grads { return {dy, neg(dy)}; };
      else
        rule = [sa = a.shape(), sb = b.shape()](const Tensor& dy) -> Grads {
          return {sum_to(dy, sa), sum_to(neg(dy), sb)};
        };
      break;
    case Binary::mul:
      if (a.shape() == b.shape())
        rule = [a, b](const Tensor& dy) -> Grads { return {dy * b, dy * a}; };
      else
        rule = [a, b](const Tensor& dy) -> Grads {
          return {sum_to(dy * b, a.shape()), sum_to(dy * a, b.shape())};
        };
      break;
    case Binary::div:
      rule = [a, b](const Tensor& dy) -> Grads {
        return {sum_to(dy / b, a.shape()), sum_to(neg(dy) * a / (b * b), b.shape())};
      };
      break;
    case Binary::pow:
      rule = [a, b, y](const Tensor& dy) -> Grads {
        Tensor da = dy * b * pow(a, b - 1.0);
        // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TensorFlow does).
        Tensor safe = where(a > 0.0, a, ones_like(a));
        Tensor db = where(a > 0.0, dy * y * log(safe), zeros_like(y));
        return {sum_to(da, a.shape()), sum_to(db, b.shape())};
      };
      break;
    case Binary::maximum:
    case Binary::minimum:
      rule = [a, b, op](const Tensor& dy) -> Grads {
        Tensor pick_a = op == Binary::maximum ? greater_equal(a, b) : less_equal(a, b);
        Tensor z = zeros_like(dy);
        return {sum_to(where(pick_a, dy, z), a.shape()), sum_to(where(pick_a, z, dy), b.shape())};
      };
      break;
    default: return y;
  }
  detail::record_op(nm, {&a, &b}, y, std::move(rule));
  return y;
}

Tensor scalar_for(double v, const Operand& other) {
  return scalar_like(v, other.tensor, other.loc);
}

}  // namespace

#define KILN_UNARY(fn, OP)                                   \
  Tensor fn(const Tensor& x, const Loc& loc) {               \
    detail::ApiScope scope(#fn, loc);                        \
    return unary_prim(Unary::OP, x);                         \
  }
KILN_UNARY(neg, neg)
KILN_UNARY(exp, exp)
KILN_UNARY(log, log)
KILN_UNARY(log1p, log1p)
KILN_UNARY(expm1, expm1)
KILN_UNARY(sqrt, sqrt)
KILN_UNARY(rsqrt, rsqrt)
KILN_UNARY(abs, abs)
KILN_UNARY(sign, sign)
KILN_UNARY(square, square)
KILN_UNARY(tanh, tanh)
KILN_UNARY(sigmoid, sigmoid)
KILN_UNARY(relu, relu)
KILN_UNARY(softplus, softplus)
KILN_UNARY(floor, floor)
KILN_UNARY(logical_not, logical_not)
#undef KILN_UNARY

#define KILN_BINARY(fn, OP)                                          \
  Tensor fn(const Tensor& a, const Tensor& b, const Loc& loc) {      \
    detail::ApiScope scope(#fn, loc);                                \
    return binary_prim(Binary::OP, a, b);                            \
  }
KILN_BINARY(add, add)
KILN_BINARY(subtract, sub)
KILN_BINARY(multiply, mul)
KILN_BINARY(divide, div)
KILN_BINARY(pow, pow)
KILN_BINARY(maximum, maximum)
KILN_BINARY(minimum, minimum)
KILN_BINARY(equal, equal)
KILN_BINARY(not_equal, not_equal)
KILN_BINARY(less, less)
KILN_BINARY(less_equal, less_equal)
KILN_BINARY(greater, greater)
KILN_BINARY(greater_equal, greater_equal)
KILN_BINARY(logical_and, logical_and)
KILN_BINARY(logical_or, logical_or)
#undef KILN_BINARY

Tensor pow(const Tensor& a, double exponent, const Loc& loc) {
  detail::ApiScope scope("pow", loc);
  check_defined("pow", a);
  return binary_prim(Binary::pow, a, scalar_like(exponent, a, loc));
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Loc& loc) {
  detail::ApiScope scope("where", loc);
  check_defined("where", cond);
  check_defined("where", a);
  check_defined("where", b);
  if (cond.dtype() != boolean)
    detail::fail("where", "condition must be bool, got " + dt(cond.dtype()));
  if (a.dtype() != b.dtype())
    detail::fail("where", "dtype mismatch between branches: " + dt(a.dtype()) + " and " +
                              dt(b.dtype()));
  Shape ab, out;
  if (!broadcast_shapes(a.shape(), b.shape(), &ab) || !broadcast_shapes(cond.shape(), ab, &out))
    detail::fail("where", "shapes " + cond.shape().str() + ", " + a.shape().str() + " and " +
                              b.shape().str() + " are not broadcastable");
  Tensor y = detail::any_symbolic({&cond, &a, &b})
                 ? detail::emit_op("kiln.select",
                                   {broadcast_for_trace(cond, out), broadcast_for_trace(a, out),
                                    broadcast_for_trace(b, out)},
                                   {}, out, a.dtype())
                 : kernels::select(cond, a, b, out);
  if (detail::tapes_active() && is_floating(a.dtype())) {
    detail::record_op("where", {&cond, &a, &b}, y,
                      [cond, sa = a.shape(), sb = b.shape()](const Tensor& dy) -> Grads {
                        Tensor z = zeros_like(dy);
                        return {Gradient(), sum_to(where(cond, dy, z), sa),
                                sum_to(where(cond, z, dy), sb)};
                      });
  }
  return y;
}

Tensor cast(const Tensor& x, DType dtype, const Loc& loc) {
  detail::ApiScope scope("cast", loc);
  check_defined("cast", x);
  if (x.dtype() == dtype) return x;
  Tensor y = x.is_symbolic() ? detail::emit_op("kiln.cast", {x}, {}, x.shape(), dtype)
                             : kernels::cast(x, dtype);
  if (detail::tapes_active() && is_floating(x.dtype()) && is_floating(dtype)) {
    detail::record_op("cast", {&x}, y, [from = x.dtype()](const Tensor& dy) -> Grads {
      return {cast(dy, from)};
    });
  }
  return y;
}

// Operators: the Operand carries the user's location.
#define KILN_OPERATOR(sym, fn)                                                         \
  Tensor operator sym(const Operand& a, const Operand& b) {                            \
    return fn(a.tensor, b.tensor, a.loc);                                              \
  }                                                                                    \
  Tensor operator sym(const Operand& a, double b) {                                    \
    return fn(a.tensor, scalar_for(b, a), a.loc);                                      \
  }
KILN_OPERATOR(+, add)
KILN_OPERATOR(-, subtract)
KILN_OPERATOR(*, multiply)
KILN_OPERATOR(/, divide)
KILN_OPERATOR(<, less)
KILN_OPERATOR(<=, less_equal)
KILN_OPERATOR(>, greater)
KILN_OPERATOR(>=, greater_equal)
#undef KILN_OPERATOR

Tensor operator+(double a, const Operand& b) { return add(scalar_for(a, b), b.tensor, b.loc); }
Tensor operator-(double a, const Operand& b) { return subtract(scalar_for(a, b), b.tensor, b.loc); }
Tensor operator*(double a, const Operand& b) { return multiply(scalar_for(a, b), b.tensor, b.loc); }
Tensor operator/(double a, const Operand& b) { return divide(scalar_for(a, b), b.tensor, b.loc); }
Tensor operator-(const Operand& a) { return neg(a.tensor, a.loc); }
Tensor operator&&(const Operand& a, const Operand& b) { return logical_and(a.tensor, b.tensor, a.loc); }
Tensor operator||(const Operand& a, const Operand& b) { return logical_or(a.tensor, b.tensor, a.loc); }
Tensor operator!(const Operand& a) { return logical_not(a.tensor, a.loc); }

}  // namespace kiln
