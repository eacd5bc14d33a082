// kiln::function's compiled path (see detail::CompiledFunction in kiln/function.h):
// registered at static initialization. kiln_compiler's CMake target makes every program
// that links it pull this object in (-u kiln_compiler_link_anchor), since nothing else
// refers to it.
#include "compiler/CompiledModule.h"

namespace kiln {
namespace {

class JitFunction : public detail::CompiledFunction {
 public:
  JitFunction(const TracedModule& traced, std::string name)
      : module_(compile(traced)), name_(std::move(name)), variables_(traced.variables()) {}

  std::vector<Tensor> run(const std::vector<Tensor>& inputs) override {
    return module_.call(name_, inputs, variables_).outputs;
  }

 private:
  CompiledModule module_;
  std::string name_;
  std::vector<Variable> variables_;
};

std::unique_ptr<detail::CompiledFunction> compile_function(const TracedModule& traced,
                                                           const std::string& name) {
  return std::make_unique<JitFunction>(traced, name);
}

const bool registered = (detail::set_function_compiler(&compile_function), true);

}  // namespace
}  // namespace kiln

extern "C" bool kiln_compiler_link_anchor() { return kiln::registered; }
