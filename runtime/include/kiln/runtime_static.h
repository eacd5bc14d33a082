/* Kiln runtime: modules whose code is linked into the program (kiln-compile --emit=exe and
 * --emit=lib generate the kiln_static_model; nothing else needs this header). */
#ifndef KILN_RUNTIME_STATIC_H_
#define KILN_RUNTIME_STATIC_H_

#include "kiln/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_static_symbol {
  const char* name;
  void* address;
} kiln_static_symbol;

/* A compiled module linked into the program: the artifact description without code (an
 * artifact FlatBuffer whose code is empty) and the addresses of the symbols it names. */
typedef struct kiln_static_model {
  const unsigned char* description;
  size_t description_size;
  const kiln_static_symbol* symbols;
  size_t symbol_count;
} kiln_static_model;

/* Verifies the description as kiln_module_load verifies an artifact and binds its symbols.
 * The model's data must outlive the module. */
kiln_status kiln_module_load_static(const kiln_static_model* model, kiln_module** out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_STATIC_H_ */
