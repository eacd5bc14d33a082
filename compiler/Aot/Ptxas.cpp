// Running ptxas: found once per call (the environment may change between compilations),
// run through run_tool (RunTool.h, no shell) in a private temporary directory, its messages
// kept for the error.
#include "compiler/Aot/Ptxas.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/Aot/RunTool.h"
#include "compiler/Pipelines/CudaPipeline.h"
#include "kiln/error.h"

namespace kiln::compiler {
namespace {

[[noreturn]] void fail_stage(const std::string& stage, const std::string& why) {
  detail::fail("compile", "cuda stage '" + stage + "' failed: " + why);
}

}  // namespace

std::string find_ptxas() {
  std::vector<std::string> candidates;
  if (const char* p = std::getenv("KILN_PTXAS")) return std::filesystem::exists(p) ? p : "";
  if (const char* p = std::getenv("CUDA_PATH")) candidates.push_back(std::string(p) + "/bin/ptxas");
#ifdef KILN_CUDA_PTXAS
  candidates.push_back(KILN_CUDA_PTXAS);
#endif
  candidates.push_back("/usr/local/cuda/bin/ptxas");
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty()) candidates.push_back(dir + "/ptxas");
  }
  for (const std::string& c : candidates)
    if (!c.empty() && access(c.c_str(), X_OK) == 0) return c;
  return "";
}

std::vector<uint8_t> assemble_cubin(const std::string& ptx, const std::string& arch) {
  if (!is_cuda_arch(arch)) fail_stage("cubin", "unknown CUDA architecture '" + arch + "'");
  std::string ptxas = find_ptxas();
  if (ptxas.empty())
    fail_stage("cubin",
               "ptxas (CUDA toolkit) not found: install the CUDA toolkit, or set "
               "KILN_PTXAS or CUDA_PATH");
  std::string dir = (std::filesystem::temp_directory_path() / "kiln-ptxas-XXXXXX").string();
  if (!mkdtemp(dir.data())) fail_stage("cubin", "cannot create a temporary directory");
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};
  const std::string in = dir + "/kernels.ptx", out = dir + "/kernels.cubin", log = dir + "/log";
  {
    std::ofstream os(in, std::ios::binary);
    os << ptx;
    if (!os) fail_stage("cubin", "cannot write '" + in + "'");
  }
  std::vector<std::string> argv = {ptxas, "-arch=" + arch, "-O3", in, "-o", out};
  ToolRun run = run_tool(argv, log);
  if (run.spawn_error != 0)
    fail_stage("cubin", "cannot run '" + ptxas + "': " + std::strerror(run.spawn_error));
  if (!run.succeeded)
    fail_stage("cubin", "'" + ptxas + " -arch=" + arch + "' rejected the PTX:\n" + run.output);
  std::ifstream is(out, std::ios::binary);
  std::vector<uint8_t> cubin((std::istreambuf_iterator<char>(is)), {});
  if (cubin.empty()) fail_stage("cubin", "ptxas wrote no cubin for " + arch);
  return cubin;
}

}  // namespace kiln::compiler
