// Collects MLIR diagnostics (with their notes: MLIR attaches the offending op) as text, for
// the errors of the CPU and CUDA pipelines. Only while the object lives.
#pragma once

#include <string>

#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

namespace kiln::compiler {

class DiagnosticText {
 public:
  explicit DiagnosticText(mlir::MLIRContext* ctx)
      : handler_(ctx, [this](mlir::Diagnostic& d) {
          llvm::raw_string_ostream os(text_);
          os << d.getLocation() << ": " << d << "\n";
          for (const mlir::Diagnostic& note : d.getNotes())
            os << "  " << note.getLocation() << ": note: " << note << "\n";
          return mlir::success();
        }) {}
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  mlir::ScopedDiagnosticHandler handler_;
};

}  // namespace kiln::compiler
