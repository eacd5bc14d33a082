// Variables in place (see UpdateVariablesInPlace.h).
#include "compiler/Transforms/UpdateVariablesInPlace.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::compiler {

mlir::LogicalResult update_variables_in_place(mlir::ModuleOp module) {
  mlir::MLIRContext* ctx = module.getContext();
  ctx->getOrLoadDialect<mlir::bufferization::BufferizationDialect>();
  for (auto func : module.getOps<mlir::func::FuncOp>()) {
    if (func.isExternal()) continue;
    mlir::Block& entry = func.getBody().front();
    auto ret = mlir::cast<mlir::func::ReturnOp>(func.getBody().back().getTerminator());
    llvm::StringMap<unsigned> arg_of_variable;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto var = func.getArgAttrOfType<mlir::StringAttr>(i, "kiln.variable"))
        arg_of_variable[var.getValue()] = i;
    llvm::BitVector dropped(func.getNumResults());
    mlir::OpBuilder b(ctx);
    for (unsigned r = 0; r < func.getNumResults(); ++r) {
      auto var = func.getResultAttrOfType<mlir::StringAttr>(r, "kiln.variable");
      if (!var) continue;
      auto it = arg_of_variable.find(var.getValue());
      if (it == arg_of_variable.end())
        return func.emitError() << "result " << r << " updates variable '" << var.getValue()
                                << "', which is not an argument";
      mlir::BlockArgument arg = entry.getArgument(it->second);
      auto tensor_type = mlir::cast<mlir::RankedTensorType>(arg.getType());
      auto memref_type =
          mlir::MemRefType::get(tensor_type.getShape(), tensor_type.getElementType());
      arg.setType(memref_type);
      b.setInsertionPointToStart(&entry);
      auto as_tensor = b.create<mlir::bufferization::ToTensorOp>(
          arg.getLoc(), tensor_type, arg, /*restrict=*/true, /*writable=*/true);
      arg.replaceAllUsesExcept(as_tensor.getResult(), as_tensor);
      b.setInsertionPoint(ret);
      b.create<mlir::bufferization::MaterializeInDestinationOp>(
          ret.getLoc(), mlir::TypeRange{}, ret.getOperand(r), arg, /*restrict=*/true,
          /*writable=*/true);
      dropped.set(r);
    }
    ret->eraseOperands(dropped);
    func.eraseResults(dropped);
    func.setType(mlir::FunctionType::get(ctx, entry.getArgumentTypes(), func.getResultTypes()));
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      func.removeArgAttr(i, mlir::StringAttr::get(ctx, "kiln.variable"));
      if (mlir::isa<mlir::TensorType>(entry.getArgument(i).getType()))
        func.setArgAttr(i, "bufferization.writable", mlir::BoolAttr::get(ctx, false));
    }
    for (unsigned r = 0; r < func.getNumResults(); ++r)
      func.removeResultAttr(r, mlir::StringAttr::get(ctx, "kiln.variable"));
    func->setAttr("llvm.emit_c_interface", mlir::UnitAttr::get(ctx));
  }
  return mlir::success();
}

void copy_aliased_results(mlir::ModuleOp module) {
  module.walk([](mlir::func::ReturnOp ret) {
    mlir::OpBuilder b(ret);
    llvm::DenseSet<mlir::Value> seen;
    for (mlir::OpOperand& operand : ret->getOpOperands()) {
      mlir::Value v = operand.get();
      auto type = mlir::dyn_cast<mlir::RankedTensorType>(v.getType());
      const bool first = seen.insert(v).second;
      if (!type || !type.hasStaticShape() || (first && !mlir::isa<mlir::BlockArgument>(v)))
        continue;
      mlir::Value empty =
          b.create<mlir::tensor::EmptyOp>(ret.getLoc(), type.getShape(), type.getElementType());
      operand.set(b.create<mlir::linalg::CopyOp>(ret.getLoc(), v, empty).getResult(0));
    }
  });
}

mlir::LogicalResult linalg_copy(mlir::OpBuilder& b, mlir::Location loc, mlir::Value from,
                                mlir::Value to) {
  b.create<mlir::linalg::CopyOp>(loc, from, to);
  return mlir::success();
}

}  // namespace kiln::compiler
