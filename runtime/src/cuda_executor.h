// Runs a CUDA artifact's functions on one GPU: the module's kernels loaded once (the cubin
// for the device's architecture, else the PTX, compiled by the driver), the variables in
// device memory, and each call's launches performed as the plan lists them.
//
// The instance's host buffers are the variables' host copies (checkpoints restore into
// and save from them): the executor uploads them before a call when the host changed them,
// and downloads before the host reads them after a call. Not thread-safe: one instance,
// one thread, as the C API says.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/src/cuda_driver.h"
#include "runtime/src/module.h"

namespace kiln::rt {

class CudaExecutor {
 public:
  // Opens device $KILN_CUDA_DEVICE (default 0) and loads the module's code. `host` are the
  // instance's variable buffers, in Module::variables() order. Throws kiln::rt::Error
  // ("no CUDA driver (libcuda.so.1 not found)", "no CUDA device", a module that is not
  // a CUDA artifact, a driver failure).
  CudaExecutor(const Module& module, std::vector<uint8_t*> host);
  ~CudaExecutor();
  CudaExecutor(const CudaExecutor&) = delete;
  CudaExecutor& operator=(const CudaExecutor&) = delete;

  // "cubin sm_90 on NVIDIA H100 80GB HBM3 (sm_90)" or "PTX sm_80, compiled by the driver
  // for ... (sm_89)".
  const std::string& loaded() const { return loaded_; }

  // The host copies are now the newer ones (call sync_to_host first to keep the device's).
  void host_changed() {
    upload_ = true;
    download_ = false;
  }
  void sync_to_host() const;  // downloads the variables if a call changed them

  // One call (one row of a batched function): inputs copied in, the plan's launches, the
  // run-time checks read back (the CPU's messages), outputs copied out.
  void call(const Function& fn, const std::vector<const void*>& inputs,
            const std::vector<void*>& outputs);

 private:
  struct Buffers {  // per function, allocated on its first call and kept
    std::vector<CUdeviceptr> inputs, outputs, temporaries;
  };
  CUdeviceptr allocate(size_t bytes, const std::string& what);

  const Module& module_;
  const CudaDriver& cu_;
  std::vector<uint8_t*> host_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUmodule code_ = nullptr;
  CUdeviceptr status_ = 0;
  std::vector<CUdeviceptr> variables_;
  std::vector<std::vector<CUfunction>> kernels_;  // per function, per launch
  std::vector<Buffers> buffers_;
  std::vector<CUdeviceptr> allocations_;
  std::string loaded_;
  bool upload_ = true;
  mutable bool download_ = false;
};

}  // namespace kiln::rt
