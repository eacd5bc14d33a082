/* Kiln runtime: load compiled artifacts (.kiln) and checkpoints (.kckpt), run the compiled
 * functions. No LLVM or MLIR is in the runtime; it needs libc, libm and libstdc++ only.
 *
 *   kiln_module* m;       kiln_status s = kiln_module_load("huber.kiln", &m);
 *   kiln_instance* inst;  s = kiln_instance_create(m, &inst);
 *   kiln_checkpoint* ck;  s = kiln_checkpoint_open("huber.kckpt", &ck);
 *   s = kiln_instance_restore(inst, ck, "predict");
 *   kiln_tensor_view x = {KILN_F32, 1, {2}, xs};
 *   kiln_result* r;       s = kiln_instance_call(inst, "predict", &x, 1, &r);
 *   ... kiln_result_output(r, 0, &y) ...
 *   kiln_result_free(r); kiln_checkpoint_close(ck); kiln_instance_free(inst); kiln_module_free(m);
 *
 * Errors: every function that can fail returns a kiln_status; NULL means success. A
 * non-NULL status carries a code (KILN_BAD_INPUT: the input named in the message is
 * wrong; KILN_USAGE: the API was misused; KILN_INTERNAL: a bug or a system failure) and a
 * message naming what was wrong and where. The caller owns it and frees it with
 * kiln_status_free. The runtime never aborts on bad input.
 *
 * Ownership: objects returned through `out` pointers belong to the caller, who frees them
 * with the matching _free/_close function (NULL is accepted and ignored). Pointers the
 * runtime hands out into an object (names, tensor data) stay valid until that object is
 * freed. A module must outlive its instances; a checkpoint may be closed right after a
 * restore (the instance copies what it needs).
 *
 * Thread safety: modules and checkpoints are immutable after loading and can be shared by
 * any number of threads. Functions on one instance or one writer must not be called
 * concurrently; calls on different instances are safe (calls into one module's code are
 * serialized by the runtime, which shares one status word per loaded module).
 */
#ifndef KILN_RUNTIME_H_
#define KILN_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_RUNTIME_VERSION "0.1.0"
#define KILN_MAX_RANK 8

/* ---- status ------------------------------------------------------------------------ */

typedef enum kiln_status_code {
  KILN_OK = 0,
  KILN_BAD_INPUT = 1, /* a file, tensor or argument the caller supplied is wrong */
  KILN_USAGE = 2,     /* the API was called wrongly (an unknown function, a NULL pointer) */
  KILN_INTERNAL = 3   /* a system failure (out of memory, I/O) or a bug */
} kiln_status_code;

typedef struct kiln_status_s* kiln_status; /* NULL: success */

kiln_status_code kiln_status_get_code(kiln_status status); /* KILN_OK for NULL */
const char* kiln_status_message(kiln_status status);       /* "" for NULL */
void kiln_status_free(kiln_status status);

/* ---- tensors ----------------------------------------------------------------------- */

typedef enum kiln_dtype {
  KILN_F32 = 0,
  KILN_F64 = 1,
  KILN_I32 = 2,
  KILN_I64 = 3,
  KILN_BOOL = 4 /* one byte per element, 0 or 1 */
} kiln_dtype;

const char* kiln_dtype_name(kiln_dtype dtype); /* "f32", ...; "?" when unknown */
size_t kiln_dtype_size(kiln_dtype dtype);      /* bytes per element; 0 when unknown */

/* A dense row-major tensor the caller (or the object it came from) owns. */
typedef struct kiln_tensor_view {
  kiln_dtype dtype;
  int32_t rank; /* 0..KILN_MAX_RANK */
  int64_t shape[KILN_MAX_RANK];
  void* data;   /* product(shape) * kiln_dtype_size(dtype) bytes */
} kiln_tensor_view;

/* ---- checkpoints ------------------------------------------------------------------- */

typedef enum kiln_tensor_kind {
  KILN_KIND_VARIABLE = 0,
  KILN_KIND_OPTIMIZER_SLOT = 1,
  KILN_KIND_RNG_STATE = 2,
  KILN_KIND_DATA = 3
} kiln_tensor_kind;

typedef struct kiln_checkpoint_s kiln_checkpoint;

/* Maps `path` read-only and verifies all of it (header, FlatBuffers verifier, offsets,
 * lengths, overlaps, dtypes, ranks, every tensor's checksum) before returning. */
kiln_status kiln_checkpoint_open(const char* path, kiln_checkpoint** out);
void kiln_checkpoint_close(kiln_checkpoint* checkpoint);

int64_t kiln_checkpoint_step(const kiln_checkpoint* checkpoint);
const char* kiln_checkpoint_producer(const kiln_checkpoint* checkpoint);
uint32_t kiln_checkpoint_format_version(const kiln_checkpoint* checkpoint);
size_t kiln_checkpoint_tensor_count(const kiln_checkpoint* checkpoint);
/* Tensor `index` (in file order): its name, kind, checksum and a view of its data (read-only,
 * inside the mapping). Any of the out pointers may be NULL. */
kiln_status kiln_checkpoint_tensor(const kiln_checkpoint* checkpoint, size_t index,
                                   const char** name, kiln_tensor_kind* kind,
                                   uint64_t* checksum, kiln_tensor_view* view);
/* The index of the tensor named `name`, or -1. */
int64_t kiln_checkpoint_find(const kiln_checkpoint* checkpoint, const char* name);
size_t kiln_checkpoint_metadata_count(const kiln_checkpoint* checkpoint);
kiln_status kiln_checkpoint_metadata(const kiln_checkpoint* checkpoint, size_t index,
                                     const char** key, const char** value);

typedef struct kiln_checkpoint_writer_s kiln_checkpoint_writer;

kiln_status kiln_checkpoint_writer_create(kiln_checkpoint_writer** out);
void kiln_checkpoint_writer_free(kiln_checkpoint_writer* writer);
/* Adds a tensor; the data is copied. Names must be unique. */
kiln_status kiln_checkpoint_writer_add(kiln_checkpoint_writer* writer, const char* name,
                                       kiln_tensor_kind kind, const kiln_tensor_view* tensor);
void kiln_checkpoint_writer_set_step(kiln_checkpoint_writer* writer, int64_t step);
kiln_status kiln_checkpoint_writer_set_producer(kiln_checkpoint_writer* writer,
                                                const char* producer);
/* Sets (or replaces) a metadata key. */
kiln_status kiln_checkpoint_writer_set_metadata(kiln_checkpoint_writer* writer,
                                                const char* key, const char* value);
/* Writes atomically: a temporary file in the same directory, fsync, rename over `path`,
 * fsync of the directory. On failure `path` is untouched and the temporary is removed. */
kiln_status kiln_checkpoint_writer_save(const kiln_checkpoint_writer* writer, const char* path);

/* ---- modules (compiled artifacts) -------------------------------------------------- */

typedef struct kiln_module_s kiln_module;

/* Reads and verifies the artifact at `path` (FlatBuffers verifier, signatures, code
 * checksum, target compatible with this CPU), then loads its code. */
kiln_status kiln_module_load(const char* path, kiln_module** out);
void kiln_module_free(kiln_module* module);

size_t kiln_module_function_count(const kiln_module* module);
const char* kiln_module_function_name(const kiln_module* module, size_t index);
/* Index of the function named `name`, or -1. */
int64_t kiln_module_find_function(const kiln_module* module, const char* name);
/* Inputs (non-variable arguments) and outputs of function `index`; views carry dtype and
 * traced shape (data NULL). Batched functions take any leading dim (see is_batched). */
size_t kiln_module_function_input_count(const kiln_module* module, size_t index);
size_t kiln_module_function_output_count(const kiln_module* module, size_t index);
kiln_status kiln_module_function_input(const kiln_module* module, size_t index, size_t input,
                                       const char** name, kiln_tensor_view* spec);
kiln_status kiln_module_function_output(const kiln_module* module, size_t index,
                                        size_t output, const char** name,
                                        kiln_tensor_view* spec);
int kiln_module_function_is_batched(const kiln_module* module, size_t index);
/* The checkpoint metadata key of the vocabulary whose ids an integer input (or output)
 * holds, or NULL when its values are plain numbers (or there is no such input/output).
 * The vocabulary is one token per line; the id is the line number, from 0; text after a
 * tab on a line is ignored. Owned by the module. */
const char* kiln_module_function_input_vocabulary(const kiln_module* module, size_t index,
                                                  size_t input);
const char* kiln_module_function_output_vocabulary(const kiln_module* module, size_t index,
                                                   size_t output);

size_t kiln_module_variable_count(const kiln_module* module);
kiln_status kiln_module_variable(const kiln_module* module, size_t index, const char** name,
                                 kiln_tensor_view* spec);

/* ---- instances: a module's variables, ready to call -------------------------------- */

typedef struct kiln_instance_s kiln_instance;

/* Variables start zero-filled; restore a checkpoint or set them before calling. */
kiln_status kiln_instance_create(const kiln_module* module, kiln_instance** out);
void kiln_instance_free(kiln_instance* instance);

/* Copies every module variable the checkpoint holds (of any kind, by name) into the
 * instance. Required are the variables `function` reads (every function's, when `function`
 * is NULL); a variable that is only overwritten, like an accumulator, may be missing and
 * keeps its value. Variables missing from the checkpoint, checkpoint variables
 * (KILN_KIND_VARIABLE) the module does not have, and dtype/shape mismatches are all
 * reported in one status; on failure nothing is changed. */
kiln_status kiln_instance_restore(kiln_instance* instance, const kiln_checkpoint* checkpoint,
                                  const char* function);
/* Saves every variable (atomically, as kiln_checkpoint_writer_save), with `step`. Each is
 * saved as the kind it was restored with (an optimizer slot stays one); variables never
 * restored are KILN_KIND_VARIABLE, or KILN_KIND_DATA when no function reads them before
 * writing them (an accumulator). */
kiln_status kiln_instance_save(const kiln_instance* instance, const char* path, int64_t step);
/* A view of variable `name`'s live storage (writable; valid until the instance is freed). */
kiln_status kiln_instance_variable(kiln_instance* instance, const char* name,
                                   kiln_tensor_view* out);

typedef struct kiln_result_s kiln_result;

/* Calls `function` with its inputs in order (dtype and shape must match the signature;
 * batched functions take any leading dim). Variables are read and updated in place. A
 * run-time check that fails (an index out of range) returns KILN_BAD_INPUT naming the op
 * and the user's source line; variables the call updated before that point keep their
 * new values. */
kiln_status kiln_instance_call(kiln_instance* instance, const char* function,
                               const kiln_tensor_view* inputs, size_t input_count,
                               kiln_result** out);
/* As kiln_instance_call, but writes the outputs into the caller's buffers: outputs[i] must
 * have output i's dtype and shape (a batched function's leading dim is the input rows) and
 * point at enough memory. Allocates nothing on success: the instance holds the function's
 * memory-planned arena and its argument descriptors, so a training loop runs without heap
 * allocations (as long as the compiled function reports no heap temporaries). */
kiln_status kiln_instance_call_into(kiln_instance* instance, const char* function,
                                    const kiln_tensor_view* inputs, size_t input_count,
                                    const kiln_tensor_view* outputs, size_t output_count);
/* An instance on `device`: "cpu" (as kiln_instance_create) or "cuda" (the module must be a
 * CUDA artifact, kiln-compile --target=cuda:sm_XX). On CUDA the variables live in device
 * memory; restore, save and kiln_instance_variable go through host copies, and calls run
 * the artifact's kernels on device $KILN_CUDA_DEVICE (default 0). The CUDA driver is loaded
 * at run time (dlopen libcuda.so.1): without one this returns KILN_BAD_INPUT "no CUDA
 * driver (libcuda.so.1 not found)", without a GPU "no CUDA device". */
kiln_status kiln_instance_create_on_device(const kiln_module* module, const char* device,
                                           kiln_instance** out);
/* What the instance runs on: "cpu", or the CUDA code it loaded and the GPU ("cubin sm_90 on
 * NVIDIA H100 ...", "PTX sm_80, compiled by the driver for ..."). Valid while it lives. */
const char* kiln_instance_device(const kiln_instance* instance);

size_t kiln_result_output_count(const kiln_result* result);
kiln_status kiln_result_output(const kiln_result* result, size_t index, kiln_tensor_view* out);
void kiln_result_free(kiln_result* result);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H_ */
