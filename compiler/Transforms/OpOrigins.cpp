// Origins of lowered ops: see OpOrigins.h.
#include "compiler/Transforms/OpOrigins.h"

#include <functional>

#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

namespace kiln::compiler {

void tag_op_origins(mlir::ModuleOp module) {
  module.walk([](mlir::Operation* op) {
    mlir::Dialect* dialect = op->getDialect();
    if (!dialect || dialect->getNamespace() != "kiln") return;
    op->setLoc(mlir::NameLoc::get(op->getName().getIdentifier(), op->getLoc()));
  });
}

namespace {

// Fills api/file/line from what a kiln op's name location wraps.
void describe(mlir::Location loc, OpOrigin& origin) {
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(loc)) {
    if (origin.api.empty() && name.getName().strref() != "trace") origin.api = name.getName().str();
    describe(name.getChildLoc(), origin);
  } else if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc)) {
    if (origin.file.empty()) {
      origin.file = file.getFilename().str();
      origin.line = static_cast<int>(file.getLine());
    }
  } else if (auto call = mlir::dyn_cast<mlir::CallSiteLoc>(loc)) {
    describe(call.getCallee(), origin);
  } else if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location inner : fused.getLocations()) describe(inner, origin);
  }
}

}  // namespace

std::vector<OpOrigin> origins_of(mlir::Location loc) {
  std::vector<OpOrigin> out;
  std::function<void(mlir::Location)> visit = [&](mlir::Location l) {
    if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(l)) {
      for (mlir::Location inner : fused.getLocations()) visit(inner);
      return;
    }
    auto name = mlir::dyn_cast<mlir::NameLoc>(l);
    if (!name || !name.getName().strref().starts_with("kiln.")) return;
    OpOrigin o;
    o.op = name.getName().str();
    describe(name.getChildLoc(), o);
    for (const OpOrigin& seen : out)
      if (seen.op == o.op && seen.api == o.api && seen.file == o.file && seen.line == o.line)
        return;
    out.push_back(std::move(o));
  };
  visit(loc);
  return out;
}

}  // namespace kiln::compiler
