// kiln::Tensor: an immutable, reference-counted n-d array with a dtype and a shape.
//
// Storage is row-major and contiguous, 64-byte aligned. Copying a Tensor copies a
// handle, never the data; ops always return new tensors (reshape may share storage).
// Variables (variable.h) are the only things that change in place, copy-on-write,
// so a tensor read from a variable keeps its value after the variable is updated.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kiln/dtype.h"
#include "kiln/error.h"
#include "kiln/shape.h"

namespace kiln {

class Tensor;
class Variable;

namespace detail {

// Bytes shared by tensors and variables: 64-byte aligned, except that tensors of at
// most kInlineBytes live inside the Buffer object itself (16-byte aligned), which
// saves an allocation per small op.
class Buffer {
 public:
  static constexpr size_t kInlineBytes = 32;
  explicit Buffer(size_t bytes);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t size() const { return bytes_; }

 private:
  void* data_;
  size_t bytes_;
  alignas(16) unsigned char inline_[kInlineBytes];
};

struct TensorImpl {
  DType dtype;
  Shape shape;
  std::shared_ptr<Buffer> buffer;  // null for a symbolic (traced) tensor
  size_t offset = 0;               // bytes into buffer
  uint64_t id;                     // identity for tapes and traces; unique per TensorImpl
};

// Throws the error for reading the values of a symbolic tensor during a trace.
[[noreturn]] void fail_symbolic_access(const char* what);

uint64_t next_tensor_id();

}  // namespace detail

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false
  // A new contiguous tensor of the given shape; contents uninitialized.
  static Tensor empty(const Shape& shape, DType dtype);
  // A tensor that shares storage (a view) with a new identity for tapes.
  static Tensor alias(const Tensor& t, const Shape& shape);
  // A tensor with a shape and dtype but no values: a value inside a trace.
  static Tensor symbolic(const Shape& shape, DType dtype);
  bool is_symbolic() const { return impl_ && !impl_->buffer; }

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return impl_->dtype; }
  const Shape& shape() const { return impl_->shape; }
  int rank() const { return impl_->shape.rank(); }
  int64_t dim(int axis) const { return impl_->shape.dim(axis); }
  int64_t numel() const { return impl_->shape.numel(); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }
  uint64_t id() const { return impl_->id; }

  // Raw element access for kernels; T must match dtype() (checked).
  template <class T> const T* data() const {
    check_type(dtype_of<T>());
    return static_cast<const T*>(raw());
  }
  template <class T> T* mutable_data() {
    check_type(dtype_of<T>());
    return static_cast<T*>(raw());
  }
  const void* raw() const {
    if (!impl_->buffer) detail::fail_symbolic_access("data");
    return static_cast<const char*>(impl_->buffer->data()) + impl_->offset;
  }
  void* raw() {
    if (!impl_->buffer) detail::fail_symbolic_access("data");
    return static_cast<char*>(impl_->buffer->data()) + impl_->offset;
  }

  // The single element of a one-element tensor, converted to T.
  template <class T> T item(const Loc& loc = Loc::current()) const;
  double item(const Loc& loc = Loc::current()) const { return item<double>(loc); }

  // All elements in row-major order, converted to T.
  template <class T> std::vector<T> to_vector() const;

  // t[i]: the i-th slice along the first dimension (negative i counts from the end).
  // (operator[] cannot take a default location argument; the index captures it.)
  struct IndexArg {
    IndexArg(int64_t v, const Loc& l = Loc::current()) : value(v), loc(l) {}  // NOLINT
    int64_t value;
    Loc loc;
  };
  Tensor operator[](IndexArg i) const { return index(i.value, i.loc); }
  Tensor index(int64_t i, const Loc& loc = Loc::current()) const;

  // Iteration over the first dimension: for (Tensor row : matrix) ...
  class iterator {
   public:
    iterator(const Tensor* t, int64_t i) : t_(t), i_(i) {}
    Tensor operator*() const { return t_->index(i_); }
    iterator& operator++() { ++i_; return *this; }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }
    bool operator==(const iterator& o) const { return i_ == o.i_; }
   private:
    const Tensor* t_;
    int64_t i_;
  };
  iterator begin() const;
  iterator end() const;

  // NumPy-style text of the values alone, e.g. "[[1. 2.]\n [3. 4.]]".
  std::string values_str() const;
  // kiln.Tensor([[4.]], shape=(1, 1), dtype=float32)
  std::string str() const;

  // Whether two handles share one storage buffer (views, variable snapshots).
  bool shares_storage_with(const Tensor& o) const {
    return impl_ && o.impl_ && impl_->buffer && impl_->buffer == o.impl_->buffer;
  }
  long storage_use_count() const { return impl_ ? impl_->buffer.use_count() : 0; }

 private:
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}
  void check_type(DType want) const;
  friend class Variable;
  std::shared_ptr<detail::TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---------------------------------------------------------------------------
// Creation. Every function captures the caller's location for error messages.

// Scalars and nested initializer lists: constant(2.f), constant({1, 2}), constant({{2.f}}).
template <class T> Tensor constant(T value, const Loc& loc = Loc::current());
template <class T> Tensor constant(std::initializer_list<T> v, const Loc& loc = Loc::current());
template <class T>
Tensor constant(std::initializer_list<std::initializer_list<T>> v, const Loc& loc = Loc::current());
template <class T>
Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> v,
                const Loc& loc = Loc::current());
// A flat vector with an explicit shape (numel must match).
template <class T>
Tensor constant(const std::vector<T>& values, const Shape& shape, const Loc& loc = Loc::current());
template <class T> Tensor constant(const std::vector<T>& values, const Loc& loc = Loc::current());

Tensor zeros(const Shape& shape, DType dtype = f32, const Loc& loc = Loc::current());
Tensor ones(const Shape& shape, DType dtype = f32, const Loc& loc = Loc::current());
Tensor fill(const Shape& shape, double value, DType dtype = f32, const Loc& loc = Loc::current());
Tensor zeros_like(const Tensor& t, const Loc& loc = Loc::current());
Tensor ones_like(const Tensor& t, const Loc& loc = Loc::current());
// [start, limit) with step, like numpy.arange / tf.range.
Tensor arange(double start, double limit, double step = 1, DType dtype = i64,
              const Loc& loc = Loc::current());
Tensor arange(int64_t limit, DType dtype = i64, const Loc& loc = Loc::current());
// A scalar tensor of `like`'s dtype holding `value` (C++ scalars are weakly typed).
Tensor scalar_like(double value, const Tensor& like, const Loc& loc = Loc::current());

namespace detail {
Tensor from_values(const void* data, DType dt, const Shape& shape);
void check_nested_rows(size_t got, size_t want, int depth);
}  // namespace detail

// ---------------------------------------------------------------------------
// Template definitions.

template <class T> T Tensor::item(const Loc& loc) const {
  if (is_symbolic()) {
    detail::ApiScope scope("item", loc);
    detail::fail_symbolic_access("item()");
  }
  if (!defined() || numel() != 1) {
    detail::ApiScope scope("item", loc);
    detail::fail("item", defined() ? "item() needs a tensor with one element, got shape " +
                                         shape().str()
                                   : "item() on an undefined tensor");
  }
  return visit_dtype(dtype(), [&](auto v) -> T {
    using S = decltype(v);
    return static_cast<T>(*static_cast<const S*>(raw()));
  });
}

template <class T> std::vector<T> Tensor::to_vector() const {
  if (is_symbolic()) detail::fail_symbolic_access("to_vector()");
  std::vector<T> out(static_cast<size_t>(numel()));
  visit_dtype(dtype(), [&](auto v) {
    using S = decltype(v);
    const S* p = static_cast<const S*>(raw());
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(p[i]);
  });
  return out;
}

namespace detail {
// Element types accepted by constant(): the five dtypes plus plain `int` literals.
template <class T> using stored_t = std::conditional_t<
    std::is_same_v<T, bool>, bool,
    std::conditional_t<std::is_same_v<T, int> || std::is_same_v<T, int32_t>, int32_t,
                       std::conditional_t<std::is_integral_v<T>, int64_t, T>>>;
}  // namespace detail

template <class T> Tensor constant(T value, const Loc& loc) {
  detail::ApiScope scope("constant", loc);
  using S = detail::stored_t<T>;
  S v = static_cast<S>(value);
  return detail::from_values(&v, dtype_of<S>(), Shape{});
}

template <class T> Tensor constant(std::initializer_list<T> v, const Loc& loc) {
  detail::ApiScope scope("constant", loc);
  using S = detail::stored_t<T>;
  std::vector<S> flat(v.begin(), v.end());
  if constexpr (std::is_same_v<S, bool>) {
    std::unique_ptr<bool[]> b(new bool[flat.size()]);
    for (size_t i = 0; i < flat.size(); ++i) b[i] = flat[i];
    return detail::from_values(b.get(), dtype_of<S>(), Shape{static_cast<int64_t>(v.size())});
  } else {
    return detail::from_values(flat.data(), dtype_of<S>(), Shape{static_cast<int64_t>(v.size())});
  }
}

template <class T>
Tensor constant(std::initializer_list<std::initializer_list<T>> v, const Loc& loc) {
  detail::ApiScope scope("constant", loc);
  using S = detail::stored_t<T>;
  size_t cols = v.size() ? v.begin()->size() : 0;
  std::unique_ptr<S[]> flat(new S[v.size() * cols + 1]);
  size_t k = 0;
  for (auto& row : v) {
    detail::check_nested_rows(row.size(), cols, 1);
    for (auto& x : row) flat[k++] = static_cast<S>(x);
  }
  return detail::from_values(flat.get(), dtype_of<S>(),
                             Shape{static_cast<int64_t>(v.size()), static_cast<int64_t>(cols)});
}

template <class T>
Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> v,
                const Loc& loc) {
  detail::ApiScope scope("constant", loc);
  using S = detail::stored_t<T>;
  size_t d1 = v.size() ? v.begin()->size() : 0;
  size_t d2 = d1 ? v.begin()->begin()->size() : 0;
  std::unique_ptr<S[]> flat(new S[v.size() * d1 * d2 + 1]);
  size_t k = 0;
  for (auto& a : v) {
    detail::check_nested_rows(a.size(), d1, 1);
    for (auto& b : a) {
      detail::check_nested_rows(b.size(), d2, 2);
      for (auto& x : b) flat[k++] = static_cast<S>(x);
    }
  }
  return detail::from_values(flat.get(), dtype_of<S>(),
                             Shape{static_cast<int64_t>(v.size()), static_cast<int64_t>(d1),
                                   static_cast<int64_t>(d2)});
}

template <class T>
Tensor constant(const std::vector<T>& values, const Shape& shape, const Loc& loc) {
  detail::ApiScope scope("constant", loc);
  using S = detail::stored_t<T>;
  if (static_cast<int64_t>(values.size()) != shape.numel())
    detail::fail("constant", std::to_string(values.size()) + " values do not fill shape " +
                                 shape.str() + " (" + std::to_string(shape.numel()) +
                                 " elements)");
  std::unique_ptr<S[]> flat(new S[values.size() + 1]);
  for (size_t i = 0; i < values.size(); ++i) flat[i] = static_cast<S>(values[i]);
  return detail::from_values(flat.get(), dtype_of<S>(), shape);
}

template <class T> Tensor constant(const std::vector<T>& values, const Loc& loc) {
  return constant(values, Shape{static_cast<int64_t>(values.size())}, loc);
}

}  // namespace kiln
