// Fuzzes artifact verification, the gate in front of everything Module::load does with a
// file (mapping and executing its code): every input is accepted or rejected with an Error.
#include <cstddef>
#include <cstdint>

#include "runtime/src/module.h"
#include "runtime/src/npy.h"
#include "runtime/src/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Artifacts are read into aligned memory, which the FlatBuffers verifier expects.
  kiln::rt::AlignedBytes bytes(data, data + size);
  try {
    kiln::rt::verify_artifact(bytes.data(), bytes.size(), "fuzz.kiln");
  } catch (const kiln::rt::Error&) {
  }
  return 0;
}
