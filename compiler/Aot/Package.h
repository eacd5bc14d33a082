// Packaging compiled modules with the system's C toolchain (cc/c++, ar): the shared object
// an artifact carries, standalone executables (runtime + model + main) and static libraries
// with a generated typed C header, in the spirit of XLA's tfcompile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/Aot/Aot.h"

namespace kiln::compiler {

// The runtime libraries and the C compiler packaging uses. Defaults come from the build
// (the runtime built beside kiln-compile); $KILN_CC and $KILN_CXX override the drivers.
struct Toolchain {
  std::string cc;               // C compiler driver: glue code, the artifact's shared object
  std::string cxx;              // C++ driver: links executables (the runtime is C++)
  std::string runtime_library;  // libkiln_runtime.a
  std::string cli_library;      // libkiln_runtime_cli.a (executables only)
  std::string main_library;     // libkiln_standalone_main.a
  std::string include_dir;      // runtime/include (kiln/runtime.h)
  std::vector<std::string> link_flags;  // e.g. the sanitizers the runtime was built with
};
Toolchain default_toolchain();

// The ELF shared object an artifact carries: the module's object linked on its own
// (libc and libm only).
std::vector<uint8_t> link_shared_object(const AotModule& module, const Toolchain& toolchain);

// A standalone program: the runtime's command line (kiln-run's, with the module built in),
// libstdc++ and libgcc linked statically, so that it needs only libc and libm.
void link_executable(const AotModule& module, const std::string& flags, const std::string& output,
                     const Toolchain& toolchain);

// A static library (the module, typed entry points and the runtime) and its header, named
// after `api_name` (huber → huber_create, huber_predict, ...). Returns the header's path
// (beside the library, <output without lib prefix and .a>.h).
std::string build_static_library(const AotModule& module, const std::string& flags,
                                 const std::string& output, const std::string& api_name,
                                 const Toolchain& toolchain);

// The typed header for `api_name` (exposed for tests).
std::string generate_header(const AotModule& module, const std::string& api_name);

}  // namespace kiln::compiler
