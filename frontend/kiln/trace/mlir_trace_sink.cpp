// Builds kiln dialect IR as the user's C++ runs with symbolic tensors.
#include "kiln/trace/mlir_trace_sink.h"

#include <string_view>

#include "dialects/kiln/IR/KilnDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln::tracing {

mlir::Type element_type(mlir::MLIRContext* ctx, DType dt) {
  switch (dt) {
    case DType::f32: return mlir::Float32Type::get(ctx);
    case DType::f64: return mlir::Float64Type::get(ctx);
    case DType::i32: return mlir::IntegerType::get(ctx, 32);
    case DType::i64: return mlir::IntegerType::get(ctx, 64);
    case DType::b8: return mlir::IntegerType::get(ctx, 1);
  }
  return {};
}

mlir::RankedTensorType tensor_type(mlir::MLIRContext* ctx, const Shape& shape, DType dt) {
  return mlir::RankedTensorType::get(llvm::ArrayRef<int64_t>(shape.begin(), shape.end()),
                                     element_type(ctx, dt));
}

mlir::DenseElementsAttr dense_attr(mlir::MLIRContext* ctx, const Tensor& t) {
  auto type = tensor_type(ctx, t.shape(), t.dtype());
  return visit_dtype(t.dtype(), [&](auto tag) -> mlir::DenseElementsAttr {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(t.raw());
    int64_t n = t.numel();
    bool splat = n > 0;
    for (int64_t i = 1; splat && i < n; ++i) splat = p[i] == p[0];
    if (splat) return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<T>(p, 1));
    return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<T>(p, static_cast<size_t>(n)));
  });
}

namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

MlirTraceSink::MlirTraceSink(mlir::ModuleOp module, const std::string& name,
                             const std::vector<std::pair<Shape, DType>>& arg_specs)
    : ctx_(module.getContext()), builder_(module.getContext()) {
  builder_.setInsertionPointToEnd(module.getBody());
  func_ = builder_.create<mlir::func::FuncOp>(location(), name,
                                             builder_.getFunctionType({}, {}));
  mlir::Block* entry = func_.addEntryBlock();
  scopes_.push_back(Scope{entry, {}, {}});
  builder_.setInsertionPointToEnd(entry);
  for (const auto& [shape, dt] : arg_specs) {
    mlir::Value arg = entry->addArgument(tensor_type(ctx_, shape, dt), location());
    args_.push_back(bind(arg, shape, dt));
  }
}

mlir::Location MlirTraceSink::location() const {
  const detail::CallSite& site = detail::current_call_site();
  if (!site.api) return mlir::UnknownLoc::get(ctx_);
  auto file = mlir::FileLineColLoc::get(ctx_, base_name(site.loc.file_name()), site.loc.line(),
                                        site.loc.column());
  std::string name = site.api;
  if (site.backward) name += ".grad";  // an op of the gradient of `api`
  return mlir::NameLoc::get(mlir::StringAttr::get(ctx_, name), file);
}

Tensor MlirTraceSink::bind(mlir::Value v, const Shape& shape, DType dt) {
  Tensor t = Tensor::symbolic(shape, dt);
  values_[t.id()] = v;
  scopes_.back().defined_ids.push_back(t.id());
  return t;
}

mlir::Value MlirTraceSink::value_of(const Tensor& t) {
  auto it = values_.find(t.id());
  if (it != values_.end()) return it->second;
  if (t.is_symbolic())
    detail::fail("trace", "a symbolic tensor of shape " + t.shape().str() +
                              " does not belong to this trace here (it comes from another "
                              "trace, or from inside a finished fori_loop body)");
  // A concrete tensor captured by the traced code becomes a constant.
  mlir::OperationState st(location(), "kiln.constant");
  st.addAttribute("value", dense_attr(ctx_, t));
  st.addTypes(tensor_type(ctx_, t.shape(), t.dtype()));
  mlir::Value v = builder_.create(st)->getResult(0);
  values_[t.id()] = v;
  scopes_.back().defined_ids.push_back(t.id());
  return v;
}

std::vector<Tensor> MlirTraceSink::emit(const char* op, std::span<const Tensor> operands,
                                        std::span<const detail::TraceAttr> attrs,
                                        std::span<const std::pair<Shape, DType>> results) {
  mlir::OperationState st(location(), op);
  for (const Tensor& t : operands) st.addOperands(value_of(t));
  for (const detail::TraceAttr& a : attrs) {
    mlir::Attribute attr;
    if (auto* i = std::get_if<int64_t>(&a.value)) {
      attr = builder_.getI64IntegerAttr(*i);
    } else if (auto* d = std::get_if<double>(&a.value)) {
      attr = builder_.getF64FloatAttr(*d);
    } else if (auto* v = std::get_if<std::vector<int64_t>>(&a.value)) {
      attr = builder_.getDenseI64ArrayAttr(*v);
    } else {
      const std::string& s = std::get<std::string>(a.value);
      if (std::string_view(a.name) == "predicate") {
        auto pred = mlir::kiln::symbolizeComparePredicate(s);
        if (!pred) detail::fail(op, "internal error: unknown comparison predicate " + s);
        attr = mlir::kiln::ComparePredicateAttr::get(ctx_, *pred);
      } else {
        attr = builder_.getStringAttr(s);
      }
    }
    st.addAttribute(a.name, attr);
  }
  for (const auto& [shape, dt] : results) st.addTypes(tensor_type(ctx_, shape, dt));
  mlir::Operation* created = builder_.create(st);
  std::vector<Tensor> out;
  for (size_t i = 0; i < results.size(); ++i)
    out.push_back(bind(created->getResult(i), results[i].first, results[i].second));
  return out;
}

MlirTraceSink::VarSlot* MlirTraceSink::find_slot(Scope& s, const Variable& v) {
  for (VarSlot& slot : s.vars)
    if (slot.var.id() == v.id()) return &slot;
  return nullptr;
}

MlirTraceSink::VarSlot& MlirTraceSink::slot(const Variable& v) {
  // Find the innermost scope that knows v, then thread it inward: each loop body in
  // between gets a carried value (a block argument whose init is the outer value).
  size_t known = scopes_.size();
  while (known > 0 && !find_slot(scopes_[known - 1], v)) --known;
  if (known == 0) {
    Scope& fn = scopes_.front();
    // Located where it is first read, or else at the function (the trace call).
    mlir::Location loc = detail::current_call_site().api ? location() : func_.getLoc();
    mlir::Value arg = fn.block->addArgument(tensor_type(ctx_, v.shape(), v.dtype()), loc);
    fn.vars.push_back(VarSlot{v, arg, {}, false});
    known = 1;
  }
  for (size_t s = known; s < scopes_.size(); ++s) {
    mlir::Value outer = find_slot(scopes_[s - 1], v)->value;
    mlir::Value carried = scopes_[s].block->addArgument(outer.getType(), location());
    scopes_[s].vars.push_back(VarSlot{v, carried, outer, false});
  }
  return *find_slot(scopes_.back(), v);
}

Tensor MlirTraceSink::read_variable(const Variable& v) {
  VarSlot& s = slot(v);
  return bind(s.value, v.shape(), v.dtype());
}

void MlirTraceSink::write_variable(const Variable& v, const Tensor& value) {
  mlir::Value nv = value_of(value);
  VarSlot& s = slot(v);
  s.value = nv;
  s.written = true;
}

Tensor MlirTraceSink::begin_loop(int64_t lower, int64_t upper) {
  auto* block = new mlir::Block();
  mlir::Value iv = block->addArgument(tensor_type(ctx_, Shape{}, i64), location());
  scopes_.push_back(Scope{block, {}, {}, lower, upper});
  builder_.setInsertionPointToEnd(block);
  return bind(iv, Shape{}, i64);
}

void MlirTraceSink::end_loop() {
  Scope body = std::move(scopes_.back());
  scopes_.pop_back();
  mlir::Location loc = location();
  llvm::SmallVector<mlir::Value> yielded, inits;
  llvm::SmallVector<mlir::Type> types;
  for (VarSlot& s : body.vars) {
    yielded.push_back(s.value);
    inits.push_back(s.outer_init);
    types.push_back(s.value.getType());
  }
  builder_.setInsertionPointToEnd(body.block);
  mlir::OperationState yield(loc, "kiln.yield");
  yield.addOperands(yielded);
  builder_.create(yield);

  builder_.setInsertionPointToEnd(scopes_.back().block);
  mlir::OperationState st(loc, "kiln.loop");
  st.addAttribute("lower_bound", builder_.getI64IntegerAttr(body.lower));
  st.addAttribute("upper_bound", builder_.getI64IntegerAttr(body.upper));
  st.addOperands(inits);
  st.addTypes(types);
  st.addRegion()->push_back(body.block);
  mlir::Operation* loop = builder_.create(st);
  for (size_t i = 0; i < body.vars.size(); ++i) {
    VarSlot* outer = find_slot(scopes_.back(), body.vars[i].var);
    outer->value = loop->getResult(i);
    outer->written = outer->written || body.vars[i].written;
  }
  // Values of the body are out of scope from here on.
  for (uint64_t id : body.defined_ids) values_.erase(id);
}

std::vector<Variable> MlirTraceSink::variables() const {
  std::vector<Variable> vars;
  for (const VarSlot& s : scopes_.front().vars) vars.push_back(s.var);
  return vars;
}

mlir::func::FuncOp MlirTraceSink::finish(const std::vector<Tensor>& outputs) {
  if (scopes_.size() != 1) detail::fail("trace", "a fori_loop body was not closed");
  Scope& fn = scopes_.front();
  llvm::SmallVector<mlir::Value> results;
  for (const Tensor& t : outputs) results.push_back(value_of(t));
  size_t num_outputs = results.size();
  std::vector<const VarSlot*> updated;
  for (const VarSlot& s : fn.vars)
    if (s.written) {
      results.push_back(s.value);
      updated.push_back(&s);
    }
  builder_.create<mlir::func::ReturnOp>(location(), results);
  llvm::SmallVector<mlir::Type> result_types;
  for (mlir::Value v : results) result_types.push_back(v.getType());
  func_.setType(builder_.getFunctionType(fn.block->getArgumentTypes(), result_types));
  size_t first_var_arg = args_.size();
  for (size_t i = 0; i < fn.vars.size(); ++i)
    func_.setArgAttr(static_cast<unsigned>(first_var_arg + i), "kiln.variable",
                     builder_.getStringAttr(fn.vars[i].var.name()));
  for (size_t i = 0; i < updated.size(); ++i)
    func_.setResultAttr(static_cast<unsigned>(num_outputs + i), "kiln.variable",
                        builder_.getStringAttr(updated[i]->var.name()));
  return func_;
}

}  // namespace kiln::tracing
