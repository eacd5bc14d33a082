// Matmul as i-k-j loops over row blocks (the j loop vectorizes), batches and rows
// split over the thread pool. Accumulation order per output is k = 0..K-1.
#include "kiln/kernels/matmul.h"

#include <cstring>
#include <type_traits>
#include <vector>

#include "kiln/kernels/parallel.h"

namespace kiln::kernels {
namespace {

// acc + a * b, wrapping on integer overflow (as the elementwise kernels do) instead of
// signed-overflow undefined behaviour.
template <class T> T mul_add(T acc, T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(acc) + static_cast<U>(a) * static_cast<U>(b));
  } else {
    return acc + a * b;
  }
}

template <class T>
void gemm_rows(const T* a, const T* b, T* c, int64_t m0, int64_t m1, int64_t K, int64_t N) {
  for (int64_t i = m0; i < m1; ++i) {
    T* ci = c + i * N;
    for (int64_t j = 0; j < N; ++j) ci[j] = T(0);
    const T* ai = a + i * K;
    for (int64_t k = 0; k < K; ++k) {
      T aik = ai[k];
      const T* bk = b + k * N;
      for (int64_t j = 0; j < N; ++j) ci[j] = mul_add(ci[j], aik, bk[j]);
    }
  }
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape, a.dtype());
  int r = out_shape.rank();
  int64_t M = out_shape[r - 2], N = out_shape[r - 1], K = a.shape()[a.rank() - 1];
  int64_t batches = 1;
  for (int i = 0; i < r - 2; ++i) batches *= out_shape[i];
  // Offsets of each batch's A and B matrices (batch dims broadcast, right-aligned).
  std::vector<int64_t> aoff(batches), boff(batches);
  {
    Shape bs;
    for (int i = 0; i < r - 2; ++i) bs.push_back(out_shape[i]);
    auto batch_offsets = [&](const Tensor& t, std::vector<int64_t>& offs) {
      int tr = t.rank() - 2;
      int64_t mat = t.shape()[t.rank() - 2] * t.shape()[t.rank() - 1];
      for (int64_t bi = 0; bi < batches; ++bi) {
        int64_t rem = bi, off = 0, stride = mat;
        for (int d = bs.rank() - 1; d >= 0; --d) {
          int64_t idx = rem % bs[d];
          rem /= bs[d];
          int td = tr - (bs.rank() - d);
          if (td >= 0) {
            if (t.shape()[td] != 1) off += idx * stride;
            stride *= t.shape()[td];
          }
        }
        offs[bi] = off;
      }
    };
    batch_offsets(a, aoff);
    batch_offsets(b, boff);
  }
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T* pa = static_cast<const T*>(a.raw());
      const T* pb = static_cast<const T*>(b.raw());
      T* pc = static_cast<T*>(out.raw());
      int64_t rows = batches * M;
      int64_t grain = std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, K * N));
      parallel_for(rows, grain, [&](int64_t s, int64_t e) {
        for (int64_t row = s; row < e;) {
          int64_t bi = row / M, i0 = row % M;
          int64_t i1 = std::min(M, i0 + (e - row));
          gemm_rows(pa + aoff[bi], pb + boff[bi], pc + bi * M * N, i0, i1, K, N);
          row += i1 - i0;
        }
      });
    }
  });
  return out;
}

}  // namespace kiln::kernels
