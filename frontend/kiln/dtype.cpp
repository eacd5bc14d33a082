// Names and sizes of dtypes.
#include "kiln/dtype.h"

namespace kiln {

std::string_view dtype_name(DType dt) {
  switch (dt) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::i32: return "int32";
    case DType::i64: return "int64";
    case DType::b8: return "bool";
  }
  return "unknown";
}

size_t dtype_size(DType dt) {
  return visit_dtype(dt, [](auto v) { return sizeof(v); });
}

}  // namespace kiln
