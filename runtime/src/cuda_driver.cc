// Loading the CUDA driver at run time (see cuda_driver.h).
#include "runtime/src/cuda_driver.h"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "runtime/src/status.h"

namespace kiln::rt {
namespace {

constexpr CUresult kNoDevice = 100;  // CUDA_ERROR_NO_DEVICE

struct Loaded {
  CudaDriver driver{};
  std::string error;  // why loading failed; empty on success
  kiln_status_code code = KILN_OK;
};

template <typename Fn>
bool bind(void* lib, Fn& fn, const char* name, std::string& error) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (!fn) error = "the CUDA driver has no entry point '" + std::string(name) + "' (too old?)";
  return fn != nullptr;
}

Loaded load(const char* path) {
  Loaded l;
  // Never closed: the driver stays loaded for the life of the process, as CUDA expects.
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    l.error = std::string("no CUDA driver (") + path + " not found)";
    l.code = KILN_BAD_INPUT;
    return l;
  }
  CudaDriver& d = l.driver;
  std::string& e = l.error;
  bool ok =
      bind(lib, d.cuInit, "cuInit", e) && bind(lib, d.cuDeviceGetCount, "cuDeviceGetCount", e) &&
      bind(lib, d.cuDeviceGet, "cuDeviceGet", e) &&
      bind(lib, d.cuDeviceGetName, "cuDeviceGetName", e) &&
      bind(lib, d.cuDeviceGetAttribute, "cuDeviceGetAttribute", e) &&
      bind(lib, d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", e) &&
      bind(lib, d.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2", e) &&
      bind(lib, d.cuCtxSetCurrent, "cuCtxSetCurrent", e) &&
      bind(lib, d.cuCtxSynchronize, "cuCtxSynchronize", e) &&
      bind(lib, d.cuModuleLoadData, "cuModuleLoadData", e) &&
      bind(lib, d.cuModuleUnload, "cuModuleUnload", e) &&
      bind(lib, d.cuModuleGetFunction, "cuModuleGetFunction", e) &&
      bind(lib, d.cuModuleGetGlobal, "cuModuleGetGlobal_v2", e) &&
      bind(lib, d.cuMemAlloc, "cuMemAlloc_v2", e) && bind(lib, d.cuMemFree, "cuMemFree_v2", e) &&
      bind(lib, d.cuMemcpyHtoD, "cuMemcpyHtoD_v2", e) &&
      bind(lib, d.cuMemcpyDtoH, "cuMemcpyDtoH_v2", e) &&
      bind(lib, d.cuMemsetD8, "cuMemsetD8_v2", e) &&
      bind(lib, d.cuLaunchKernel, "cuLaunchKernel", e) &&
      bind(lib, d.cuGetErrorString, "cuGetErrorString", e);
  if (!ok) {
    l.code = KILN_BAD_INPUT;
    return l;
  }
  CUresult r = d.cuInit(0);
  int count = 0;
  if (r == kNoDevice || (r == 0 && (d.cuDeviceGetCount(&count) != 0 || count == 0))) {
    l.error = "no CUDA device";
    l.code = KILN_BAD_INPUT;
  } else if (r != 0) {
    const char* text = nullptr;
    if (d.cuGetErrorString(r, &text) != 0 || !text) text = "unknown error";
    l.error =
        "the CUDA driver failed to initialize: CUDA error " + std::to_string(r) + " (" + text + ")";
    l.code = KILN_BAD_INPUT;
  }
  return l;
}

}  // namespace

void CudaDriver::check(CUresult result, const std::string& what) const {
  if (result == 0) return;
  const char* text = nullptr;
  if (cuGetErrorString(result, &text) != 0 || !text) text = "unknown error";
  throw Error(KILN_INTERNAL, what + ": CUDA error " + std::to_string(result) + " (" + text + ")");
}

const CudaDriver& cuda_driver() {
  const char* override_path = std::getenv("KILN_CUDA_DRIVER");
  const std::string path = override_path && *override_path ? override_path : "libcuda.so.1";
  // One load per library for the life of the process (tests switch libraries).
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Loaded>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<Loaded>& l = loaded[path];
  if (!l) l = std::make_unique<Loaded>(load(path.c_str()));
  if (!l->error.empty()) throw Error(l->code, l->error);
  return l->driver;
}

}  // namespace kiln::rt
