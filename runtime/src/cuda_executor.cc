// Running CUDA artifacts through the driver API (see cuda_executor.h).
#include "runtime/src/cuda_executor.h"

#include <cstdlib>

#include "runtime/src/status.h"

namespace kiln::rt {
namespace {

constexpr int kComputeCapabilityMajor = 75, kComputeCapabilityMinor = 76;

}  // namespace

CudaExecutor::CudaExecutor(const Module& module, std::vector<uint8_t*> host)
    : module_(module), cu_(cuda_driver()), host_(std::move(host)) {
  const CudaCode* code = module.cuda();
  if (!code)
    bad_input(module.origin() + " is compiled for the CPU (" + module.build().target +
              "), not CUDA: recompile it with kiln-compile --target=cuda:sm_90");
  int ordinal = 0;
  if (const char* env = std::getenv("KILN_CUDA_DEVICE")) ordinal = std::atoi(env);
  int count = 0;
  cu_.check(cu_.cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (ordinal < 0 || ordinal >= count)
    bad_input("CUDA device " + std::to_string(ordinal) + " does not exist (" +
              std::to_string(count) + " devices)");
  cu_.check(cu_.cuDeviceGet(&device_, ordinal), "cuDeviceGet");
  cu_.check(cu_.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain");
  try {
    cu_.check(cu_.cuCtxSetCurrent(context_), "cuCtxSetCurrent");
    char name[256] = {};
    cu_.check(cu_.cuDeviceGetName(name, sizeof name - 1, device_), "cuDeviceGetName");
    int major = 0, minor = 0;
    cu_.check(cu_.cuDeviceGetAttribute(&major, kComputeCapabilityMajor, device_),
              "compute capability");
    cu_.check(cu_.cuDeviceGetAttribute(&minor, kComputeCapabilityMinor, device_),
              "compute capability");
    const std::string arch = "sm_" + std::to_string(major) + std::to_string(minor);
    // The cubin built for this architecture; otherwise the PTX (the driver compiles it,
    // for any GPU at least as new as its .target).
    const std::vector<uint8_t>* cubin = nullptr;
    for (const auto& [image_arch, bytes] : code->images)
      if (image_arch == arch) cubin = &bytes;
    if (cubin) {
      cu_.check(cu_.cuModuleLoadData(&code_, cubin->data()), "loading the " + arch + " cubin");
      loaded_ = "cubin " + arch + " on " + name;
    } else {
      cu_.check(cu_.cuModuleLoadData(&code_, code->ptx.c_str()),
                "compiling the PTX (" + code->ptx_arch + ") for " + name + " (" + arch + ")");
      loaded_ =
          "PTX " + code->ptx_arch + ", compiled by the driver for " + name + " (" + arch + ")";
    }
    if (!code->status_symbol.empty()) {
      size_t bytes = 0;
      cu_.check(cu_.cuModuleGetGlobal(&status_, &bytes, code_, code->status_symbol.c_str()),
                "the status word '" + code->status_symbol + "'");
      if (bytes != 4 * sizeof(int64_t))
        bad_input(module.origin() + ": the status word has " + std::to_string(bytes) +
                  " bytes, not 32");
      cu_.check(cu_.cuMemsetD8(status_, 0, bytes), "clearing the status word");
    }
    for (size_t f = 0; f < code->functions.size(); ++f) {
      std::vector<CUfunction> kernels;
      for (const CudaLaunchPlan& l : code->functions[f].launches) {
        CUfunction k = nullptr;
        cu_.check(cu_.cuModuleGetFunction(&k, code_, l.kernel.c_str()),
                  "kernel '" + l.kernel + "'");
        kernels.push_back(k);
      }
      kernels_.push_back(std::move(kernels));
    }
    buffers_.resize(code->functions.size());
    for (const Spec& v : module.variables())
      variables_.push_back(allocate(v.bytes, "variable '" + v.name + "'"));
  } catch (...) {
    for (CUdeviceptr p : allocations_) cu_.cuMemFree(p);
    if (code_) cu_.cuModuleUnload(code_);
    cu_.cuDevicePrimaryCtxRelease(device_);
    throw;
  }
}

CudaExecutor::~CudaExecutor() {
  cu_.cuCtxSetCurrent(context_);
  for (CUdeviceptr p : allocations_) cu_.cuMemFree(p);
  if (code_) cu_.cuModuleUnload(code_);
  cu_.cuDevicePrimaryCtxRelease(device_);
}

CUdeviceptr CudaExecutor::allocate(size_t bytes, const std::string& what) {
  CUdeviceptr p = 0;
  cu_.check(cu_.cuMemAlloc(&p, std::max<size_t>(bytes, 1)), "allocating " + what);
  allocations_.push_back(p);
  cu_.check(cu_.cuMemsetD8(p, 0, std::max<size_t>(bytes, 1)), "clearing " + what);
  return p;
}

void CudaExecutor::sync_to_host() const {
  if (!download_) return;
  cu_.check(cu_.cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  const auto& vars = module_.variables();
  for (size_t i = 0; i < vars.size(); ++i)
    cu_.check(cu_.cuMemcpyDtoH(host_[i], variables_[i], vars[i].bytes),
              "copying variable '" + vars[i].name + "' to the host");
  download_ = false;
}

void CudaExecutor::call(const Function& fn, const std::vector<const void*>& inputs,
                        const std::vector<void*>& outputs) {
  cu_.check(cu_.cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  const size_t f = static_cast<size_t>(&fn - module_.functions().data());
  const CudaFunctionPlan& plan = module_.cuda()->functions[f];
  if (upload_) {
    const auto& vars = module_.variables();
    for (size_t i = 0; i < vars.size(); ++i)
      cu_.check(cu_.cuMemcpyHtoD(variables_[i], host_[i], vars[i].bytes),
                "copying variable '" + vars[i].name + "' to the device");
    upload_ = false;
  }
  Buffers& b = buffers_[f];
  if (b.inputs.empty() && b.outputs.empty() && b.temporaries.empty()) {
    for (size_t k : fn.inputs)
      b.inputs.push_back(allocate(fn.args[k].spec.bytes, "input '" + fn.args[k].spec.name + "'"));
    for (const Spec& o : fn.outputs)
      b.outputs.push_back(allocate(o.bytes, "output '" + o.name + "'"));
    for (uint64_t bytes : plan.temporaries) b.temporaries.push_back(allocate(bytes, "a temporary"));
  }
  // Buffer i of the plan: the function's arguments (variables or inputs), its outputs,
  // then its temporaries.
  std::vector<CUdeviceptr> address(plan.arguments + plan.temporaries.size());
  size_t next_input = 0;
  for (size_t a = 0; a < fn.args.size(); ++a) {
    if (fn.args[a].variable) {
      address[a] = variables_[fn.args[a].variable_index];
    } else {
      address[a] = b.inputs[next_input];
      cu_.check(cu_.cuMemcpyHtoD(address[a], inputs[next_input], fn.args[a].spec.bytes),
                "copying input '" + fn.args[a].spec.name + "' to the device");
      ++next_input;
    }
  }
  for (size_t o = 0; o < fn.outputs.size(); ++o) address[fn.args.size() + o] = b.outputs[o];
  for (size_t t = 0; t < plan.temporaries.size(); ++t)
    address[plan.arguments + t] = b.temporaries[t];

  for (size_t l = 0; l < plan.launches.size(); ++l) {
    const CudaLaunchPlan& launch = plan.launches[l];
    std::vector<CUdeviceptr> values;
    for (uint32_t i : launch.buffers) values.push_back(address[i]);
    std::vector<void*> params;
    for (CUdeviceptr& v : values) params.push_back(&v);
    cu_.check(cu_.cuLaunchKernel(kernels_[f][l], launch.grid[0], launch.grid[1], launch.grid[2],
                                 launch.block[0], launch.block[1], launch.block[2],
                                 /*shared_bytes=*/0, /*stream=*/nullptr, params.data(), nullptr),
              "launching kernel '" + launch.kernel + "'");
  }
  cu_.check(cu_.cuCtxSynchronize(), "running '" + fn.name + "'");
  download_ = download_ || !fn.updates.empty();
  if (status_) {
    int64_t words[4] = {};
    cu_.check(cu_.cuMemcpyDtoH(words, status_, sizeof words), "reading the status word");
    if (words[0] != 0) {
      cu_.check(cu_.cuMemsetD8(status_, 0, sizeof words), "clearing the status word");
      module_.raise_check_failure(fn, words);
    }
  }
  for (size_t o = 0; o < fn.outputs.size(); ++o)
    cu_.check(cu_.cuMemcpyDtoH(outputs[o], b.outputs[o], fn.outputs[o].bytes),
              "copying output '" + fn.outputs[o].name + "' to the host");
}

}  // namespace kiln::rt
