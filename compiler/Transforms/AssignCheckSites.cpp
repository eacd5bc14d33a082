// Check sites: numbered in the IR, described from the ops' locations for error messages.
#include "compiler/Transforms/AssignCheckSites.h"

#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/TypeUtilities.h"

namespace kiln::compiler {
namespace {

// The user's file:line and API from an op's location: NameLoc("api")(FileLineColLoc),
// possibly fused by canonicalization.
void describe_location(mlir::Location loc, CheckSite& site) {
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(loc)) {
    if (site.api.empty()) {
      std::string api = name.getName().str();
      const std::string grad = ".grad";
      if (api.size() > grad.size() && api.compare(api.size() - grad.size(), grad.size(), grad) == 0)
        api = api.substr(0, api.size() - grad.size()) + " (gradient)";
      site.api = api;
    }
    describe_location(name.getChildLoc(), site);
  } else if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc)) {
    if (site.file.empty()) {
      site.file = file.getFilename().str();
      site.line = file.getLine();
    }
  } else if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location l : fused.getLocations()) describe_location(l, site);
  } else if (auto call = mlir::dyn_cast<mlir::CallSiteLoc>(loc)) {
    describe_location(call.getCallee(), site);
  }
}

}  // namespace

std::vector<CheckSite> assign_check_sites(mlir::ModuleOp module) {
  std::vector<CheckSite> sites;
  mlir::Builder b(module.getContext());
  module.walk([&](mlir::Operation* op) {
    llvm::StringRef name = op->getName().getStringRef();
    std::string eager_name;
    if (name == "kiln.gather")
      eager_name = "gather";
    else if (name == "kiln.scatter_add")
      eager_name = "scatter_add";
    else if (name == "kiln.div" && op->getNumResults() == 1 &&
             mlir::getElementTypeOrSelf(op->getResult(0).getType()).isInteger())
      eager_name = "divide";
    else
      return;
    CheckSite site;
    site.op = eager_name;
    llvm::raw_string_ostream os(site.location);
    os << op->getLoc();
    describe_location(op->getLoc(), site);
    sites.push_back(site);
    op->setAttr("kiln.site", b.getI64IntegerAttr(static_cast<int64_t>(sites.size())));
  });
  return sites;
}

}  // namespace kiln::compiler
