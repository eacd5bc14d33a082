// Element types of kiln tensors and the rules for combining them.
// Kiln follows TensorFlow/JAX: tensors of different dtypes never mix implicitly
// (cast explicitly); C++ scalars are "weak" and take the tensor's dtype.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kiln {

enum class DType : uint8_t { f32, f64, i32, i64, b8 };

inline constexpr DType f32 = DType::f32;
inline constexpr DType f64 = DType::f64;
inline constexpr DType i32 = DType::i32;
inline constexpr DType i64 = DType::i64;
inline constexpr DType boolean = DType::b8;

// "float32", "float64", "int32", "int64", "bool" (NumPy's names).
std::string_view dtype_name(DType dt);
size_t dtype_size(DType dt);
inline bool is_floating(DType dt) { return dt == DType::f32 || dt == DType::f64; }
inline bool is_integer(DType dt) { return dt == DType::i32 || dt == DType::i64; }

// The C++ type stored for each dtype (bool is stored as one byte, 0 or 1).
template <DType D> struct dtype_traits;
template <> struct dtype_traits<DType::f32> { using type = float; };
template <> struct dtype_traits<DType::f64> { using type = double; };
template <> struct dtype_traits<DType::i32> { using type = int32_t; };
template <> struct dtype_traits<DType::i64> { using type = int64_t; };
template <> struct dtype_traits<DType::b8> { using type = bool; };
template <DType D> using ctype_t = typename dtype_traits<D>::type;

// The dtype of a C++ element type, for constant() and vector conversions.
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<bool>() { return DType::b8; }

// Calls f(T{}) with T the C++ type of dt: the one place where dtypes become types.
template <class F> decltype(auto) visit_dtype(DType dt, F&& f) {
  switch (dt) {
    case DType::f32: return f(float{});
    case DType::f64: return f(double{});
    case DType::i32: return f(int32_t{});
    case DType::i64: return f(int64_t{});
    case DType::b8: return f(bool{});
  }
  __builtin_unreachable();
}

}  // namespace kiln
