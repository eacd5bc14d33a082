// Reductions as (outer, reduced, inner) loops after viewing the tensor as
// [outer..., reduced..., inner...] when the reduced axes are contiguous, and as a
// general multi-index walk otherwise. Sums accumulate in the tensor's dtype, in
// row-major order, so compiled code can reproduce them exactly.
#include "kiln/kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace kiln::kernels {
namespace {

template <class T> T init_value(Reduce op) {
  if (op == Reduce::sum) return T(0);
  if constexpr (std::is_floating_point_v<T>)
    return op == Reduce::max ? -std::numeric_limits<T>::infinity()
                             : std::numeric_limits<T>::infinity();
  else return op == Reduce::max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
}

template <class T> T combine(Reduce op, T acc, T v) {
  switch (op) {
    case Reduce::sum:
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        return static_cast<T>(static_cast<std::make_unsigned_t<T>>(acc) +
                              static_cast<std::make_unsigned_t<T>>(v));
      else return acc + v;
    case Reduce::max:
      if constexpr (std::is_floating_point_v<T>) if (std::isnan(v)) return v;
      return v > acc ? v : acc;
    case Reduce::min:
      if constexpr (std::is_floating_point_v<T>) if (std::isnan(v)) return v;
      return v < acc ? v : acc;
  }
  return acc;
}

}  // namespace

Tensor reduce(Reduce op, const Tensor& x, const std::vector<bool>& reduced) {
  const Shape& s = x.shape();
  Shape out_shape;
  for (int i = 0; i < s.rank(); ++i) out_shape.push_back(reduced[i] ? 1 : s[i]);
  Tensor out = Tensor::empty(out_shape, x.dtype());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      return;  // callers reject bool
    } else {
      const T* p = static_cast<const T*>(x.raw());
      T* q = static_cast<T*>(out.raw());
      int64_t on = out.numel();
      for (int64_t i = 0; i < on; ++i) q[i] = init_value<T>(op);
      // Output strides (0 on reduced axes), then a row-major walk over the input.
      int r = s.rank();
      int64_t ost[kMaxRank];
      int64_t acc = 1;
      for (int i = r - 1; i >= 0; --i) {
        ost[i] = reduced[i] ? 0 : acc;
        acc *= out_shape[i];
      }
      int64_t n = x.numel();
      if (n == 0) return;
      int64_t inner = r ? s[r - 1] : 1;
      int64_t inner_st = r ? ost[r - 1] : 0;
      int64_t idx[kMaxRank] = {};
      int64_t off = 0;
      for (int64_t base = 0; base < n; base += inner) {
        if (inner_st == 0) {
          T a = q[off];
          for (int64_t j = 0; j < inner; ++j) a = combine(op, a, p[base + j]);
          q[off] = a;
        } else {
          for (int64_t j = 0; j < inner; ++j) q[off + j] = combine(op, q[off + j], p[base + j]);
        }
        for (int d = r - 2; d >= 0; --d) {
          off += ost[d];
          if (++idx[d] < s[d]) break;
          off -= ost[d] * s[d];
          idx[d] = 0;
        }
      }
    }
  });
  return out;
}

Tensor argmax(const Tensor& x, int axis) {
  const Shape& s = x.shape();
  int64_t outer = 1, inner = 1, n = s[axis];
  for (int i = 0; i < axis; ++i) outer *= s[i];
  for (int i = axis + 1; i < s.rank(); ++i) inner *= s[i];
  Shape out_shape;
  for (int i = 0; i < s.rank(); ++i)
    if (i != axis) out_shape.push_back(s[i]);
  Tensor out = Tensor::empty(out_shape, i64);
  int64_t* q = out.mutable_data<int64_t>();
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(x.raw());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t best = 0;
        T bv = p[o * n * inner + i];
        for (int64_t k = 1; k < n; ++k) {
          T v = p[(o * n + k) * inner + i];
          bool nan_best = false;
          if constexpr (std::is_floating_point_v<T>) nan_best = std::isnan(bv);
          if (!nan_best && (v > bv || [&] {
                if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
                else return false;
              }())) {
            bv = v;
            best = k;
          }
        }
        q[o * inner + i] = best;
      }
  });
  return out;
}

// Per row, a heap of the k best positions seen so far whose top is the worst of them: a
// later element enters only when it ranks before that one, so a row of n costs
// O(n log k). Any exact selection gives the same answer (the ranking is a total order on
// positions), which is what lets compiled code use another algorithm and still agree.
TopK top_k(const Tensor& x, int64_t k) {
  const Shape& s = x.shape();
  int64_t n = s[s.rank() - 1];
  int64_t rows = n == 0 ? 0 : x.numel() / n;
  Shape out_shape = s;
  out_shape[s.rank() - 1] = k;
  TopK out{Tensor::empty(out_shape, x.dtype()), Tensor::empty(out_shape, i64)};
  int64_t* qi = out.indices.mutable_data<int64_t>();
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(x.raw());
    T* qv = static_cast<T*>(out.values.raw());
    std::vector<int64_t> heap;
    heap.reserve(static_cast<size_t>(k));
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = p + r * n;
      // Whether position a ranks before position b: the larger value, a NaN above any
      // number, the lower index among equals (and among NaNs).
      auto before = [row](int64_t a, int64_t b) {
        T va = row[a], vb = row[b];
        if constexpr (std::is_floating_point_v<T>) {
          bool na = std::isnan(va), nb = std::isnan(vb);
          if (na || nb) return na && (!nb || a < b);
        }
        return va > vb || (va == vb && a < b);
      };
      heap.clear();
      for (int64_t j = 0; j < n; ++j) {
        if (static_cast<int64_t>(heap.size()) < k) {
          heap.push_back(j);
          std::push_heap(heap.begin(), heap.end(), before);
        } else if (before(j, heap.front())) {
          std::pop_heap(heap.begin(), heap.end(), before);
          heap.back() = j;
          std::push_heap(heap.begin(), heap.end(), before);
        }
      }
      std::sort_heap(heap.begin(), heap.end(), before);
      for (int64_t i = 0; i < k; ++i) {
        qv[r * k + i] = row[heap[static_cast<size_t>(i)]];
        qi[r * k + i] = heap[static_cast<size_t>(i)];
      }
    }
  });
  return out;
}

}  // namespace kiln::kernels
