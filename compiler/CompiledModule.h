// Traced functions compiled to native code and run in-process: kiln::compile(module)
// runs the CPU pipeline (compiler/Pipelines/CpuPipeline.h) and JIT-compiles the result.
// This header has no MLIR in it.
//
//   kiln::CompiledModule m = kiln::compile(step.trace({kiln::spec({}), kiln::spec({})}));
//   auto r = m.call("train_step", {x, y}, model.variables());  // r.outputs: the loss
//
// Calls mirror kiln::interpret (kiln/trace/interpreter.h): inputs are the non-variable
// arguments in order; variables are matched by name and updated IN PLACE (their live
// storage is passed to the code; a snapshot read earlier keeps its value, copy-on-write).
// A run-time error (an index out of range, integer division by zero) throws kiln::Error
// with the eager message and the user's file:line; variables updated before the failing
// op keep their new values. A CompiledModule is a handle (copies share the code); calls
// of one module must not run concurrently (they share the run-time status).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/Pipelines/CpuPipeline.h"
#include "kiln/function.h"
#include "kiln/trace/interpreter.h"
#include "kiln/variable.h"

namespace kiln {

// outputs: the non-variable results; variables: the updated variables by name (views
// of their storage).
using CallResult = InterpretResult;

class CompiledModule {
 public:
  CompiledModule();
  ~CompiledModule();
  CompiledModule(const CompiledModule&);
  CompiledModule& operator=(const CompiledModule&);

  std::vector<std::string> function_names() const;
  CallResult call(const std::string& name, const std::vector<Tensor>& inputs,
                  const std::vector<Variable>& variables, const Loc& loc = Loc::current()) const;

  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Compiles every function of `module` (which is left unchanged).
CompiledModule compile(const TracedModule& module, const compiler::CompileOptions& options = {},
                       const Loc& loc = Loc::current());

}  // namespace kiln
