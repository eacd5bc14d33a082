// The command line shared by kiln-run (an artifact named on the command line) and the
// standalone executables kiln-compile --emit=exe builds (a module linked in).
#pragma once

#include "kiln/runtime_static.h"

namespace kiln::rt {

// Exit codes: 0 success, 1 bad input (named on stderr), 2 usage.
// With `linked` null, the first positional argument is the artifact to load.
int run_cli(int argc, char** argv, const kiln_static_model* linked);

}  // namespace kiln::rt
