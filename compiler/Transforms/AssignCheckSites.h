// Numbers the ops of a module that can fail at run time, so that compiled code can name
// the failing op in its run-time status and the caller can point at the user's line.
#pragma once

#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
}  // namespace mlir

namespace kiln::compiler {

// An op of compiled code that can fail at run time (gather and scatter_add with an index
// out of range, integer division by zero). Site N is the op with `kiln.site = N`.
struct CheckSite {
  std::string op;    // the eager op's name: "gather", "scatter_add", "divide"
  std::string file;  // the user's file (base name) and line, from the op's location
  unsigned line = 0;
  std::string api;       // the user-facing function, "embedding_lookup" ("... (gradient)")
  std::string location;  // the op's MLIR location, in full
};

// Sets `kiln.site = 1..N` on kiln.gather, kiln.scatter_add and integer kiln.div (in walk
// order) and returns their descriptions: site N at index N-1.
std::vector<CheckSite> assign_check_sites(mlir::ModuleOp module);

}  // namespace kiln::compiler
