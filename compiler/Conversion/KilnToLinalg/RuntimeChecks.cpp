// Run-time checks of the kiln -> linalg conversion: the status global and the
// scans that record the first violation in it (the design is in KilnToLinalg.h).
#include "compiler/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "compiler/Conversion/KilnToLinalg/Patterns.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::compiler::detail {

using namespace mlir;

namespace {

MemRefType statusType(MLIRContext* ctx) { return MemRefType::get({4}, IntegerType::get(ctx, 64)); }

// Stores [site, position, value, bound] unless status[0] is already set.
void recordViolation(OpBuilder& b, Location loc, int64_t site, Value position, Value value,
                     Value bound) {
  Type i64 = b.getI64Type();
  Value status = b.create<memref::GetGlobalOp>(loc, statusType(b.getContext()), kStatusGlobalName);
  Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
  Value recorded = b.create<memref::LoadOp>(loc, status, c0);
  Value first =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, recorded, intConstant(b, loc, i64, 0));
  b.create<scf::IfOp>(loc, first, [&](OpBuilder& then, Location l) {
    Value words[4] = {intConstant(then, l, i64, site), position, value, bound};
    for (int64_t i = 0; i < 4; ++i)
      then.create<memref::StoreOp>(l, words[i], status,
                                   ValueRange{then.create<arith::ConstantIndexOp>(l, i)});
    then.create<scf::YieldOp>(l);
  });
}

}  // namespace

void getOrCreateStatusGlobal(ModuleOp module) {
  if (module.lookupSymbol(kStatusGlobalName)) return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  MemRefType type = statusType(module.getContext());
  auto zeros = DenseElementsAttr::get(RankedTensorType::get({4}, b.getI64Type()),
                                      llvm::ArrayRef<int64_t>({0, 0, 0, 0}));
  b.create<memref::GlobalOp>(module.getLoc(), kStatusGlobalName,
                             /*sym_visibility=*/b.getStringAttr("public"), type,
                             /*initial_value=*/zeros, /*constant=*/false,
                             /*alignment=*/IntegerAttr());
}

int64_t siteOf(Operation* op) {
  if (auto site = op->getAttrOfType<IntegerAttr>(kSiteAttrName)) return site.getInt();
  return 0;
}

Value flatPosition(OpBuilder& b, Location loc, ValueRange ivs, ArrayRef<int64_t> shape) {
  Type i64 = b.getI64Type();
  Value position = intConstant(b, loc, i64, 0);
  for (auto [iv, size] : llvm::zip_equal(ivs, shape)) {
    Value scaled = b.create<arith::MulIOp>(loc, position, intConstant(b, loc, i64, size));
    Value i = b.create<arith::IndexCastOp>(loc, i64, iv);
    position = b.create<arith::AddIOp>(loc, scaled, i);
  }
  return position;
}

void emitCheckScan(OpBuilder& b, Location loc, Value values, int64_t site,
                   function_ref<Violation(OpBuilder&, Location, Value)> check) {
  auto type = cast<RankedTensorType>(values.getType());
  SmallVector<Value> lbs, ubs, steps;
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  for (int64_t size : type.getShape()) {
    lbs.push_back(zero);
    ubs.push_back(b.create<arith::ConstantIndexOp>(loc, size));
    steps.push_back(one);
  }
  scf::buildLoopNest(b, loc, lbs, ubs, steps, [&](OpBuilder& nb, Location l, ValueRange ivs) {
    Value element = nb.create<tensor::ExtractOp>(l, values, ivs);
    Violation v = check(nb, l, element);
    nb.create<scf::IfOp>(l, v.failed, [&](OpBuilder& then, Location tl) {
      recordViolation(then, tl, site, flatPosition(then, tl, ivs, type.getShape()), v.value,
                      v.bound);
      then.create<scf::YieldOp>(tl);
    });
  });
}

Value toI64(OpBuilder& b, Location loc, Value index) {
  if (index.getType().isInteger(64)) return index;
  return b.create<arith::ExtSIOp>(loc, b.getI64Type(), index);
}

Value clampedRow(OpBuilder& b, Location loc, Value index, int64_t rows) {
  Type i64 = b.getI64Type();
  Value i = toI64(b, loc, index);
  i = b.create<arith::MaxSIOp>(loc, i, intConstant(b, loc, i64, 0));
  i = b.create<arith::MinSIOp>(loc, i, intConstant(b, loc, i64, rows - 1));
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), i);
}

Violation indexOutOfRange(OpBuilder& b, Location loc, Value index, int64_t rows) {
  Type i64 = b.getI64Type();
  Value i = toI64(b, loc, index);
  Value bound = intConstant(b, loc, i64, rows);
  // One unsigned comparison catches both i < 0 and i >= rows.
  Value failed = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge, i, bound);
  return {failed, i, bound};
}

}  // namespace kiln::compiler::detail
