// Philox4x32-10 and the random-tensor ops built on it.
//
// Layout of a draw: element i of a float32 / int32 uniform (or a truncated normal)
// uses lane i % 4 of block offset + i / 4; float64 / int64 uniforms use two lanes
// (lo, hi) per element; normals use lanes (0,1) and (2,3) of a block as Box–Muller
// pairs. Compiled code reproduces this layout exactly.
#include "kiln/random.h"

#include <cmath>
#include <numbers>

#include "kiln/tracing.h"

namespace kiln {

__extension__ typedef unsigned __int128 uint128_t;  // GCC/Clang builtin, for 64x64->128

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(kM0) * c[0];
    uint64_t p1 = static_cast<uint64_t>(kM1) * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
}

namespace {

std::array<uint32_t, 4> block(uint64_t seed, uint64_t counter) {
  return philox4x32({static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0},
                    {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
}

// Uniform in [0, 1) from 32 bits (24 for float32's mantissa) or 53 bits (float64).
float unit_f32(uint32_t x) { return static_cast<float>(x >> 8) * 0x1p-24f; }
double unit_f64(uint32_t lo, uint32_t hi) {
  uint64_t v = (static_cast<uint64_t>(hi) << 32 | lo) >> 11;
  return static_cast<double>(v) * 0x1p-53;
}
// Uniform in (0, 1) for logs and quantiles.
double open_unit(uint32_t x) { return (static_cast<double>(x) + 0.5) * 0x1p-32; }

void check_shape(const char* op, const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) detail::fail(op, "negative dimension in shape " + shape.str());
}

uint64_t blocks_for(int64_t n, int per_block) {
  return static_cast<uint64_t>((n + per_block - 1) / per_block);
}

Tensor uniform_impl(const Shape& shape, uint64_t seed, uint64_t offset, double lo, double hi,
                    DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  int64_t n = t.numel();
  switch (dtype) {
    case DType::f32: {
      float* p = t.mutable_data<float>();
      float a = static_cast<float>(lo), w = static_cast<float>(hi - lo);
      for (int64_t i = 0; i < n; i += 4) {
        auto r = block(seed, offset + static_cast<uint64_t>(i / 4));
        for (int64_t j = 0; j < 4 && i + j < n; ++j) p[i + j] = a + w * unit_f32(r[j]);
      }
      break;
    }
    case DType::f64: {
      double* p = t.mutable_data<double>();
      for (int64_t i = 0; i < n; i += 2) {
        auto r = block(seed, offset + static_cast<uint64_t>(i / 2));
        for (int64_t j = 0; j < 2 && i + j < n; ++j)
          p[i + j] = lo + (hi - lo) * unit_f64(r[2 * j], r[2 * j + 1]);
      }
      break;
    }
    case DType::i32:
    case DType::i64: {
      // Uniform integers in [lo, hi) by 64-bit multiply-shift (Lemire), two lanes each.
      // hi may be 2^63 (exclusive bound), which int64 cannot hold: compute the width in
      // unsigned arithmetic from the (exact) double bounds.
      // unsigned arithmetic from the (exact) double bounds; 0 stands for the full 2^64.
      auto lo_bits = static_cast<uint64_t>(static_cast<int64_t>(lo));
      uint64_t range = hi >= 9223372036854775808.0
                           ? static_cast<uint64_t>(INT64_MAX) - lo_bits + 1
                           : static_cast<uint64_t>(static_cast<int64_t>(hi)) - lo_bits;
      for (int64_t i = 0; i < n; i += 2) {
        auto r = block(seed, offset + static_cast<uint64_t>(i / 2));
        for (int64_t j = 0; j < 2 && i + j < n; ++j) {
          uint64_t bits = static_cast<uint64_t>(r[2 * j + 1]) << 32 | r[2 * j];
          uint64_t v = range == 0 ? bits
                                  : static_cast<uint64_t>((static_cast<uint128_t>(bits) * range) >> 64);
          auto x = static_cast<int64_t>(lo_bits + v);
          if (dtype == i32) t.mutable_data<int32_t>()[i + j] = static_cast<int32_t>(x);
          else t.mutable_data<int64_t>()[i + j] = x;
        }
      }
      break;
    }
    case DType::b8:
      break;
  }
  return t;
}

Tensor normal_impl(const Shape& shape, uint64_t seed, uint64_t offset, double mean, double stddev,
                   DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  int64_t n = t.numel();
  for (int64_t i = 0; i < n; i += 4) {
    auto r = block(seed, offset + static_cast<uint64_t>(i / 4));
    for (int pair = 0; pair < 2; ++pair) {
      double u1 = open_unit(r[2 * pair]), u2 = open_unit(r[2 * pair + 1]);
      double rad = std::sqrt(-2.0 * std::log(u1));
      double th = 2.0 * std::numbers::pi * u2;
      double z[2] = {rad * std::cos(th), rad * std::sin(th)};
      for (int j = 0; j < 2; ++j) {
        int64_t k = i + 2 * pair + j;
        if (k >= n) break;
        double v = mean + stddev * z[j];
        if (dtype == f32) t.mutable_data<float>()[k] = static_cast<float>(v);
        else t.mutable_data<double>()[k] = v;
      }
    }
  }
  return t;
}

Tensor truncated_impl(const Shape& shape, uint64_t seed, uint64_t offset, double mean,
                      double stddev, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  int64_t n = t.numel();
  // Phi(-2) and Phi(2) - Phi(-2), so that p = lo + u * width covers the truncated range.
  const double lo = 0.5 * std::erfc(2.0 / std::numbers::sqrt2);
  const double width = 1.0 - 2.0 * lo;
  for (int64_t i = 0; i < n; i += 4) {
    auto r = block(seed, offset + static_cast<uint64_t>(i / 4));
    for (int64_t j = 0; j < 4 && i + j < n; ++j) {
      double v = mean + stddev * normal_quantile(lo + open_unit(r[j]) * width);
      if (dtype == f32) t.mutable_data<float>()[i + j] = static_cast<float>(v);
      else t.mutable_data<double>()[i + j] = v;
    }
  }
  return t;
}

void check_float(const char* op, DType dtype) {
  if (!is_floating(dtype))
    detail::fail(op, "dtype must be float32 or float64, got " + std::string(dtype_name(dtype)));
}

}  // namespace

Generator::Generator(uint64_t seed, uint64_t offset, std::string name)
    : state_(std::move(name),
             constant(std::vector<int64_t>{static_cast<int64_t>(seed), static_cast<int64_t>(offset)}),
             /*trainable=*/false) {}

uint64_t Generator::seed() const {
  return static_cast<uint64_t>(state_.storage().data<int64_t>()[0]);
}

uint64_t Generator::offset() const {
  return static_cast<uint64_t>(state_.storage().data<int64_t>()[1]);
}

void Generator::set_state(uint64_t seed, uint64_t offset) {
  state_.assign(
      constant(std::vector<int64_t>{static_cast<int64_t>(seed), static_cast<int64_t>(offset)}));
}

uint64_t Generator::take(uint64_t blocks) {
  uint64_t o = offset();
  set_state(seed(), o + blocks);
  return o;
}

namespace {

// Inside a trace a draw is an op that takes the generator's state and returns the
// next one, which is written back to the state variable.
Tensor traced_draw(const char* op, Generator& gen, const Shape& shape, DType dtype,
                   std::initializer_list<detail::TraceAttr> attrs) {
  detail::TraceSink* sink = detail::active_trace_sink();
  Tensor state = gen.state().value();
  std::vector<detail::TraceAttr> a(attrs);
  std::pair<Shape, DType> results[2] = {{shape, dtype}, {Shape{2}, i64}};
  std::vector<Tensor> out = sink->emit(op, std::span<const Tensor>(&state, 1), a, results);
  sink->write_variable(gen.state(), out[1]);
  return out[0];
}

}  // namespace

double normal_quantile(double p) {
  if (p <= 0) return -HUGE_VAL;
  if (p >= 1) return HUGE_VAL;
  // Acklam's rational approximation (relative error 1.15e-9) ...
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // ... refined by one Halley step against erfc, to full double precision. Above the
  // median the error is taken on the upper tail, 1 - p (exact) against Q(x): Phi(x)
  // itself rounds to 1 there and would cap the accuracy near 1e-9.
  double e = p > 0.5 ? (1 - p) - 0.5 * std::erfc(x / std::numbers::sqrt2)
                     : 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

Tensor random_uniform(const Shape& shape, Generator& gen, double minval, double maxval,
                      DType dtype, const Loc& loc) {
  detail::ApiScope scope("random_uniform", loc);
  check_shape("random_uniform", shape);
  if (dtype == boolean) detail::fail("random_uniform", "dtype bool is not supported");
  if (!(maxval > minval))
    detail::fail("random_uniform", "needs minval < maxval, got [" + std::to_string(minval) + ", " +
                                       std::to_string(maxval) + ")");
  if (is_integer(dtype)) {
    // Integer bounds must be integers that the dtype holds (checked before any conversion).
    double lo = dtype == i32 ? -2147483648.0 : -9223372036854775808.0;
    double hi = dtype == i32 ? 2147483648.0 : 9223372036854775808.0;
    if (minval != std::floor(minval) || maxval != std::floor(maxval) || minval < lo || maxval > hi)
      detail::fail("random_uniform", "integer bounds [" + std::to_string(minval) + ", " +
                                         std::to_string(maxval) + ") must be integers within " +
                                         std::string(dtype_name(dtype)));
  }
  if (detail::active_trace_sink())
    return traced_draw("kiln.random_uniform", gen, shape, dtype,
                       {{"minval", minval}, {"maxval", maxval}});
  int per = (dtype == f32) ? 4 : 2;
  uint64_t off = gen.take(blocks_for(shape.numel(), per));
  return uniform_impl(shape, gen.seed(), off, minval, maxval, dtype);
}

Tensor random_uniform(const Shape& shape, uint64_t seed, double minval, double maxval,
                      DType dtype, const Loc& loc) {
  detail::TraceScope stateless(nullptr);  // a seeded draw is a constant, even in a trace
  Generator g(seed);
  return random_uniform(shape, g, minval, maxval, dtype, loc);
}

Tensor random_normal(const Shape& shape, Generator& gen, double mean, double stddev, DType dtype,
                     const Loc& loc) {
  detail::ApiScope scope("random_normal", loc);
  check_shape("random_normal", shape);
  check_float("random_normal", dtype);
  if (detail::active_trace_sink())
    return traced_draw("kiln.random_normal", gen, shape, dtype,
                       {{"mean", mean}, {"stddev", stddev}});
  uint64_t off = gen.take(blocks_for(shape.numel(), 4));
  return normal_impl(shape, gen.seed(), off, mean, stddev, dtype);
}

Tensor random_normal(const Shape& shape, uint64_t seed, double mean, double stddev, DType dtype,
                     const Loc& loc) {
  detail::TraceScope stateless(nullptr);  // a seeded draw is a constant, even in a trace
  Generator g(seed);
  return random_normal(shape, g, mean, stddev, dtype, loc);
}

Tensor truncated_normal(const Shape& shape, Generator& gen, double mean, double stddev,
                        DType dtype, const Loc& loc) {
  detail::ApiScope scope("truncated_normal", loc);
  check_shape("truncated_normal", shape);
  check_float("truncated_normal", dtype);
  if (detail::active_trace_sink())
    return traced_draw("kiln.truncated_normal", gen, shape, dtype,
                       {{"mean", mean}, {"stddev", stddev}});
  uint64_t off = gen.take(blocks_for(shape.numel(), 4));
  return truncated_impl(shape, gen.seed(), off, mean, stddev, dtype);
}

Tensor truncated_normal(const Shape& shape, uint64_t seed, double mean, double stddev,
                        DType dtype, const Loc& loc) {
  detail::TraceScope stateless(nullptr);  // a seeded draw is a constant, even in a trace
  Generator g(seed);
  return truncated_normal(shape, g, mean, stddev, dtype, loc);
}

}  // namespace kiln
