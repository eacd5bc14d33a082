// Data-movement kernels, row-wise with memcpy where rows are contiguous.
#include "kiln/kernels/layout.h"

#include <cstring>
#include <type_traits>

#include "kiln/kernels/parallel.h"

namespace kiln::kernels {

Tensor transpose(const Tensor& x, const std::vector<int>& perm) {
  const Shape& s = x.shape();
  int r = s.rank();
  Shape os;
  for (int i = 0; i < r; ++i) os.push_back(s[perm[i]]);
  Tensor out = Tensor::empty(os, x.dtype());
  size_t es = dtype_size(x.dtype());
  auto ist = contiguous_strides(s);
  int64_t st[kMaxRank];
  for (int i = 0; i < r; ++i) st[i] = ist[perm[i]];
  const char* p = static_cast<const char*>(x.raw());
  char* q = static_cast<char*>(out.raw());
  int64_t n = out.numel();
  int64_t idx[kMaxRank] = {};
  int64_t off = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(q + i * es, p + off * es, es);
    for (int d = r - 1; d >= 0; --d) {
      off += st[d];
      if (++idx[d] < os[d]) break;
      off -= st[d] * os[d];
      idx[d] = 0;
    }
  }
  return out;
}

Tensor concat(const std::vector<Tensor>& xs, int axis, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, xs[0].dtype());
  size_t es = dtype_size(out.dtype());
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= out_shape[i];
  for (int i = axis + 1; i < out_shape.rank(); ++i) inner *= out_shape[i];
  int64_t out_row = out_shape[axis] * inner * static_cast<int64_t>(es);
  char* q = static_cast<char*>(out.raw());
  int64_t col = 0;
  for (const Tensor& x : xs) {
    int64_t row = x.shape()[axis] * inner * static_cast<int64_t>(es);
    const char* p = static_cast<const char*>(x.raw());
    for (int64_t o = 0; o < outer; ++o)
      if (row) std::memcpy(q + o * out_row + col, p + o * row, row);
    col += row;
  }
  return out;
}

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, x.dtype());
  int r = x.rank();
  if (out.numel() == 0) return out;
  size_t es = dtype_size(x.dtype());
  auto ist = contiguous_strides(x.shape());
  const char* p = static_cast<const char*>(x.raw());
  char* q = static_cast<char*>(out.raw());
  if (r == 0) {
    std::memcpy(q, p, es);
    return out;
  }
  int64_t inner = out_shape[r - 1];
  int64_t rows = out.numel() / inner;
  int64_t idx[kMaxRank] = {};
  for (int64_t row = 0; row < rows; ++row) {
    int64_t off = begin[r - 1];
    for (int d = 0; d < r - 1; ++d) off += (begin[d] + idx[d]) * ist[d];
    std::memcpy(q + row * inner * es, p + off * es, inner * es);
    for (int d = r - 2; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

int64_t index_at(const Tensor& indices, int64_t i) {
  return indices.dtype() == i32 ? static_cast<const int32_t*>(indices.raw())[i]
                                : static_cast<const int64_t*>(indices.raw())[i];
}

int64_t first_out_of_range(const Tensor& indices, int64_t rows) {
  for (int64_t i = 0, n = indices.numel(); i < n; ++i) {
    int64_t v = index_at(indices, i);
    if (v < 0 || v >= rows) return i;
  }
  return -1;
}

Tensor gather(const Tensor& params, const Tensor& indices) {
  Shape os = indices.shape();
  for (int i = 1; i < params.rank(); ++i) os.push_back(params.shape()[i]);
  Tensor out = Tensor::empty(os, params.dtype());
  int64_t n = indices.numel();
  size_t row = params.rank() ? params.nbytes() / std::max<int64_t>(1, params.shape()[0]) : 0;
  const char* p = static_cast<const char*>(params.raw());
  char* q = static_cast<char*>(out.raw());
  parallel_for(n, std::max<int64_t>(1, (1 << 18) / std::max<size_t>(1, row)),
               [&](int64_t s, int64_t e) {
                 for (int64_t i = s; i < e; ++i)
                   std::memcpy(q + i * row, p + index_at(indices, i) * row, row);
               });
  return out;
}

void scatter_accumulate(Tensor& x, const Tensor& indices, const Tensor& updates, double sign) {
  int64_t n = indices.numel();
  int64_t width = x.shape()[0] ? x.numel() / x.shape()[0] : 0;
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      T* q = static_cast<T*>(x.raw());
      const T* u = static_cast<const T*>(updates.raw());
      for (int64_t i = 0; i < n; ++i) {
        T* dst = q + index_at(indices, i) * width;
        const T* src = u + i * width;
        if constexpr (std::is_integral_v<T>) {
          // Integers wrap on overflow, as in the elementwise kernels (no UB).
          using U = std::make_unsigned_t<T>;
          for (int64_t j = 0; j < width; ++j)
            dst[j] = static_cast<T>(sign > 0 ? static_cast<U>(dst[j]) + static_cast<U>(src[j])
                                             : static_cast<U>(dst[j]) - static_cast<U>(src[j]));
        } else if (sign > 0) {
          for (int64_t j = 0; j < width; ++j) dst[j] += src[j];
        } else {
          for (int64_t j = 0; j < width; ++j) dst[j] -= src[j];
        }
      }
    }
  });
}

Tensor scatter_add(const Tensor& x, const Tensor& indices, const Tensor& updates) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  if (x.nbytes()) std::memcpy(out.raw(), x.raw(), x.nbytes());
  scatter_accumulate(out, indices, updates, +1);
  return out;
}

}  // namespace kiln::kernels
