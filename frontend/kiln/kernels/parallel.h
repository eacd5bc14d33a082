// A tiny fixed thread pool for the reference kernels: large loops are split over the
// machine's cores; small ones run inline with no synchronization at all.
#pragma once

#include <cstdint>
#include <functional>

namespace kiln::kernels {

namespace detail {
void parallel_for_pool(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
}  // namespace detail

// Calls fn(begin, end) over disjoint chunks covering [0, n). Runs inline when
// n < grain (no type erasure, no synchronization: the common case for small ops);
// otherwise splits over the pool's threads.
template <class F> void parallel_for(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  if (n < grain) {
    fn(int64_t{0}, n);
    return;
  }
  detail::parallel_for_pool(n, grain, std::function<void(int64_t, int64_t)>(fn));
}

// Threads used by parallel_for (KILN_NUM_THREADS, else the hardware's core count).
int num_threads();

}  // namespace kiln::kernels
