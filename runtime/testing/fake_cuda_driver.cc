// A stand-in for libcuda.so.1 in tests (KILN_CUDA_DRIVER=<this library>): device memory is
// host memory, modules and kernels are names, and a launch of the kernel "axpy_and_double"
// computes out = x + v and v = 2 v over its three buffers (x, v, out; 4 floats), so that a
// test can follow data through the runtime's CUDA executor without a GPU. fake_cuda_log()
// lists what the runtime asked for; fake_cuda_fail_next_launch() makes the next launch set
// the module's status word, as a kernel's failed run-time check does.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

namespace {

std::string log_text;
int64_t pending_status[4] = {};
bool fail_next = false;
void* status_word = nullptr;

}  // namespace

extern "C" {

const char* fake_cuda_log() { return log_text.c_str(); }
void fake_cuda_clear_log() { log_text.clear(); }
void fake_cuda_fail_next_launch(int64_t site, int64_t position, int64_t value, int64_t bound) {
  pending_status[0] = site;
  pending_status[1] = position;
  pending_status[2] = value;
  pending_status[3] = bound;
  fail_next = true;
}

int cuInit(unsigned) { return 0; }
int cuDeviceGetCount(int* count) {
  *count = 1;
  return 0;
}
int cuDeviceGet(int* device, int) {
  *device = 0;
  return 0;
}
int cuDeviceGetName(char* name, int length, int) {
  std::strncpy(name, "Fake GPU", static_cast<size_t>(length));
  return 0;
}
int cuDeviceGetAttribute(int* value, int attribute, int) {
  *value = attribute == 75 ? 9 : 0;  // compute capability 9.0
  return 0;
}
int cuDevicePrimaryCtxRetain(void** context, int) {
  static int ctx;
  *context = &ctx;
  return 0;
}
int cuDevicePrimaryCtxRelease_v2(int) { return 0; }
int cuCtxSetCurrent(void*) { return 0; }
int cuCtxSynchronize() { return 0; }
int cuModuleLoadData(void** module, const void* image) {
  log_text += std::memcmp(image,
                          "\x7f"
                          "ELF",
                          4) == 0
                  ? "load cubin\n"
                  : "load ptx\n";
  static int m;
  *module = &m;
  return 0;
}
int cuModuleUnload(void*) { return 0; }
int cuModuleGetFunction(void** function, void*, const char* name) {
  static std::map<std::string, std::string> names;
  *function = &names.emplace(name, name).first->second;
  return 0;
}
int cuModuleGetGlobal_v2(unsigned long long* pointer, size_t* bytes, void*, const char* name) {
  if (std::strcmp(name, "__kiln_status") != 0) return 500;  // CUDA_ERROR_NOT_FOUND
  if (!status_word) status_word = std::calloc(4, sizeof(int64_t));
  *pointer = reinterpret_cast<uintptr_t>(status_word);
  *bytes = 4 * sizeof(int64_t);
  return 0;
}
int cuMemAlloc_v2(unsigned long long* pointer, size_t bytes) {
  *pointer = reinterpret_cast<uintptr_t>(std::malloc(bytes));
  return 0;
}
int cuMemFree_v2(unsigned long long pointer) {
  std::free(reinterpret_cast<void*>(static_cast<uintptr_t>(pointer)));
  return 0;
}
int cuMemcpyHtoD_v2(unsigned long long to, const void* from, size_t bytes) {
  std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(to)), from, bytes);
  return 0;
}
int cuMemcpyDtoH_v2(void* to, unsigned long long from, size_t bytes) {
  std::memcpy(to, reinterpret_cast<void*>(static_cast<uintptr_t>(from)), bytes);
  return 0;
}
int cuMemsetD8_v2(unsigned long long to, unsigned char value, size_t bytes) {
  std::memset(reinterpret_cast<void*>(static_cast<uintptr_t>(to)), value, bytes);
  return 0;
}
int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                   unsigned bz, unsigned, void*, void** params, void**) {
  const std::string& name = *static_cast<std::string*>(function);
  log_text += "launch " + name + " " + std::to_string(gx) + "x" + std::to_string(gy) + "x" +
              std::to_string(gz) + " " + std::to_string(bx) + "x" + std::to_string(by) + "x" +
              std::to_string(bz) + "\n";
  if (name == "axpy_and_double") {
    auto buffer = [&](int i) {
      return reinterpret_cast<float*>(
          static_cast<uintptr_t>(*static_cast<unsigned long long*>(params[i])));
    };
    float *x = buffer(0), *v = buffer(1), *out = buffer(2);
    for (int i = 0; i < 4; ++i) {
      out[i] = x[i] + v[i];
      v[i] *= 2;
    }
  }
  if (fail_next && status_word) {
    std::memcpy(status_word, pending_status, sizeof pending_status);
    fail_next = false;
  }
  return 0;
}
int cuGetErrorString(int, const char** text) {
  *text = "fake error";
  return 0;
}

}  // extern "C"
