// Arena alias scopes (see ArenaAliasScopes.h). An access's region is found by following
// its address back (GEPs, descriptor insert/extract, casts) to the arena's aligned pointer:
// the byte GEP with a constant index applied directly to it is the view's offset (none:
// offset 0). Accesses whose address cannot be followed keep no metadata (may alias all).
#include "compiler/Transforms/ArenaAliasScopes.h"

#include <map>
#include <optional>

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"

namespace kiln::compiler {
namespace {

namespace LLVM = mlir::LLVM;

// The value inserted at `position` into the aggregate `agg`, following insertvalue chains.
mlir::Value inserted_at(mlir::Value agg, llvm::ArrayRef<int64_t> position) {
  for (int depth = 0; depth < 64; ++depth) {
    auto insert = agg.getDefiningOp<LLVM::InsertValueOp>();
    if (!insert) return {};
    if (insert.getPosition() == position) return insert.getValue();
    agg = insert.getContainer();
  }
  return {};
}

// The arena offset `ptr` is based on, or nullopt when it is not (or cannot be told).
std::optional<int64_t> arena_offset(mlir::Value ptr, mlir::Value arena) {
  std::optional<int64_t> offset;  // of the GEP closest to the arena seen so far
  for (int depth = 0; depth < 256 && ptr; ++depth) {
    if (ptr == arena) return offset.value_or(0);
    mlir::Operation* def = ptr.getDefiningOp();
    if (!def) return std::nullopt;
    if (auto gep = mlir::dyn_cast<LLVM::GEPOp>(def)) {
      offset.reset();
      auto indices = gep.getIndices();
      if (gep.getElemType().isInteger(8) && indices.size() == 1) {
        if (auto attr = llvm::dyn_cast_if_present<mlir::IntegerAttr>(indices[0])) {
          offset = attr.getInt();
        } else if (auto value = llvm::dyn_cast_if_present<mlir::Value>(indices[0])) {
          llvm::APInt c;
          if (mlir::matchPattern(value, mlir::m_ConstantInt(&c))) offset = c.getSExtValue();
        }
      }
      ptr = gep.getBase();
    } else if (auto extract = mlir::dyn_cast<LLVM::ExtractValueOp>(def)) {
      ptr = inserted_at(extract.getContainer(), extract.getPosition());
    } else if (mlir::isa<LLVM::BitcastOp, LLVM::AddrSpaceCastOp>(def)) {
      ptr = def->getOperand(0);
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

void annotate_arena_alias_scopes(mlir::ModuleOp module, const CompileReport& report) {
  mlir::MLIRContext* ctx = module.getContext();
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
    if (fn.isExternal() || fn.getName().starts_with("_mlir_ciface_")) continue;
    const FunctionReport* f = report.find(fn.getName().str());
    if (!f || f->memory.arena_bytes == 0 || f->memory.buffers.empty()) continue;
    // The arena memref was the last argument: its descriptor's five fields are the last
    // parameters (allocated, aligned, offset, size, stride).
    const unsigned n = fn.getNumArguments();
    if (n < 5) continue;
    mlir::Value arena = fn.getArgument(n - 4);
    if (!mlir::isa<LLVM::LLVMPointerType>(arena.getType())) continue;
    fn.setArgAttr(n - 5, LLVM::LLVMDialect::getNoAliasAttrName(), mlir::UnitAttr::get(ctx));
    fn.setArgAttr(n - 4, LLVM::LLVMDialect::getNoAliasAttrName(), mlir::UnitAttr::get(ctx));

    // Regions: the bytes at each planned offset (the largest buffer placed there).
    std::map<int64_t, int64_t> end_of;  // offset -> end
    for (const PlannedBuffer& b : f->memory.buffers)
      end_of[b.offset] = std::max(end_of[b.offset], b.offset + b.bytes);
    auto domain = LLVM::AliasScopeDomainAttr::get(
        ctx, mlir::StringAttr::get(ctx, "kiln arena of " + fn.getName().str()));
    std::map<int64_t, LLVM::AliasScopeAttr> scope;
    for (const auto& [offset, end] : end_of)
      scope[offset] = LLVM::AliasScopeAttr::get(
          domain, mlir::StringAttr::get(
                      ctx, "arena[" + std::to_string(offset) + ", " + std::to_string(end) + ")"));
    std::map<int64_t, mlir::ArrayAttr> disjoint;
    for (const auto& [offset, end] : end_of) {
      llvm::SmallVector<mlir::Attribute> others;
      for (const auto& [o, e] : end_of)
        if (e <= offset || end <= o) others.push_back(scope[o]);
      disjoint[offset] = mlir::ArrayAttr::get(ctx, others);
    }
    fn.walk([&](LLVM::AliasAnalysisOpInterface access) {
      auto addresses = access.getAccessedOperands();
      if (addresses.size() != 1) return;
      std::optional<int64_t> offset = arena_offset(addresses.front(), arena);
      if (!offset || !scope.count(*offset)) return;
      access.setAliasScopes(mlir::ArrayAttr::get(ctx, {scope[*offset]}));
      access.setNoAliasScopes(disjoint[*offset]);
    });
  }
}

}  // namespace kiln::compiler
