// Tensor shapes: a small fixed-capacity list of dimension sizes (no heap),
// plus NumPy broadcasting.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace kiln {

// Kiln tensors have at most this many dimensions (TFLite and ggml use similar limits).
inline constexpr int kMaxRank = 8;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);  // NOLINT: Shape s = {2, 3} reads naturally
  explicit Shape(std::span<const int64_t> dims);
  explicit Shape(const std::vector<int64_t>& dims) : Shape(std::span<const int64_t>(dims)) {}

  int rank() const { return rank_; }
  int64_t operator[](int i) const { return dims_[i]; }
  int64_t& operator[](int i) { return dims_[i]; }
  // dim(-1) is the last dimension; out-of-range axes are the caller's bug (checked).
  int64_t dim(int axis) const;
  int64_t numel() const;
  const int64_t* begin() const { return dims_; }
  const int64_t* end() const { return dims_ + rank_; }
  std::vector<int64_t> vec() const { return {begin(), end()}; }

  void push_back(int64_t d);
  bool operator==(const Shape& o) const {
    return rank_ == o.rank_ && std::equal(begin(), end(), o.begin());
  }

  // "(2, 3)", "()", "(5,)" as Python prints tuples.
  std::string str() const;

 private:
  int64_t dims_[kMaxRank] = {};
  int rank_ = 0;
};

// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const Shape& s);

// NumPy broadcasting of two shapes; false when they are incompatible.
bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out);

}  // namespace kiln
