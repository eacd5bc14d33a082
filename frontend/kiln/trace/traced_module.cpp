// TracedModule (an MLIR module of traced functions) and kiln::trace.
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "dialects/kiln/IR/KilnDialect.h"
#include "kiln/autodiff/tape.h"
#include "kiln/function.h"
#include "kiln/trace/mlir_trace_sink.h"
#include "kiln/trace/traced_module_impl.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

namespace kiln {

namespace {

// Collects MLIR diagnostics as text while in scope.
class DiagnosticCapture {
 public:
  explicit DiagnosticCapture(mlir::MLIRContext* ctx)
      : handler_(ctx, [this](mlir::Diagnostic& d) {
          llvm::raw_string_ostream os(text_);
          os << d.getLocation() << ": " << d << "\n";
          return mlir::success();
        }) {}
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  mlir::ScopedDiagnosticHandler handler_;
};

}  // namespace

TracedModule::TracedModule() : impl_(std::make_shared<Impl>()) {}
TracedModule::~TracedModule() = default;
TracedModule::TracedModule(const TracedModule&) = default;
TracedModule& TracedModule::operator=(const TracedModule&) = default;

std::string TracedModule::mlir(bool with_locations) const {
  std::string s;
  llvm::raw_string_ostream os(s);
  mlir::OpPrintingFlags flags;
  // Locations inline (no #loc aliases), in the standard form: loc("api"("file.cpp":12:5)).
  if (with_locations) flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false).useLocalScope();
  impl_->module->print(os, flags);
  return s;
}

std::vector<Variable> TracedModule::variables() const { return impl_->variables; }

std::vector<std::string> TracedModule::function_names() const {
  std::vector<std::string> names;
  for (auto fn : impl_->module->getOps<mlir::func::FuncOp>()) names.push_back(fn.getName().str());
  return names;
}

void TracedModule::merge(const TracedModule& other, const Loc& loc) {
  detail::ApiScope scope("TracedModule::merge", loc);
  for (const std::string& n : other.function_names())
    for (const std::string& mine : function_names())
      if (n == mine) detail::fail("merge", "both modules define a function named '" + n + "'");
  // Round-trip through text: the modules live in different MLIR contexts.
  mlir::ParserConfig config(&impl_->context);
  auto parsed =
      mlir::parseSourceString<mlir::ModuleOp>(other.mlir(/*with_locations=*/true), config);
  if (!parsed) detail::fail("merge", "internal error: could not re-read a traced module");
  for (auto& op : llvm::make_early_inc_range(parsed->getBody()->getOperations())) {
    op.remove();
    impl_->module->getBody()->push_back(&op);
  }
  for (const Variable& v : other.impl_->variables) {
    bool known = false;
    for (const Variable& mine : impl_->variables) known = known || mine.id() == v.id();
    if (!known) impl_->variables.push_back(v);
  }
}

namespace {

mlir::func::FuncOp function_named(mlir::ModuleOp module, const std::string& name, const char* api) {
  auto fn = module.lookupSymbol<mlir::func::FuncOp>(name);
  if (!fn) detail::fail(api, "the module has no function named '" + name + "'");
  return fn;
}

bool is_variable(mlir::DictionaryAttr attrs) {
  return attrs && attrs.get(mlir::kiln::KilnDialect::kVariableAttrName);
}

// Sets kiln.name on the non-variable arguments (or results) of `fn`, in order, then
// verifies the function (names must be unique).
void set_names(mlir::func::FuncOp fn, const std::vector<std::string>& names, bool results,
               const char* api) {
  unsigned count = results ? fn.getNumResults() : fn.getNumArguments();
  std::vector<unsigned> slots;
  for (unsigned i = 0; i < count; ++i)
    if (!is_variable(results ? fn.getResultAttrDict(i) : fn.getArgAttrDict(i))) slots.push_back(i);
  const char* what = results ? "outputs" : "inputs";
  if (names.size() != slots.size())
    detail::fail(api, "function '" + fn.getName().str() + "' has " + std::to_string(slots.size()) +
                          " " + what + ", " + std::to_string(names.size()) + " names were given");
  mlir::Builder b(fn.getContext());
  for (size_t k = 0; k < names.size(); ++k) {
    if (names[k].empty()) detail::fail(api, std::string("names of ") + what + " must not be empty");
    for (size_t j = 0; j < k; ++j)
      if (names[j] == names[k]) detail::fail(api, "the name '" + names[k] + "' is given twice");
    auto attr = b.getStringAttr(names[k]);
    if (results)
      fn.setResultAttr(slots[k], mlir::kiln::KilnDialect::kNameAttrName, attr);
    else
      fn.setArgAttr(slots[k], mlir::kiln::KilnDialect::kNameAttrName, attr);
  }
}

}  // namespace

void TracedModule::set_input_names(const std::string& function,
                                   const std::vector<std::string>& names, const Loc& loc) {
  detail::ApiScope scope("TracedModule::set_input_names", loc);
  set_names(function_named(*impl_->module, function, "set_input_names"), names, false,
            "set_input_names");
}

void TracedModule::set_output_names(const std::string& function,
                                    const std::vector<std::string>& names, const Loc& loc) {
  detail::ApiScope scope("TracedModule::set_output_names", loc);
  set_names(function_named(*impl_->module, function, "set_output_names"), names, true,
            "set_output_names");
}

void TracedModule::set_batched(const std::string& function, const Loc& loc) {
  detail::ApiScope scope("TracedModule::set_batched", loc);
  auto fn = function_named(*impl_->module, function, "set_batched");
  fn->setAttr(mlir::kiln::KilnDialect::kBatchedAttrName, mlir::UnitAttr::get(fn.getContext()));
  // The dialect's verifier states the rules (leading dim 1, no variable updated).
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(fn.getContext(), [&](mlir::Diagnostic& d) {
    diagnostics += d.str();
    return mlir::success();
  });
  if (mlir::failed(mlir::verify(fn))) {
    fn->removeAttr(mlir::kiln::KilnDialect::kBatchedAttrName);
    detail::fail("set_batched", diagnostics);
  }
}

void TracedModule::set_vocabulary(const std::string& function, const std::string& name,
                                  const std::string& metadata_key, const Loc& loc) {
  detail::ApiScope scope("TracedModule::set_vocabulary", loc);
  auto fn = function_named(*impl_->module, function, "set_vocabulary");
  auto key = mlir::StringAttr::get(fn.getContext(), metadata_key);
  auto named = [&](mlir::DictionaryAttr attrs) {
    auto n = attrs ? attrs.getAs<mlir::StringAttr>(mlir::kiln::KilnDialect::kNameAttrName)
                   : mlir::StringAttr();
    return n && n.getValue() == name;
  };
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(fn.getContext(), [&](mlir::Diagnostic& d) {
    diagnostics += d.str();
    return mlir::success();
  });
  auto verified = [&](auto undo) {
    if (mlir::succeeded(mlir::verify(fn))) return;
    undo();
    detail::fail("set_vocabulary", diagnostics);
  };
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    if (named(fn.getArgAttrDict(i))) {
      fn.setArgAttr(i, mlir::kiln::KilnDialect::kVocabularyAttrName, key);
      return verified([&] { fn.removeArgAttr(i, mlir::kiln::KilnDialect::kVocabularyAttrName); });
    }
  for (unsigned r = 0; r < fn.getNumResults(); ++r)
    if (named(fn.getResultAttrDict(r))) {
      fn.setResultAttr(r, mlir::kiln::KilnDialect::kVocabularyAttrName, key);
      return verified([&] {
        fn.removeResultAttr(r, mlir::StringAttr::get(fn.getContext(),
                                                     mlir::kiln::KilnDialect::kVocabularyAttrName));
      });
    }
  detail::fail("set_vocabulary", "function '" + function + "' has no input or output named '" +
                                     name + "' (name them with set_input_names/set_output_names)");
}

void TracedModule::save(const std::string& path, const Loc& loc) const {
  detail::ApiScope scope("TracedModule::save", loc);
  std::string tmp = path + ".tmp";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tmp, ec);
    if (ec) detail::fail("save", "cannot write '" + tmp + "': " + ec.message());
    bool bytecode = path.size() >= 7 && path.compare(path.size() - 7, 7, ".mlirbc") == 0;
    if (bytecode) {
      if (mlir::failed(mlir::writeBytecodeToFile(*impl_->module, os)))
        detail::fail("save", "could not write MLIR bytecode to '" + path + "'");
    } else {
      mlir::OpPrintingFlags flags;
      flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);  // re-parsable
      impl_->module->print(os, flags);
    }
    os.flush();
    if (os.has_error()) detail::fail("save", "error while writing '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    detail::fail("save", "cannot rename '" + tmp + "' to '" + path + "'");
}

TracedModule TracedModule::load(const std::string& path, const Loc& loc) {
  detail::ApiScope scope("TracedModule::load", loc);
  TracedModule m;
  DiagnosticCapture diags(&m.impl_->context);
  mlir::ParserConfig config(&m.impl_->context);
  auto parsed = mlir::parseSourceFile<mlir::ModuleOp>(path, config);
  if (!parsed) detail::fail("load", "cannot load '" + path + "':\n" + diags.text());
  if (mlir::failed(mlir::verify(*parsed)))
    detail::fail("load", "'" + path + "' does not verify:\n" + diags.text());
  m.impl_->module = std::move(parsed);
  return m;
}

TracedModule trace(const std::string& name, const TraceFn& fn, const Signature& signature,
                   const Loc& loc) {
  TracedModule m;
  std::vector<std::pair<Shape, DType>> specs;
  for (const TensorSpec& s : signature) specs.emplace_back(s.shape, s.dtype);
  std::vector<Tensor> outputs;
  mlir::func::FuncOp func;
  std::optional<tracing::MlirTraceSink> built;
  {
    // The function and its arguments are located at the trace call.
    detail::ApiScope scope("trace", loc);
    if (name.empty()) detail::fail("trace", "a traced function needs a name");
    built.emplace(*m.impl_->module, name, specs);
  }
  tracing::MlirTraceSink& sink = *built;
  {
    detail::TraceScope active(&sink);
    outputs = fn(sink.args());
    detail::ApiScope scope("trace", loc);
    func = sink.finish(outputs);
    m.impl_->variables = sink.variables();
  }
  detail::ApiScope scope("trace", loc);
  DiagnosticCapture diags(&m.impl_->context);
  if (mlir::failed(mlir::verify(*m.impl_->module)))
    detail::fail("trace", "internal error: the traced function '" + name + "' does not verify:\n" +
                              diags.text());
  return m;
}

}  // namespace kiln
