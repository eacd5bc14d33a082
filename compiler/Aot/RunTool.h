// Running an external tool (the C compiler and linker for executables and libraries,
// ptxas for cubins) with its output captured, so that a failure can quote it.
#pragma once

#include <string>
#include <vector>

namespace kiln::compiler {

struct ToolRun {
  int spawn_error = 0;     // errno of a failed start (the tool was not run); 0 if it ran
  bool succeeded = false;  // it ran and exited with status 0
  std::string output;      // what it wrote to stdout and stderr, when it did not succeed
};

// Runs argv[0] (searched on PATH when it has no '/') with stdout and stderr written to
// `log_path`, and waits for it.
ToolRun run_tool(const std::vector<std::string>& argv, const std::string& log_path);

}  // namespace kiln::compiler
