// Elementwise kernels: one loop skeleton (flat fast paths + a strided broadcast
// walk) instantiated per dtype and operation.
#include "kiln/kernels/elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kiln/kernels/parallel.h"

namespace kiln::kernels {
namespace {

constexpr int64_t kGrain = 1 << 15;

// Strides of `in` viewed as broadcast to `out` (0 on broadcast axes), right-aligned.
void broadcast_strides(const Shape& in, const Shape& out, int64_t* st) {
  int64_t acc = 1;
  for (int i = out.rank() - 1; i >= 0; --i) {
    int j = in.rank() - out.rank() + i;
    if (j < 0) { st[i] = 0; continue; }
    st[i] = in[j] == 1 ? 0 : acc;
    acc *= in[j];
  }
}

// Visits every output element in row-major order with the matching input offsets.
template <int N, class F>
void walk(const Shape& out, const Shape* const (&ins)[N], F&& f) {
  const int r = out.rank();
  int64_t n = out.numel();
  if (n == 0) return;
  int64_t st[N][kMaxRank];
  for (int k = 0; k < N; ++k) broadcast_strides(*ins[k], out, st[k]);
  int64_t idx[kMaxRank] = {};
  int64_t off[N] = {};
  int64_t inner = r ? out[r - 1] : 1;
  for (int64_t base = 0; base < n; base += inner) {
    for (int64_t j = 0; j < inner; ++j) {
      int64_t o[N];
      for (int k = 0; k < N; ++k) o[k] = off[k] + (r ? j * st[k][r - 1] : 0);
      f(base + j, o);
    }
    // Advance the multi-index over all but the innermost axis.
    for (int d = r - 2; d >= 0; --d) {
      for (int k = 0; k < N; ++k) off[k] += st[k][d];
      if (++idx[d] < out[d]) break;
      for (int k = 0; k < N; ++k) off[k] -= st[k][d] * out[d];
      idx[d] = 0;
    }
  }
}

template <class T> T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) +
                          static_cast<std::make_unsigned_t<T>>(b));
  else return a + b;
}
template <class T> T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) -
                          static_cast<std::make_unsigned_t<T>>(b));
  else return a - b;
}
template <class T> T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) *
                          static_cast<std::make_unsigned_t<T>>(b));
  else return a * b;
}
template <class T> T safe_div(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0) return 0;  // callers reject zero divisors first
    if constexpr (std::is_signed_v<T>)
      if (b == -1) return wrap_sub<T>(0, a);
    return static_cast<T>(a / b);
  } else {
    return a / b;
  }
}

template <class T> T apply_unary(Unary op, T x) {
  if constexpr (std::is_same_v<T, bool>) {
    return op == Unary::logical_not ? !x : x;
  } else if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case Unary::neg: return wrap_sub<T>(0, x);
      case Unary::abs: return x < 0 ? wrap_sub<T>(0, x) : x;
      case Unary::sign: return static_cast<T>((x > 0) - (x < 0));
      case Unary::square: return wrap_mul(x, x);
      case Unary::relu: return x > 0 ? x : 0;
      default: return x;
    }
  } else {
    switch (op) {
      case Unary::neg: return -x;
      case Unary::exp: return std::exp(x);
      case Unary::log: return std::log(x);
      case Unary::log1p: return std::log1p(x);
      case Unary::expm1: return std::expm1(x);
      case Unary::sqrt: return std::sqrt(x);
      case Unary::rsqrt: return T(1) / std::sqrt(x);
      case Unary::abs: return std::abs(x);
      case Unary::sign: return static_cast<T>((x > 0) - (x < 0));
      case Unary::square: return x * x;
      case Unary::tanh: return std::tanh(x);
      case Unary::sigmoid:
        // Stable on both tails: never exp of a large positive number.
        if (x >= 0) return T(1) / (T(1) + std::exp(-x));
        else { T e = std::exp(x); return e / (T(1) + e); }
      case Unary::relu: return x > 0 ? x : T(0);
      case Unary::softplus:  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
        return (x > 0 ? x : T(0)) + std::log1p(std::exp(-std::abs(x)));
      case Unary::floor: return std::floor(x);
      case Unary::logical_not: return x;
    }
    return x;
  }
}

template <class T> T apply_arith(Binary op, T a, T b) {
  switch (op) {
    case Binary::add: return wrap_add(a, b);
    case Binary::sub: return wrap_sub(a, b);
    case Binary::mul: return wrap_mul(a, b);
    case Binary::div: return safe_div(a, b);
    case Binary::pow:
      if constexpr (std::is_floating_point_v<T>) return std::pow(a, b);
      else {
        // Integer power by squaring with wrap-around; negative exponents give 0 (|a| > 1).
        if (b < 0) return (a == 1) ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
        T r = 1, base = a;
        for (auto e = b; e > 0; e >>= 1) {
          if (e & 1) r = wrap_mul(r, base);
          base = wrap_mul(base, base);
        }
        return r;
      }
    case Binary::maximum:
      if constexpr (std::is_floating_point_v<T>) if (std::isnan(a) || std::isnan(b)) return a + b;
      return a > b ? a : b;
    case Binary::minimum:
      if constexpr (std::is_floating_point_v<T>) if (std::isnan(a) || std::isnan(b)) return a + b;
      return a < b ? a : b;
    default: return a;
  }
}

template <class T> bool apply_compare(Binary op, T a, T b) {
  switch (op) {
    case Binary::equal: return a == b;
    case Binary::not_equal: return a != b;
    case Binary::less: return a < b;
    case Binary::less_equal: return a <= b;
    case Binary::greater: return a > b;
    case Binary::greater_equal: return a >= b;
    case Binary::logical_and: return a && b;
    case Binary::logical_or: return a || b;
    default: return false;
  }
}

template <class R, class F>
void binary_loop(const Tensor& a, const Tensor& b, Tensor& out, F&& f) {
  const Shape& os = out.shape();
  int64_t n = out.numel();
  R* po = static_cast<R*>(out.raw());
  using T = std::remove_cvref_t<decltype(std::declval<F>().arg)>;
  const T* pa = static_cast<const T*>(a.raw());
  const T* pb = static_cast<const T*>(b.raw());
  if (a.shape() == os && b.shape() == os) {
    parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) po[i] = f(pa[i], pb[i]);
    });
  } else if (a.shape() == os && b.numel() == 1) {
    T y = pb[0];
    parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) po[i] = f(pa[i], y);
    });
  } else if (b.shape() == os && a.numel() == 1) {
    T x = pa[0];
    parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) po[i] = f(x, pb[i]);
    });
  } else {
    const Shape* ins[2] = {&a.shape(), &b.shape()};
    walk<2>(os, ins, [&](int64_t i, const int64_t* o) { po[i] = f(pa[o[0]], pb[o[1]]); });
  }
}

template <class T> struct ArithFn {
  Binary op;
  T arg{};
  T operator()(T a, T b) const { return apply_arith(op, a, b); }
};
template <class T> struct CompareFn {
  Binary op;
  T arg{};
  bool operator()(T a, T b) const { return apply_compare(op, a, b); }
};

template <class To, class From> To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<From>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (v >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace

const char* name(Unary op) {
  static const char* names[] = {"neg", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "abs",
                                "sign", "square", "tanh", "sigmoid", "relu", "softplus", "floor",
                                "logical_not"};
  return names[static_cast<int>(op)];
}

const char* name(Binary op) {
  static const char* names[] = {"add", "subtract", "multiply", "divide", "pow", "maximum",
                                "minimum", "equal", "not_equal", "less", "less_equal", "greater",
                                "greater_equal", "logical_and", "logical_or"};
  return names[static_cast<int>(op)];
}

bool needs_floating(Unary op) {
  switch (op) {
    case Unary::neg: case Unary::abs: case Unary::sign: case Unary::square: case Unary::relu:
    case Unary::logical_not:
      return false;
    default:
      return true;
  }
}

Tensor unary(Unary op, const Tensor& x) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(x.raw());
    T* q = static_cast<T*>(out.raw());
    parallel_for(x.numel(), kGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) q[i] = apply_unary<T>(op, p[i]);
    });
  });
  return out;
}

Tensor binary(Binary op, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  bool to_bool = is_comparison(op) || is_logical(op);
  Tensor out = Tensor::empty(out_shape, to_bool ? boolean : a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (to_bool) {
      binary_loop<bool>(a, b, out, CompareFn<T>{op});
    } else if constexpr (!std::is_same_v<T, bool>) {
      binary_loop<T>(a, b, out, ArithFn<T>{op});
    }
  });
  return out;
}

Tensor select(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, a.dtype());
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const bool* pc = static_cast<const bool*>(cond.raw());
    const T* pa = static_cast<const T*>(a.raw());
    const T* pb = static_cast<const T*>(b.raw());
    T* po = static_cast<T*>(out.raw());
    const Shape* ins[3] = {&cond.shape(), &a.shape(), &b.shape()};
    walk<3>(out_shape, ins,
            [&](int64_t i, const int64_t* o) { po[i] = pc[o[0]] ? pa[o[1]] : pb[o[2]]; });
  });
  return out;
}

Tensor cast(const Tensor& x, DType to) {
  Tensor out = Tensor::empty(x.shape(), to);
  visit_dtype(x.dtype(), [&](auto from_tag) {
    using F = decltype(from_tag);
    visit_dtype(to, [&](auto to_tag) {
      using T = decltype(to_tag);
      const F* p = static_cast<const F*>(x.raw());
      T* q = static_cast<T*>(out.raw());
      for (int64_t i = 0, n = x.numel(); i < n; ++i) q[i] = convert<T, F>(p[i]);
    });
  });
  return out;
}

Tensor broadcast(const Tensor& x, const Shape& shape) {
  Tensor out = Tensor::empty(shape, x.dtype());
  size_t es = dtype_size(x.dtype());
  const char* p = static_cast<const char*>(x.raw());
  char* q = static_cast<char*>(out.raw());
  const Shape* ins[1] = {&x.shape()};
  walk<1>(shape, ins, [&](int64_t i, const int64_t* o) { std::memcpy(q + i * es, p + o[0] * es, es); });
  return out;
}

}  // namespace kiln::kernels
