// A CUDA artifact's kernels and launch plans (artifact.fbs: CudaProgram), verified and
// copied out of the FlatBuffer: every rule is checked before anything reaches a driver.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::fb {
struct Artifact;
}  // namespace kiln::fb

namespace kiln::rt {

struct CudaLaunchPlan {
  std::string kernel;
  std::array<uint32_t, 3> grid{}, block{};
  std::vector<uint32_t> buffers;  // < arguments: a function argument; else a temporary
};

struct CudaFunctionPlan {
  std::string name;
  uint32_t arguments = 0;
  std::vector<uint64_t> temporaries;
  std::vector<CudaLaunchPlan> launches;
};

struct CudaCode {
  std::string ptx, ptx_arch;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> images;  // {arch, cubin}
  std::vector<CudaFunctionPlan> functions;  // in the order of Module::functions()
  std::string status_symbol;
};

// Verifies the artifact's CUDA section against its functions (after verify_artifact's
// other checks) (one plan per function, of
// as many arguments as the function has arguments and outputs; buffer indices in range;
// 3 grid and block dims, each >= 1, at most 1024 threads per block; known architectures;
// the checksum) and copies it. Throws kiln::rt::Error naming `origin`, the field and the
// numbers ("<origin>: CUDA section: ...").
CudaCode verify_cuda_program(const fb::Artifact& artifact, const std::string& origin);

}  // namespace kiln::rt
