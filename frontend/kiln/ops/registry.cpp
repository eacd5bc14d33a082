// The primitive table (see registry.h). Keep in step with the ops/*.cpp files.
#include "kiln/ops/registry.h"

namespace kiln {

std::span<const PrimitiveInfo> primitives() {
  static const PrimitiveInfo table[] = {
      // elementwise unary
      {"neg", true}, {"exp", true}, {"log", true}, {"log1p", true}, {"expm1", true},
      {"sqrt", true}, {"rsqrt", true}, {"abs", true}, {"sign", false}, {"square", true},
      {"tanh", true}, {"sigmoid", true}, {"relu", true}, {"softplus", true}, {"floor", false},
      {"logical_not", false},
      // elementwise binary
      {"add", true}, {"subtract", true}, {"multiply", true}, {"divide", true}, {"pow", true},
      {"maximum", true}, {"minimum", true}, {"equal", false}, {"not_equal", false},
      {"less", false}, {"less_equal", false}, {"greater", false}, {"greater_equal", false},
      {"logical_and", false}, {"logical_or", false},
      {"where", true}, {"cast", true},
      // reductions
      {"sum", true}, {"max", true}, {"min", true}, {"argmax", false}, {"top_k", true},
      // linear algebra
      {"matmul", true},
      // data movement
      {"reshape", true}, {"transpose", true}, {"broadcast_to", true}, {"concat", true},
      {"slice", true}, {"pad", true},
      // indexing
      {"gather", true}, {"scatter_add", true},
      // creation and random numbers
      {"constant", false}, {"iota", false}, {"random_uniform", false}, {"random_normal", false},
      {"truncated_normal", false},
  };
  return table;
}

}  // namespace kiln
