// A per-thread free list of small fixed-size blocks, for the shared_ptr control
// blocks of tensors: an eager step creates and drops dozens of tensors, and glibc's
// malloc/free were the largest cost in profiles of it. Under AddressSanitizer the
// pool steps aside, so use-after-free is still caught.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace kiln::detail {

void* pool_allocate(size_t bytes);
void pool_deallocate(void* p, size_t bytes) noexcept;

// An allocator for std::allocate_shared that draws single objects from the pool.
template <class T> struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U> PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(size_t n) {
    static_assert(alignof(T) <= alignof(std::max_align_t), "pool blocks are max_align_t aligned");
    if (n != 1) return std::allocator<T>().allocate(n);
    return static_cast<T*>(pool_allocate(sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n != 1) return std::allocator<T>().deallocate(p, n);
    pool_deallocate(p, sizeof(T));
  }
  template <class U> bool operator==(const PoolAllocator<U>&) const noexcept { return true; }
};

}  // namespace kiln::detail
