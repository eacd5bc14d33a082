// CUDA artifacts: the CUDA pipeline's output (PTX, launch plans) and ptxas's cubins, written
// into the artifact's CudaProgram table.
#include "compiler/Aot/CudaAot.h"
#include "compiler/Aot/Ptxas.h"

#include <algorithm>
#include <sstream>

#include "kiln/error.h"
#include "kiln/schemas/artifact_generated.h"
#include "mlir/IR/BuiltinOps.h"
#include "runtime/src/xxhash.h"

namespace kiln::compiler {

bool is_cuda_target(const std::string& target) { return target.rfind("cuda:", 0) == 0; }

std::vector<std::string> cuda_archs(const std::string& target) {
  if (!is_cuda_target(target)) detail::fail("compile", "'" + target + "' is not a CUDA target");
  std::vector<std::string> archs;
  std::stringstream list(target.substr(5));
  for (std::string arch; std::getline(list, arch, ',');) {
    if (!is_cuda_arch(arch))
      detail::fail("compile", "unknown CUDA architecture '" + arch + "' in target '" + target +
                                  "' (expected sm_80 and/or sm_90, e.g. cuda:sm_80,sm_90)");
    if (std::find(archs.begin(), archs.end(), arch) == archs.end()) archs.push_back(arch);
  }
  if (archs.empty())
    detail::fail("compile", "target '" + target + "' names no architecture (e.g. cuda:sm_90)");
  std::sort(archs.begin(), archs.end());  // "sm_80" < "sm_90": oldest first
  return archs;
}

AotModule compile_cuda(mlir::ModuleOp module, AotModule out, const AotOptions& options) {
  std::vector<std::string> archs = cuda_archs(options.target);
  CudaOptions cuda;
  cuda.dump_ir_dir = options.dump_ir_dir;
  cuda.opt_level = options.opt_level;
  cuda.ptx_arch = archs.front();  // PTX for the oldest runs on the newer ones too
  CudaPipeline pipeline(cuda);
  out.cuda = pipeline.compile(module, out.sites);
  out.llvm_dialect = out.cuda.mlir;
  out.native.status_symbol = out.cuda.status_symbol;  // the artifact's status word
  out.native.cpu = "";
  for (const std::string& arch : archs)
    out.cubins.emplace_back(arch, assemble_cubin(out.cuda.ptx, arch));
  for (AotFunction& f : out.functions) {
    f.symbol = f.name;  // no host code: the plan of the same name runs it
    auto plan = std::find_if(out.cuda.functions.begin(), out.cuda.functions.end(),
                             [&](const CudaFunctionPlan& p) { return p.name == f.name; });
    if (plan == out.cuda.functions.end())
      detail::fail("compile", "internal error: no launch plan was made for '" + f.name + "'");
    size_t expected = f.args.size() + f.outputs.size();
    if (static_cast<size_t>(plan->arguments) != expected)
      detail::fail("compile", "internal error: the plan of '" + f.name + "' takes " +
                                  std::to_string(plan->arguments) + " buffers, expected " +
                                  std::to_string(expected));
  }
  return out;
}

flatbuffers::Offset<fb::CudaProgram> build_cuda_program(flatbuffers::FlatBufferBuilder& b,
                                                        const AotModule& module) {
  if (!is_cuda_target(module.target)) return 0;
  const CudaProgram& p = module.cuda;
  std::vector<flatbuffers::Offset<fb::CudaImage>> images;
  uint64_t checksum = rt::xxh64(p.ptx.data(), p.ptx.size());
  for (const auto& [arch, cubin] : module.cubins) {
    images.push_back(fb::CreateCudaImageDirect(b, arch.c_str(), &cubin));
    checksum = rt::xxh64(cubin.data(), cubin.size(), checksum);
  }
  std::vector<flatbuffers::Offset<fb::CudaFunction>> functions;
  for (const CudaFunctionPlan& f : p.functions) {
    std::vector<flatbuffers::Offset<fb::CudaLaunch>> launches;
    for (const CudaLaunch& l : f.launches) {
      std::vector<uint32_t> grid(l.grid.begin(), l.grid.end()),
          block(l.block.begin(), l.block.end());
      std::vector<uint32_t> buffers(l.buffers.begin(), l.buffers.end());
      launches.push_back(fb::CreateCudaLaunchDirect(b, l.kernel.c_str(), &grid, &block, &buffers));
    }
    std::vector<uint64_t> temporaries(f.temporaries.begin(), f.temporaries.end());
    functions.push_back(fb::CreateCudaFunctionDirect(
        b, f.name.c_str(), static_cast<uint32_t>(f.arguments), &temporaries, &launches));
  }
  return fb::CreateCudaProgramDirect(b, p.ptx.c_str(), p.ptx_arch.c_str(), &images, &functions,
                                     p.status_symbol.empty() ? nullptr : p.status_symbol.c_str(),
                                     checksum);
}

}  // namespace kiln::compiler
