// The CUDA driver API, loaded at run time with dlopen("libcuda.so.1"): the runtime has no
// link-time dependency on CUDA, so the same binary runs (on the CPU) where there is no GPU
// and says so clearly when asked for one. Only the entry points Kiln uses, declared here
// with the driver's ABI (no cuda.h needed to build).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace kiln::rt {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st*;
using CUmodule = struct CUmod_st*;
using CUfunction = struct CUfunc_st*;
using CUstream = struct CUstream_st*;

struct CudaDriver {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDeviceGetCount)(int* count);
  CUresult (*cuDeviceGet)(CUdevice* device, int ordinal);
  CUresult (*cuDeviceGetName)(char* name, int length, CUdevice device);
  CUresult (*cuDeviceGetAttribute)(int* value, int attribute, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext* context, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext context);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule* module, const void* image);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction* function, CUmodule module, const char* name);
  CUresult (*cuModuleGetGlobal)(CUdeviceptr* pointer, size_t* bytes, CUmodule module,
                                const char* name);
  CUresult (*cuMemAlloc)(CUdeviceptr* pointer, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr pointer);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr to, const void* from, size_t bytes);
  CUresult (*cuMemcpyDtoH)(void* to, CUdeviceptr from, size_t bytes);
  CUresult (*cuMemsetD8)(CUdeviceptr to, unsigned char value, size_t bytes);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                             unsigned block_x, unsigned block_y, unsigned block_z,
                             unsigned shared_bytes, CUstream stream, void** params, void** extra);
  CUresult (*cuGetErrorString)(CUresult error, const char** text);

  // Throws kiln::rt::Error "<what>: CUDA error N (text)" unless `result` is 0 (success).
  void check(CUresult result, const std::string& what) const;
};

// The driver, loaded and initialized once per process (cuInit(0)). Throws kiln::rt::Error:
// "no CUDA driver (libcuda.so.1 not found)" where there is none, "no CUDA device" where it
// finds no GPU, naming a missing entry point or cuInit's error otherwise.
// $KILN_CUDA_DRIVER names another library to load instead (tests).
const CudaDriver& cuda_driver();

}  // namespace kiln::rt
