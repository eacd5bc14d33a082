// Fuzzes the .npy reader and the literal parser: every input is accepted or rejected with an
// Error, and what is accepted is a consistent tensor.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/src/npy.h"
#include "runtime/src/status.h"

namespace {

// An accepted tensor must hold exactly product(shape) elements, each of which can be read.
void check(const kiln::rt::HostTensor& t) {
  if (t.shape.size() > KILN_MAX_RANK) __builtin_trap();
  size_t expected = static_cast<size_t>(t.element_count()) * kiln_dtype_size(t.dtype);
  if (t.bytes.size() != expected) __builtin_trap();
  uint8_t sum = 0;
  for (uint8_t b : t.bytes) sum = static_cast<uint8_t>(sum + b);
  if (t.dtype == KILN_BOOL) {
    for (uint8_t b : t.bytes) {
      if (b > 1) __builtin_trap();
    }
  }
  volatile uint8_t sink = sum;
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    check(kiln::rt::parse_npy(data, size, "fuzz.npy"));
  } catch (const kiln::rt::Error&) {
  }
  // The first byte picks the literal's dtype; the rest is its text.
  if (size > 0) {
    auto dtype = static_cast<kiln_dtype>(data[0] % 5);
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
      check(kiln::rt::parse_literal(text, dtype, "--input fuzz"));
    } catch (const kiln::rt::Error&) {
    }
  }
  return 0;
}
