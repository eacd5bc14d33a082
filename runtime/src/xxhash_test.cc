// XXH64 against reference values. The expected hashes were computed with the reference
// implementation through Python's `xxhash` package (PyPI xxhash 3.x, `xxhash.xxh64(data)`)
// for the same byte patterns as below.
#include "runtime/src/xxhash.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace kiln::rt {
namespace {

// bytes((i*31+7) & 0xff for i in range(n))
std::vector<uint8_t> short_pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + 7);
  return v;
}

TEST(Xxh64, EmptyInput) {
  EXPECT_EQ(xxh64(nullptr, 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(xxh64("", 0), 0xEF46DB3751D8E999ULL);
}

TEST(Xxh64, ShortInputsCoverEveryTailPath) {
  struct Case {
    size_t size;
    uint64_t hash;
  };
  // Lengths around the 4-, 8- and 32-byte boundaries of the algorithm.
  const Case cases[] = {
      {1, 0xa96c7f0ce858bbb7ULL},   {3, 0x56e6957632a487f9ULL},  {4, 0xc60d15b1e3ff8f04ULL},
      {7, 0xafbefc3d6c6f9a8eULL},   {8, 0x3da5c7aa269683e0ULL},  {15, 0xae2a37eb9357caa7ULL},
      {16, 0xa19ad429b02bc413ULL},  {31, 0x4a74f3a1a39ad4a1ULL}, {32, 0x8d57d6a4671cc43dULL},
      {33, 0x62c9fd21ed857664ULL},  {63, 0x5c320a0d2707057fULL}, {64, 0x7bbabbc45729d17eULL},
      {100, 0xefa0ad2d3e70c151ULL},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> data = short_pattern(c.size);
    EXPECT_EQ(xxh64(data.data(), data.size()), c.hash) << "length " << c.size;
  }
}

TEST(Xxh64, LargeBuffer) {
  // bytes(((i*2654435761) >> 13) & 0xff for i in range(2**20 + 13))
  std::vector<uint8_t> data((size_t{1} << 20) + 13);
  for (uint64_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>((i * 2654435761ULL) >> 13);
  EXPECT_EQ(xxh64(data.data(), data.size()), 0xbddccc961380bcc3ULL);
}

TEST(Xxh64, SeedChangesTheHash) {
  std::vector<uint8_t> data = short_pattern(40);
  EXPECT_NE(xxh64(data.data(), data.size(), 1), xxh64(data.data(), data.size(), 0));
}

}  // namespace
}  // namespace kiln::rt
