// A tiny fixed thread pool for the reference kernels: large loops are split over the
// machine's cores; small ones run inline with no synchronization at all.
#pragma once

#include <cstdint>
#include <functional>

namespace kiln::kernels {

// Calls fn(begin, end) over disjoint chunks covering [0, n). Runs inline when
// n < grain or the pool has one thread; otherwise splits over all threads.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Threads used by parallel_for (KILN_NUM_THREADS, else the hardware's core count).
int num_threads();

}  // namespace kiln::kernels
