// The block pool: size classes of 16 bytes up to 256, each a singly linked free list.
#include "kiln/block_pool.h"

#include <cstdint>

namespace kiln::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPoolEnabled = false;
#else
constexpr bool kPoolEnabled = true;
#endif

constexpr size_t kClassBytes = 16, kClasses = 16, kMaxCached = 4096;

struct FreeBlock {
  FreeBlock* next;
};

struct ThreadPool {
  FreeBlock* head[kClasses] = {};
  size_t count[kClasses] = {};
  ~ThreadPool() {
    for (size_t c = 0; c < kClasses; ++c)
      while (FreeBlock* b = head[c]) {
        head[c] = b->next;
        ::operator delete(b);
      }
  }
};

thread_local ThreadPool t_pool;

size_t size_class(size_t bytes) { return (bytes + kClassBytes - 1) / kClassBytes - 1; }

}  // namespace

void* pool_allocate(size_t bytes) {
  size_t c = size_class(bytes);
  if (!kPoolEnabled || c >= kClasses) return ::operator new(bytes);
  if (FreeBlock* b = t_pool.head[c]) {
    t_pool.head[c] = b->next;
    --t_pool.count[c];
    return b;
  }
  return ::operator new((c + 1) * kClassBytes);
}

void pool_deallocate(void* p, size_t bytes) noexcept {
  size_t c = size_class(bytes);
  if (!kPoolEnabled || c >= kClasses || t_pool.count[c] >= kMaxCached) {
    ::operator delete(p);
    return;
  }
  auto* b = static_cast<FreeBlock*>(p);
  b->next = t_pool.head[c];
  t_pool.head[c] = b;
  ++t_pool.count[c];
}

}  // namespace kiln::detail
