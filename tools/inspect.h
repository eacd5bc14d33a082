// kiln-inspect's two halves: checkpoints (inspect_checkpoint.cpp) and artifacts
// (inspect_artifact.cpp). Each prints the file in text or as one JSON object on `out`,
// errors on `err`, and returns the exit code (0 ok, 1 bad input).
#pragma once

#include <iosfwd>
#include <string>

namespace kiln::tools {

int inspect_artifact(const std::string& path, bool json, std::ostream& out, std::ostream& err);
int inspect_checkpoint(const std::string& path, bool json, std::ostream& out, std::ostream& err);

// kiln-inspect itself: parses the arguments, looks at the file's first bytes and calls one of
// the two above. Returns the exit code (0 ok, 1 bad input, 2 usage).
int run_inspect_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace kiln::tools
