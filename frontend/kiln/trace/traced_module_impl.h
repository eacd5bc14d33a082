// TracedModule's insides: an MLIR context (kiln + func dialects) and its module.
// Only kiln/trace/ code sees this; the public header has no MLIR in it.
#pragma once

#include "dialects/kiln/IR/KilnDialect.h"
#include "kiln/function.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln {

struct TracedModule::Impl {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<Variable> variables;  // captured by the traces (none after load())

  Impl() {
    context.loadDialect<mlir::kiln::KilnDialect, mlir::func::FuncDialect>();
    module = mlir::ModuleOp::create(mlir::UnknownLoc::get(&context));
  }
};

}  // namespace kiln
