// XXH64 (Yann Collet's 64-bit xxHash), written from the published algorithm description:
// the per-tensor and footer checksum of checkpoints (and of artifact code sections).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::rt {

// The XXH64 hash of `size` bytes at `data` (which may be null when size is 0).
uint64_t xxh64(const void* data, size_t size, uint64_t seed = 0);

}  // namespace kiln::rt
