// The TraceSink that builds a func.func of kiln dialect ops (see kiln/tracing.h).
#pragma once

#include <unordered_map>
#include <vector>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "kiln/tracing.h"
#include "kiln/variable.h"

namespace kiln::tracing {

mlir::Type element_type(mlir::MLIRContext* ctx, DType dt);
mlir::RankedTensorType tensor_type(mlir::MLIRContext* ctx, const Shape& shape, DType dt);
// A kiln.constant's value: a splat when all elements are equal.
mlir::DenseElementsAttr dense_attr(mlir::MLIRContext* ctx, const Tensor& t);

class MlirTraceSink : public detail::TraceSink {
 public:
  // Builds function `name` with one argument per spec; args() are its symbolic inputs.
  MlirTraceSink(mlir::ModuleOp module, const std::string& name,
                const std::vector<std::pair<Shape, DType>>& arg_specs);

  const std::vector<Tensor>& args() const { return args_; }
  // The variables the function reads or writes (its variable arguments), in order.
  std::vector<Variable> variables() const;
  // Ends the function returning `outputs` followed by every updated variable.
  mlir::func::FuncOp finish(const std::vector<Tensor>& outputs);

  std::vector<Tensor> emit(const char* op, std::span<const Tensor> operands,
                           std::span<const detail::TraceAttr> attrs,
                           std::span<const std::pair<Shape, DType>> results) override;
  Tensor read_variable(const Variable& v) override;
  void write_variable(const Variable& v, const Tensor& value) override;
  Tensor begin_loop(int64_t lower, int64_t upper) override;
  void end_loop() override;

 private:
  // Per variable, per open scope (the function body, then each loop body).
  struct VarSlot {
    Variable var;
    mlir::Value value;       // current value in this scope
    mlir::Value outer_init;  // loops: the value flowing in (iter_arg init); null for the function
    bool written = false;
  };
  struct Scope {
    mlir::Block* block;
    std::vector<VarSlot> vars;
    std::vector<uint64_t> defined_ids;  // tensor ids whose values live in this scope
    int64_t lower = 0, upper = 0;
  };

  mlir::Location location() const;
  mlir::Value value_of(const Tensor& t);
  Tensor bind(mlir::Value v, const Shape& shape, DType dt);
  VarSlot& slot(const Variable& v);
  VarSlot* find_slot(Scope& s, const Variable& v);

  mlir::MLIRContext* ctx_;
  mlir::OpBuilder builder_;
  mlir::func::FuncOp func_;
  std::vector<Tensor> args_;
  std::vector<Scope> scopes_;
  std::unordered_map<uint64_t, mlir::Value> values_;
};

}  // namespace kiln::tracing
