// Memory planning (see PlanMemory.h).
//
// Program order: the function's ops numbered in pre-order; an op holding regions (a loop)
// spans its own number to the last number inside it. A buffer is live from its alloc to
// its last use, where a use inside a loop that the alloc is outside of counts until the
// end of that loop (the loop may read it again on the next iteration). Uses are followed
// through views (subview, expand/collapse_shape, cast). A buffer that escapes (returned,
// yielded by a loop, passed to a call) is not planned: it stays a heap allocation, which
// deallocation frees, and the plan says why.
#include "compiler/Transforms/PlanMemory.h"

#include <algorithm>
#include <functional>
#include <map>

#include "compiler/Transforms/OpOrigins.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln::compiler {
namespace {

constexpr int64_t kAlignment = 64;

int64_t round_up(int64_t n, int64_t a) { return (n + a - 1) / a * a; }

std::string shape_of(mlir::MemRefType type) {
  std::string s;
  for (int64_t d : type.getShape()) s += std::to_string(d) + "x";
  std::string element;
  llvm::raw_string_ostream os(element);
  type.getElementType().print(os);
  return s + os.str();
}

struct ProgramOrder {
  llvm::DenseMap<mlir::Operation*, int64_t> index, end;
  int64_t steps = 0;

  explicit ProgramOrder(mlir::func::FuncOp fn) {
    std::function<void(mlir::Operation*)> visit = [&](mlir::Operation* op) {
      index[op] = steps++;
      for (mlir::Region& region : op->getRegions())
        for (mlir::Block& block : region)
          for (mlir::Operation& inner : block) visit(&inner);
      end[op] = steps - 1;
    };
    for (mlir::Block& block : fn.getBody())
      for (mlir::Operation& op : block) visit(&op);
  }
};

// The live range of `alloc`'s buffer, or the reason it cannot be planned.
std::string live_range(mlir::memref::AllocOp alloc, const ProgramOrder& order, int64_t& first,
                       int64_t& last) {
  first = last = order.index.lookup(alloc.getOperation());
  mlir::Block* home = alloc->getBlock();
  llvm::SmallVector<mlir::Value> pending = {alloc.getResult()};
  while (!pending.empty()) {
    mlir::Value v = pending.pop_back_val();
    for (mlir::OpOperand& use : v.getUses()) {
      mlir::Operation* user = use.getOwner();
      if (mlir::isa<mlir::func::ReturnOp, mlir::func::CallOp>(user) ||
          user->hasTrait<mlir::OpTrait::IsTerminator>() ||
          mlir::isa<mlir::RegionBranchOpInterface>(user) ||
          mlir::isa<mlir::bufferization::BufferizationDialect>(user->getDialect()))
        return "escapes through " + user->getName().getStringRef().str();
      if (mlir::isa<mlir::memref::DeallocOp>(user)) continue;
      if (auto view = mlir::dyn_cast<mlir::ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          for (mlir::Value r : user->getResults()) pending.push_back(r);
      mlir::Operation* at = home->findAncestorOpInBlock(*user);
      if (!at) return "used outside the block that allocates it";
      last = std::max(last, order.end.lookup(at));
    }
  }
  return "";
}

}  // namespace

std::vector<int64_t> assign_offsets(const std::vector<int64_t>& bytes,
                                    const std::vector<std::pair<int64_t, int64_t>>& ranges,
                                    int64_t alignment, int64_t& arena_bytes) {
  std::vector<size_t> by_size(bytes.size());
  for (size_t i = 0; i < by_size.size(); ++i) by_size[i] = i;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return bytes[a] > bytes[b]; });
  std::vector<int64_t> offsets(bytes.size(), -1);
  std::vector<size_t> placed;
  arena_bytes = 0;
  for (size_t i : by_size) {
    const int64_t size = round_up(bytes[i], alignment);
    // Buffers already placed that are live at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> taken;  // [offset, end)
    for (size_t j : placed)
      if (ranges[j].first <= ranges[i].second && ranges[i].first <= ranges[j].second)
        taken.emplace_back(offsets[j], offsets[j] + round_up(bytes[j], alignment));
    std::sort(taken.begin(), taken.end());
    int64_t best = -1, best_gap = 0, cursor = 0;
    for (const auto& [begin, end] : taken) {
      const int64_t gap = begin - cursor;
      if (gap >= size && (best < 0 || gap < best_gap)) {
        best = cursor;
        best_gap = gap;
      }
      cursor = std::max(cursor, end);
    }
    offsets[i] = best >= 0 ? best : cursor;
    arena_bytes = std::max(arena_bytes, offsets[i] + size);
    placed.push_back(i);
  }
  return offsets;
}

std::vector<std::pair<std::string, MemoryPlan>> plan_memory(mlir::ModuleOp module) {
  std::vector<std::pair<std::string, MemoryPlan>> plans;
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    if (fn.isExternal()) continue;
    MemoryPlan plan;
    ProgramOrder order(fn);
    plan.steps = order.steps;
    std::vector<mlir::memref::AllocOp> allocs;
    std::vector<int64_t> bytes;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    fn.walk([&](mlir::memref::AllocOp alloc) {
      mlir::MemRefType type = alloc.getType();
      std::string why;
      int64_t first = 0, last = 0;
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !alloc.getSymbolOperands().empty() || type.getMemorySpace())
        why = "its shape or layout is not static";
      else
        why = live_range(alloc, order, first, last);
      if (!why.empty()) {
        plan.heap.push_back(shape_of(type) + ": " + why);
        return;
      }
      const int64_t element = std::max<int64_t>(1, (type.getElementTypeBitWidth() + 7) / 8);
      allocs.push_back(alloc);
      bytes.push_back(type.getNumElements() * element);
      ranges.emplace_back(first, last);
    });
    if (!allocs.empty()) {
      std::vector<int64_t> offsets = assign_offsets(bytes, ranges, kAlignment, plan.arena_bytes);
      // Peak of live bytes: a sweep over the ranges' end points.
      std::map<int64_t, int64_t> delta;
      for (size_t i = 0; i < allocs.size(); ++i) {
        const int64_t size = round_up(bytes[i], kAlignment);
        plan.sum_temporaries_bytes += size;
        delta[ranges[i].first] += size;
        delta[ranges[i].second + 1] -= size;
      }
      int64_t live = 0;
      for (const auto& [step, change] : delta) {
        live += change;
        plan.peak_live_bytes = std::max(plan.peak_live_bytes, live);
      }
      mlir::OpBuilder b(fn.getContext());
      auto arena_type = mlir::MemRefType::get({plan.arena_bytes}, b.getI8Type());
      const unsigned arena_index = fn.getNumArguments();
      fn.insertArgument(arena_index, arena_type, {}, fn.getLoc());
      mlir::Value arena = fn.getArgument(arena_index);
      for (size_t i = 0; i < allocs.size(); ++i) {
        mlir::memref::AllocOp alloc = allocs[i];
        std::vector<OpOrigin> origins = origins_of(alloc.getLoc());
        plan.buffers.push_back({offsets[i], bytes[i], ranges[i].first, ranges[i].second,
                                shape_of(alloc.getType()),
                                origins.empty() ? OpOrigin{} : origins.back()});
        b.setInsertionPoint(alloc);
        mlir::Value offset = b.create<mlir::arith::ConstantIndexOp>(alloc.getLoc(), offsets[i]);
        mlir::Value view = b.create<mlir::memref::ViewOp>(alloc.getLoc(), alloc.getType(), arena,
                                                          offset, mlir::ValueRange{});
        alloc.getResult().replaceAllUsesWith(view);
        alloc.erase();
      }
    }
    plans.emplace_back(fn.getName().str(), std::move(plan));
  }
  return plans;
}

}  // namespace kiln::compiler
