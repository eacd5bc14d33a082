// Counts heap allocations (malloc, calloc, realloc, the aligned ones, operator new through
// them) made by any thread while counting is on. Test support: sanitizer builds use the
// allocator's own hooks, other builds wrap glibc's malloc family.
#pragma once

#include <cstdint>

namespace kiln::testing {

void start_counting_allocations();
int64_t stop_counting_allocations();  // the allocations since start

}  // namespace kiln::testing
