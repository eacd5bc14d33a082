// Fuzzes checkpoint verification: every input is accepted or rejected with an Error, and in
// an accepted checkpoint every tensor's data can be read in full.
#include <cstddef>
#include <cstdint>

#include "runtime/src/checkpoint.h"
#include "runtime/src/npy.h"
#include "runtime/src/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Loaded checkpoints are mapped, so their bytes start on a page boundary; copying to a
  // 64-byte-aligned buffer keeps the tensors' alignment what it is in real use.
  kiln::rt::AlignedBytes bytes(data, data + size);
  try {
    auto checkpoint = kiln::rt::Checkpoint::from_bytes(bytes.data(), bytes.size(), "fuzz.kckpt");
    uint8_t sum = 0;
    for (const kiln::rt::CheckpointTensor& t : checkpoint->tensors()) {
      uint64_t expected = kiln_dtype_size(t.dtype);
      for (int64_t d : t.shape) expected *= static_cast<uint64_t>(d);
      if (t.length != expected || checkpoint->find(t.name) == nullptr) __builtin_trap();
      for (uint64_t i = 0; i < t.length; ++i) sum = static_cast<uint8_t>(sum + t.data[i]);
    }
    volatile uint8_t sink = sum;
    (void)sink;
  } catch (const kiln::rt::Error&) {
  }
  return 0;
}
