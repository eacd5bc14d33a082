// ptxas from the CUDA toolkit, which kiln-compile runs to turn PTX into cubins for each
// requested architecture (no GPU needed). No MLIR or LLVM in this header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::compiler {

// ptxas from the CUDA toolkit: $KILN_PTXAS, else ptxas under $CUDA_PATH/bin, the path found
// when Kiln was built, /usr/local/cuda/bin, then PATH. Empty when there is none.
std::string find_ptxas();

// Assembles `ptx` for `arch` with ptxas; throws kiln::Error with ptxas's messages when it
// fails, or when there is no ptxas.
std::vector<uint8_t> assemble_cubin(const std::string& ptx, const std::string& arch);

}  // namespace kiln::compiler
