// Host tensors for the runtime's inputs and outputs: NumPy .npy files (read and written) and
// literal values typed on a command line (`[1.8,3.9]`). Every error names the file or value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "kiln/runtime.h"

namespace kiln::rt {

// Tensor data is 64-byte aligned, like checkpoint data, so that compiled code may use aligned
// vector loads on inputs whatever their source.
template <typename T>
struct Aligned64Allocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};

  Aligned64Allocator() = default;
  template <typename U>
  explicit Aligned64Allocator(const Aligned64Allocator<U>&) {}

  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlignment); }
  bool operator==(const Aligned64Allocator&) const = default;
};

using AlignedBytes = std::vector<uint8_t, Aligned64Allocator<uint8_t>>;

// A dense row-major tensor that owns its data.
struct HostTensor {
  kiln_dtype dtype = KILN_F32;
  std::vector<int64_t> shape;  // empty for a scalar
  AlignedBytes bytes;          // element_count() * kiln_dtype_size(dtype)

  [[nodiscard]] int64_t element_count() const;
  // A view of this tensor's data, valid while the tensor lives and is not resized.
  kiln_tensor_view view();
};

// Reads a .npy file (format versions 1.0, 2.0 and 3.0): little-endian f4, f8, i4, i8 or b1
// data in C order, rank at most KILN_MAX_RANK. Throws Error (KILN_BAD_INPUT) naming `path`.
HostTensor read_npy(const std::string& path);
// The same from bytes in memory; `origin` names them in errors.
HostTensor parse_npy(const uint8_t* data, size_t size, const std::string& origin);

// Writes `tensor` as a version 1.0 .npy file whose data starts at a 64-byte boundary, as
// NumPy's own writer does. The file is replaced atomically.
void write_npy(const std::string& path, const kiln_tensor_view& tensor);

// Parses a literal: a number (`1.5`), `true`/`false` for bool, or nested lists of them
// (`[[1, 2], [3, 4]]`, `[]` is shape [0]). Numbers take `dtype`; integers out of its range
// and ragged lists are errors naming `origin` and the character position.
HostTensor parse_literal(const std::string& text, kiln_dtype dtype, const std::string& origin);

// A command-line input value: `@file.npy` reads the file, which must hold `expected` values
// (no implicit casts); anything else is a literal of dtype `expected`.
HostTensor parse_input_value(const std::string& text, kiln_dtype expected,
                             const std::string& origin);

}  // namespace kiln::rt
