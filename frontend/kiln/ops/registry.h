// The table of kiln primitives: every op the front end executes (and, later, the
// dialect models) is one of these. Composite functions (losses, softmax, mean)
// are built from them and get gradients for free. Tests use this table to insist
// that every differentiable primitive has a finite-difference gradient check.
#pragma once

#include <span>

namespace kiln {

struct PrimitiveInfo {
  const char* name;
  bool differentiable;
};

std::span<const PrimitiveInfo> primitives();

}  // namespace kiln
