// The traced-module interpreter: one case per kiln op, each a call of the eager op
// with the same semantics.
#include "kiln/trace/interpreter.h"

#include <unordered_map>

#include "dialects/kiln/IR/KilnDialect.h"
#include "kiln/kiln.h"
#include "kiln/trace/mlir_trace_sink.h"
#include "kiln/trace/traced_module_impl.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln {
namespace {

using tracing::element_type;

DType dtype_of_type(mlir::Type t) {
  if (t.isF32()) return f32;
  if (t.isF64()) return f64;
  if (t.isInteger(1)) return boolean;
  if (t.isInteger(32)) return i32;
  return i64;
}

Shape shape_of(mlir::Type t) {
  auto rt = mlir::cast<mlir::RankedTensorType>(t);
  return Shape(std::span<const int64_t>(rt.getShape().begin(), rt.getShape().end()));
}

Tensor tensor_of(mlir::DenseElementsAttr attr) {
  Shape shape = shape_of(attr.getType());
  DType dt = dtype_of_type(attr.getElementType());
  Tensor t = Tensor::empty(shape, dt);
  visit_dtype(dt, [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.raw());
    int64_t i = 0;
    if constexpr (std::is_floating_point_v<T>) {
      for (llvm::APFloat v : attr.getValues<llvm::APFloat>())
        p[i++] = static_cast<T>(std::is_same_v<T, float> ? v.convertToFloat() : v.convertToDouble());
    } else if constexpr (std::is_same_v<T, bool>) {
      for (bool v : attr.getValues<bool>()) p[i++] = v;
    } else {
      for (llvm::APInt v : attr.getValues<llvm::APInt>()) p[i++] = static_cast<T>(v.getSExtValue());
    }
  });
  return t;
}

std::vector<int64_t> i64_array(mlir::Operation* op, const char* name) {
  auto a = op->getAttrOfType<mlir::DenseI64ArrayAttr>(name);
  return a ? std::vector<int64_t>(a.asArrayRef().begin(), a.asArrayRef().end())
           : std::vector<int64_t>{};
}

int64_t i64_attr(mlir::Operation* op, const char* name) {
  return op->getAttrOfType<mlir::IntegerAttr>(name).getInt();
}

double f64_attr(mlir::Operation* op, const char* name) {
  return op->getAttrOfType<mlir::FloatAttr>(name).getValueAsDouble();
}

std::string describe(mlir::Location loc) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << loc;
  return s;
}

class Interpreter {
 public:
  std::vector<Tensor> run_block(mlir::Block& block, const std::vector<Tensor>& args) {
    for (size_t i = 0; i < args.size(); ++i) env_[block.getArgument(i).getAsOpaquePointer()] = args[i];
    for (mlir::Operation& op : block) {
      if (op.hasTrait<mlir::OpTrait::IsTerminator>()) {
        std::vector<Tensor> out;
        for (mlir::Value v : op.getOperands()) out.push_back(get(v));
        return out;
      }
      std::vector<Tensor> results;
      try {
        results = eval(&op);
      } catch (const Error& e) {
        // Re-raise with the traced op's location: the user's line that made this op.
        throw Error(e.op(), e.detail() + " (traced at " + describe(op.getLoc()) + ")", e.file(),
                    e.line(), e.api());
      }
      for (size_t i = 0; i < results.size(); ++i)
        env_[op.getResult(i).getAsOpaquePointer()] = results[i];
    }
    return {};
  }

 private:
  Tensor get(mlir::Value v) { return env_.at(v.getAsOpaquePointer()); }

  std::vector<Tensor> eval(mlir::Operation* op) {
    llvm::StringRef name = op->getName().getStringRef();
    auto in = [&](unsigned i) { return get(op->getOperand(i)); };
    Shape rshape = op->getNumResults() ? shape_of(op->getResult(0).getType()) : Shape{};
    DType rdt = op->getNumResults() ? dtype_of_type(mlir::cast<mlir::RankedTensorType>(
                                                         op->getResult(0).getType())
                                                         .getElementType())
                                    : f32;
    if (name == "kiln.constant")
      return {tensor_of(op->getAttrOfType<mlir::DenseElementsAttr>("value"))};
    using Unary = Tensor (*)(const Tensor&, const Loc&);
    Unary unary = llvm::StringSwitch<Unary>(name)
                      .Case("kiln.neg", neg).Case("kiln.exp", exp).Case("kiln.log", log)
                      .Case("kiln.log1p", log1p).Case("kiln.expm1", expm1)
                      .Case("kiln.sqrt", sqrt).Case("kiln.rsqrt", rsqrt).Case("kiln.abs", abs)
                      .Case("kiln.sign", sign).Case("kiln.square", square)
                      .Case("kiln.tanh", tanh).Case("kiln.sigmoid", sigmoid)
                      .Case("kiln.relu", relu).Case("kiln.softplus", softplus)
                      .Case("kiln.floor", floor).Case("kiln.not", logical_not)
                      .Default(nullptr);
    if (unary) return {unary(in(0), Loc::current())};
    using Binary = Tensor (*)(const Tensor&, const Tensor&, const Loc&);
    Binary binary = llvm::StringSwitch<Binary>(name)
                        .Case("kiln.add", add).Case("kiln.sub", subtract)
                        .Case("kiln.mul", multiply).Case("kiln.div", divide)
                        .Case("kiln.max", maximum).Case("kiln.min", minimum)
                        .Case("kiln.and", logical_and).Case("kiln.or", logical_or)
                        .Default(nullptr);
    if (name == "kiln.pow") return {pow(in(0), in(1))};
    if (binary) return {binary(in(0), in(1), Loc::current())};
    if (name == "kiln.compare") {
      auto pred = op->getAttrOfType<mlir::kiln::ComparePredicateAttr>("predicate").getValue();
      std::string p = mlir::kiln::stringifyComparePredicate(pred).str();
      Binary cmp = p == "eq" ? equal : p == "ne" ? not_equal : p == "lt" ? less
                 : p == "le" ? less_equal : p == "gt" ? greater : greater_equal;
      return {cmp(in(0), in(1), Loc::current())};
    }
    if (name == "kiln.select") return {where(in(0), in(1), in(2))};
    if (name == "kiln.cast") return {cast(in(0), rdt)};
    if (name == "kiln.reduce_sum" || name == "kiln.reduce_max" || name == "kiln.reduce_min") {
      auto ax = i64_array(op, "axes");
      Axes axes(ax.begin(), ax.end());
      if (axes.empty()) return {in(0)};  // nothing reduced
      Tensor x = in(0);
      return {name == "kiln.reduce_sum" ? sum(x, axes) : name == "kiln.reduce_max" ? max(x, axes)
                                                                                 : min(x, axes)};
    }
    if (name == "kiln.argmax") return {argmax(in(0), static_cast<int>(i64_attr(op, "axis")))};
    if (name == "kiln.top_k") {
      TopK r = top_k(in(0), i64_attr(op, "k"));
      return {r.values, r.indices};
    }
    if (name == "kiln.matmul") return {matmul(in(0), in(1))};
    if (name == "kiln.reshape") return {reshape(in(0), rshape)};
    if (name == "kiln.transpose") {
      auto p = i64_array(op, "permutation");
      return {transpose(in(0), std::vector<int>(p.begin(), p.end()))};
    }
    if (name == "kiln.broadcast_to") return {broadcast_to(in(0), rshape)};
    if (name == "kiln.concat") {
      std::vector<Tensor> xs;
      for (mlir::Value v : op->getOperands()) xs.push_back(get(v));
      return {concat(xs, static_cast<int>(i64_attr(op, "axis")))};
    }
    if (name == "kiln.slice") return {slice(in(0), i64_array(op, "start"), rshape.vec())};
    if (name == "kiln.pad") return {pad(in(0), i64_array(op, "low"), i64_array(op, "high"))};
    if (name == "kiln.gather") return {gather(in(0), in(1))};
    if (name == "kiln.scatter_add") return {scatter_add(in(0), in(1), in(2))};
    if (name == "kiln.iota") {
      int64_t d = i64_attr(op, "dimension");
      std::vector<int64_t> along(rshape.rank(), 1);
      along[d] = rshape[d];
      return {broadcast_to(reshape(arange(rshape[d], rdt), Shape(along)), rshape)};
    }
    if (name == "kiln.random_uniform" || name == "kiln.random_normal" ||
        name == "kiln.truncated_normal") {
      std::vector<int64_t> state = in(0).to_vector<int64_t>();
      Generator g(static_cast<uint64_t>(state[0]), static_cast<uint64_t>(state[1]));
      Tensor v = name == "kiln.random_uniform"
                     ? random_uniform(rshape, g, f64_attr(op, "minval"), f64_attr(op, "maxval"), rdt)
                 : name == "kiln.random_normal"
                     ? random_normal(rshape, g, f64_attr(op, "mean"), f64_attr(op, "stddev"), rdt)
                     : truncated_normal(rshape, g, f64_attr(op, "mean"), f64_attr(op, "stddev"), rdt);
      return {v, constant(std::vector<int64_t>{static_cast<int64_t>(g.seed()),
                                               static_cast<int64_t>(g.offset())})};
    }
    if (name == "kiln.loop") {
      int64_t lo = i64_attr(op, "lower_bound"), hi = i64_attr(op, "upper_bound");
      std::vector<Tensor> carried;
      for (mlir::Value v : op->getOperands()) carried.push_back(get(v));
      mlir::Block& body = op->getRegion(0).front();
      for (int64_t i = lo; i < hi; ++i) {
        std::vector<Tensor> args{constant(i)};
        args.insert(args.end(), carried.begin(), carried.end());
        carried = run_block(body, args);
      }
      return carried;
    }
    detail::fail("interpret", "no interpreter rule for op '" + name.str() + "'");
  }

  std::unordered_map<void*, Tensor> env_;
};

}  // namespace

InterpretResult interpret(const TracedModule& module, const std::string& name,
                          const std::vector<Tensor>& inputs,
                          const std::vector<Variable>& variables, bool update, const Loc& loc) {
  detail::ApiScope scope("interpret", loc);
  mlir::func::FuncOp fn = module.impl_->module->lookupSymbol<mlir::func::FuncOp>(name);
  if (!fn) detail::fail("interpret", "the module has no function '" + name + "'");
  std::map<std::string, Variable> by_name;
  for (const Variable& v : variables) by_name[v.name()] = v;
  std::vector<Tensor> args;
  size_t next_input = 0;
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    if (auto var = fn.getArgAttrOfType<mlir::StringAttr>(i, "kiln.variable")) {
      auto it = by_name.find(var.str());
      if (it == by_name.end())
        detail::fail("interpret", "function '" + name + "' needs variable '" + var.str() +
                                      "', which was not passed");
      args.push_back(it->second.storage());
    } else {
      if (next_input >= inputs.size())
        detail::fail("interpret", "function '" + name + "' takes more inputs than the " +
                                      std::to_string(inputs.size()) + " passed");
      args.push_back(inputs[next_input++]);
    }
  }
  if (next_input != inputs.size())
    detail::fail("interpret", "function '" + name + "' takes " + std::to_string(next_input) +
                                  " inputs, " + std::to_string(inputs.size()) + " were passed");
  NoGradGuard no_tape;
  Interpreter interp;
  std::vector<Tensor> results = interp.run_block(fn.getBody().front(), args);
  InterpretResult r;
  for (unsigned i = 0; i < results.size(); ++i) {
    if (auto var = fn.getResultAttrOfType<mlir::StringAttr>(i, "kiln.variable"))
      r.variables[var.str()] = results[i];
    else
      r.outputs.push_back(results[i]);
  }
  if (update)
    for (auto& [n, value] : r.variables) by_name.at(n).assign(value);
  return r;
}

}  // namespace kiln
