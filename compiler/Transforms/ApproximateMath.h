// f32 transcendental math (exp, log, log1p, expm1, tanh, erf, ...) as inline polynomials
// instead of scalar libm calls, so that LLVM can vectorize the loops around them. The
// polynomials are accurate to a few ulp (the differential tests' f32 tolerance); f64 math
// keeps libm. CompileOptions::exact_math (kiln-compile --exact-math) turns this off.
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

namespace kiln::compiler {

// Rewrites the f32 math ops of `module` into arith/math.fma polynomials, then every
// math.fma into llvm.intr.fma: the CPU pipeline runs MathToLibm before MathToLLVM (for
// log1p's accuracy), which would otherwise turn each fma into a scalar fmaf call.
mlir::LogicalResult approximate_math(mlir::ModuleOp module);

}  // namespace kiln::compiler
