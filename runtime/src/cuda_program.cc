// Verification of an artifact's CUDA section (see cuda_program.h).
#include "runtime/src/cuda_program.h"

#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/status.h"
#include "runtime/src/xxhash.h"

namespace kiln::rt {

CudaCode verify_cuda_program(const fb::Artifact& artifact, const std::string& origin) {
  const auto& functions = *artifact.functions();  // required by verify_artifact's checks
  const fb::CudaProgram* p = artifact.cuda();
  const std::string where = origin + ": CUDA section: ";
  if (!p) bad_input(origin + ": the artifact has no CUDA section");
  auto fail = [&](const std::string& why) { bad_input(where + why); };
  CudaCode code;
  code.ptx = p->ptx()->str();  // required: the verifier saw it
  if (code.ptx.empty()) fail("the PTX is empty");
  code.ptx_arch = p->ptx_arch() ? p->ptx_arch()->str() : "";
  code.status_symbol = p->status_symbol() ? p->status_symbol()->str() : "";
  uint64_t checksum = xxh64(code.ptx.data(), code.ptx.size());
  if (p->images())
    for (const fb::CudaImage* image : *p->images()) {
      std::string arch = image->arch()->str();
      if (arch != "sm_80" && arch != "sm_90") fail("unknown architecture '" + arch + "'");
      if (image->cubin()->size() == 0) fail("the cubin for " + arch + " is empty");
      checksum = xxh64(image->cubin()->data(), image->cubin()->size(), checksum);
      code.images.emplace_back(
          arch, std::vector<uint8_t>(image->cubin()->begin(), image->cubin()->end()));
    }
  if (checksum != p->checksum())
    fail("checksum mismatch: stored " + std::to_string(p->checksum()) + ", the PTX and " +
         std::to_string(code.images.size()) + " cubins hash to " + std::to_string(checksum));
  size_t plans = p->functions() ? p->functions()->size() : 0;
  if (plans != functions.size())
    fail(std::to_string(plans) + " launch plans for " + std::to_string(functions.size()) +
         " functions");
  for (flatbuffers::uoffset_t i = 0; i < functions.size(); ++i) {
    const fb::Function& function = *functions.Get(i);
    const std::string fn_name = function.name()->str();
    const fb::CudaFunction* f = p->functions()->Get(i);
    CudaFunctionPlan plan;
    plan.name = f->name()->str();
    if (plan.name != fn_name)
      fail("plan " + std::to_string(i) + " is for '" + plan.name + "', function " +
           std::to_string(i) + " is '" + fn_name + "'");
    plan.arguments = f->arguments();
    size_t expected = (function.arguments() ? function.arguments()->size() : 0) +
                      (function.outputs() ? function.outputs()->size() : 0);
    if (plan.arguments != expected)
      fail("the plan of '" + fn_name + "' takes " + std::to_string(plan.arguments) +
           " argument buffers; the function has " + std::to_string(expected));
    if (f->temporaries())
      plan.temporaries.assign(f->temporaries()->begin(), f->temporaries()->end());
    for (uint64_t bytes : plan.temporaries)
      if (bytes == 0 || bytes > (uint64_t{1} << 40))
        fail("a temporary of '" + fn_name + "' has " + std::to_string(bytes) + " bytes");
    const uint64_t buffers = plan.arguments + plan.temporaries.size();
    if (f->launches())
      for (const fb::CudaLaunch* l : *f->launches()) {
        CudaLaunchPlan launch;
        launch.kernel = l->kernel()->str();
        const std::string what = "launch of '" + launch.kernel + "' in '" + fn_name + "'";
        if (!l->grid() || l->grid()->size() != 3 || !l->block() || l->block()->size() != 3)
          fail(what + ": grid and block need 3 dims each");
        uint64_t threads = 1;
        for (int d = 0; d < 3; ++d) {
          launch.grid[d] = l->grid()->Get(d);
          launch.block[d] = l->block()->Get(d);
          if (launch.grid[d] == 0 || launch.block[d] == 0) fail(what + ": a dim is 0");
          threads *= launch.block[d];
        }
        if (threads > 1024)
          fail(what + ": " + std::to_string(threads) + " threads per block (max 1024)");
        if (l->buffers())
          for (uint32_t b : *l->buffers()) {
            if (b >= buffers)
              fail(what + ": buffer " + std::to_string(b) + " is not in [0, " +
                   std::to_string(buffers) + ")");
            launch.buffers.push_back(b);
          }
        plan.launches.push_back(std::move(launch));
      }
    code.functions.push_back(std::move(plan));
  }
  return code;
}

}  // namespace kiln::rt
