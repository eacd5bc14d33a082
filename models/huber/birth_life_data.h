// The CS20 birth-rate / life-expectancy data: finding birth_life_2010.txt, reading it, and the
// synthetic stand-in the project generates when the shared data folder is absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace huber {

inline constexpr const char* kDataFileName = "birth_life_2010.txt";
inline constexpr const char* kXColumn = "Birth rate";
inline constexpr const char* kYColumn = "Life expectancy";

// Examples for a one-feature regression, in file order.
struct RegressionData {
  kiln::Tensor x;      // birth rate, shape (n,)
  kiln::Tensor y;      // life expectancy, shape (n,)
  std::string source;  // the file read, or "synthetic"
  bool synthetic = false;
  int64_t size() const { return x.defined() ? x.numel() : 0; }
};

// Where birth_life_2010.txt was looked for and, if it was found, its path.
struct DataLookup {
  std::optional<std::string> path;
  std::vector<std::string> searched;  // the folders tried, in order
};

// Looks for birth_life_2010.txt in $KILN_DATA_DIR when that is set (and only there: a user who
// names a folder means that folder), otherwise in <source tree>/../shared/data, then in
// ../shared/data relative to the working directory.
DataLookup find_birth_life_data();

// Reads the tab-separated file with columns "Birth rate" and "Life expectancy" as float32.
// Missing files, missing columns, malformed or non-finite numbers and empty tables raise
// kiln::data::DataError naming the file (and line, where there is one).
RegressionData read_birth_life_data(const std::string& path,
                                    const kiln::Loc& loc = kiln::Loc::current());

// n points shaped like the real data: birth rate ~ U[1, 7) births per woman, life expectancy
// = 85.7 - 5.7 * birth rate + N(0, 5.5^2) years, from Kiln's own Philox generator.
inline constexpr int64_t kSyntheticSize = 190;
inline constexpr uint64_t kSyntheticSeed = 2010;
RegressionData synthetic_birth_life_data(int64_t n = kSyntheticSize,
                                         uint64_t seed = kSyntheticSeed);

// The closed-form least-squares line y = w x + b, computed in float64 (for comparison plots).
struct LineFit {
  double w = 0, b = 0;
};
LineFit least_squares_fit(const RegressionData& data);

}  // namespace huber
