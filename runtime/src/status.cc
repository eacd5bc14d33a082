// The status and dtype functions of the C API.
#include "runtime/src/status.h"

extern "C" {

kiln_status_code kiln_status_get_code(kiln_status status) {
  return status ? status->code : KILN_OK;
}

const char* kiln_status_message(kiln_status status) {
  return status ? status->message.c_str() : "";
}

void kiln_status_free(kiln_status status) { delete status; }

const char* kiln_dtype_name(kiln_dtype dtype) {
  switch (dtype) {
    case KILN_F32: return "f32";
    case KILN_F64: return "f64";
    case KILN_I32: return "i32";
    case KILN_I64: return "i64";
    case KILN_BOOL: return "bool";
  }
  return "?";
}

size_t kiln_dtype_size(kiln_dtype dtype) {
  switch (dtype) {
    case KILN_F32: return 4;
    case KILN_F64: return 8;
    case KILN_I32: return 4;
    case KILN_I64: return 8;
    case KILN_BOOL: return 1;
  }
  return 0;
}

}  // extern "C"
