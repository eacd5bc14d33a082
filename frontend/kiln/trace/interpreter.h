// A reference interpreter for traced modules: evaluates kiln dialect ops with the
// eager front end's ops (so it shares their semantics and error messages). It
// checks what a trace means against eager execution until compiled code exists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/function.h"
#include "kiln/variable.h"

namespace kiln {

struct InterpretResult {
  std::vector<Tensor> outputs;                   // the function's non-variable results
  std::map<std::string, Tensor> variables;       // updated variables by name
};

// Runs function `name` of `module` on `inputs` (the non-variable arguments, in
// order) and the variables' current values (looked up by name in `variables`).
// With `update` set, the variables are assigned their new values afterwards.
InterpretResult interpret(const TracedModule& module, const std::string& name,
                          const std::vector<Tensor>& inputs,
                          const std::vector<Variable>& variables, bool update = true,
                          const Loc& loc = Loc::current());

}  // namespace kiln
