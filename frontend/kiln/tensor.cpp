// Tensor storage, identity and creation functions.
#include "kiln/tensor.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <ostream>

#include "kiln/block_pool.h"
#include "kiln/ops/shape_ops.h"

namespace kiln {
namespace detail {

Buffer::Buffer(size_t bytes) : bytes_(bytes) {
  if (bytes <= kInlineBytes) {
    data_ = inline_;
    return;
  }
  // Round up so aligned_alloc's size rule holds.
  size_t rounded = (bytes + 63) / 64 * 64;
  data_ = std::aligned_alloc(64, rounded);
  if (!data_) throw std::bad_alloc();
}

Buffer::~Buffer() {
  if (data_ != inline_) std::free(data_);
}

uint64_t next_tensor_id() {
  static std::atomic<uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

Tensor from_values(const void* data, DType dt, const Shape& shape) {
  Tensor t = Tensor::empty(shape, dt);
  if (t.nbytes()) std::memcpy(t.raw(), data, t.nbytes());
  return t;
}

void fail_symbolic_access(const char* what) {
  fail(what, "the values of a traced tensor are not known while tracing; traced code cannot "
             "read or branch on tensor values (use kiln::where, or compute outside the "
             "traced function)");
}

void check_nested_rows(size_t got, size_t want, int depth) {
  if (got != want)
    fail("constant", "nested initializer list is ragged: a row at depth " +
                         std::to_string(depth) + " has " + std::to_string(got) +
                         " elements, expected " + std::to_string(want));
}

}  // namespace detail

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  for (int64_t d : shape)
    if (d < 0) detail::fail("empty", "negative dimension in shape " + shape.str());
  auto impl = std::allocate_shared<detail::TensorImpl>(detail::PoolAllocator<detail::TensorImpl>());
  impl->dtype = dtype;
  impl->shape = shape;
  impl->buffer = std::allocate_shared<detail::Buffer>(detail::PoolAllocator<detail::Buffer>(),
                                                      shape.numel() * dtype_size(dtype));
  impl->id = detail::next_tensor_id();
  return Tensor(std::move(impl));
}

Tensor Tensor::symbolic(const Shape& shape, DType dtype) {
  auto impl = std::allocate_shared<detail::TensorImpl>(detail::PoolAllocator<detail::TensorImpl>());
  impl->dtype = dtype;
  impl->shape = shape;
  impl->id = detail::next_tensor_id();
  return Tensor(std::move(impl));
}

Tensor Tensor::alias(const Tensor& t, const Shape& shape) {
  auto impl = std::allocate_shared<detail::TensorImpl>(detail::PoolAllocator<detail::TensorImpl>(), *t.impl_);
  impl->shape = shape;
  impl->id = detail::next_tensor_id();
  return Tensor(std::move(impl));
}

void Tensor::check_type(DType want) const {
  if (!impl_) detail::fail("data", "access to an undefined tensor");
  if (want != dtype())
    detail::fail("data", "tensor has dtype " + std::string(dtype_name(dtype())) + ", accessed as " +
                             std::string(dtype_name(want)));
}

Tensor Tensor::index(int64_t i, const Loc& loc) const {
  detail::ApiScope scope("index", loc);
  if (!defined()) detail::fail("index", "indexing an undefined tensor");
  if (rank() == 0) detail::fail("index", "cannot index a scalar (shape ())");
  int64_t n = shape()[0];
  int64_t j = i < 0 ? i + n : i;
  if (j < 0 || j >= n)
    detail::fail("index", "index " + std::to_string(i) + " is not in [" + std::to_string(-n) +
                              ", " + std::to_string(n) + ") for shape " + shape().str());
  std::vector<int64_t> begin(rank(), 0), size(shape().begin(), shape().end());
  begin[0] = j;
  size[0] = 1;
  Tensor s = slice(*this, begin, size);
  Shape rest(std::span<const int64_t>(shape().begin() + 1, shape().end()));
  return reshape(s, rest);
}


Tensor::iterator Tensor::begin() const { return iterator(this, 0); }
Tensor::iterator Tensor::end() const { return iterator(this, rank() == 0 ? 0 : shape()[0]); }

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

// ---------------------------------------------------------------------------

Tensor fill(const Shape& shape, double value, DType dtype, const Loc& loc) {
  detail::ApiScope scope("fill", loc);
  Tensor t = Tensor::empty(shape, dtype);
  visit_dtype(dtype, [&](auto v) {
    using T = decltype(v);
    T x = static_cast<T>(value);
    T* p = static_cast<T*>(t.raw());
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = x;
  });
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, const Loc& loc) { return fill(shape, 0, dtype, loc); }
Tensor ones(const Shape& shape, DType dtype, const Loc& loc) { return fill(shape, 1, dtype, loc); }
Tensor zeros_like(const Tensor& t, const Loc& loc) { return fill(t.shape(), 0, t.dtype(), loc); }
Tensor ones_like(const Tensor& t, const Loc& loc) { return fill(t.shape(), 1, t.dtype(), loc); }

Tensor arange(double start, double limit, double step, DType dtype, const Loc& loc) {
  detail::ApiScope scope("arange", loc);
  if (step == 0) detail::fail("arange", "step must be nonzero");
  if (dtype == boolean) detail::fail("arange", "dtype bool is not supported");
  double span = (limit - start) / step;
  int64_t n = span > 0 ? static_cast<int64_t>(std::ceil(span)) : 0;
  Tensor t = Tensor::empty(Shape{n}, dtype);
  visit_dtype(dtype, [&](auto v) {
    using T = decltype(v);
    T* p = static_cast<T*>(t.raw());
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}

Tensor arange(int64_t limit, DType dtype, const Loc& loc) {
  return arange(0, static_cast<double>(limit), 1, dtype, loc);
}

Tensor scalar_like(double value, const Tensor& like, const Loc& loc) {
  detail::ApiScope scope("scalar", loc);
  DType dt = like.dtype();
  bool exact = visit_dtype(dt, [&](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) {
      return true;
    } else if constexpr (std::is_same_v<T, bool>) {
      return value == 0 || value == 1;
    } else {
      // Range first: converting NaN or an out-of-range double to an integer is UB.
      constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());  // -2^(n-1)
      return value >= lo && value < -lo && static_cast<double>(static_cast<T>(value)) == value;
    }
  });
  if (!exact)
    detail::fail("scalar", "the scalar " + std::to_string(value) + " cannot be represented as " +
                               std::string(dtype_name(dt)) + "; cast the tensor first");
  return fill(Shape{}, value, dt, loc);
}

}  // namespace kiln
