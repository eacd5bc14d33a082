// Elementwise producer-consumer fusion (see FuseElementwise.h). Reshapes are first moved
// out of the way (propagated through elementwise ops by expansion, as upstream's
// linalg-fuse-elementwise-ops does), then each linalg.generic consumer absorbs the
// generic producers of its operands when that is profitable:
//   - the producer computes every element independently (no reduction loops): a
//     reduction's result exists only after its last iteration, so it cannot be an
//     epilogue of its own consumer;
//   - the maps compose (linalg::areElementwiseOpsFusable);
//   - every user of the producer is this consumer, or the producer is cheap (at most two
//     arithmetic ops, no division, no transcendental, no gather): a costly producer with
//     several users is computed once and kept, not recomputed per user;
//   - a transposing producer is not folded into a consumer with reduction loops (a
//     matmul): its inner loop would read with a stride; the transpose is done once;
//   - when f32 math is approximated (ApproximateMath.h), a producer with such math is not
//     folded into a consumer with reduction loops either: there it would be computed in
//     the scalar code of a sequential sum or of a matmul's outer loops, while on its own
//     it is a flat elementwise loop that LLVM vectorizes.
// Fusion changes no arithmetic (each element's operations and their order are the same),
// so results stay bit-identical.
#include "compiler/Transforms/FuseElementwise.h"

#include "compiler/Transforms/OpOrigins.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln::compiler {
namespace {

OpOrigin first_origin(mlir::Operation* op) {
  std::vector<OpOrigin> all = origins_of(op->getLoc());
  if (all.empty()) return OpOrigin{op->getName().getStringRef().str(), "", "", 0};
  return all.back();  // a fused op's last origin is its consumer
}

bool is_cheap(mlir::linalg::GenericOp producer) {
  int ops = 0;
  for (mlir::Operation& op : producer.getBody()->without_terminator()) {
    if (mlir::isa<mlir::linalg::IndexOp>(op)) continue;
    if (mlir::isa<mlir::math::MathDialect>(op.getDialect()) ||
        mlir::isa<mlir::tensor::ExtractOp, mlir::arith::DivFOp, mlir::arith::DivSIOp,
                  mlir::arith::DivUIOp, mlir::arith::RemFOp, mlir::arith::RemSIOp>(op))
      return false;
    ++ops;
  }
  return ops <= 2;
}

// A producer that only moves data (its body yields one of its inputs) through a
// non-identity permutation: a transpose.
bool is_transpose(mlir::linalg::GenericOp producer) {
  auto yield = mlir::cast<mlir::linalg::YieldOp>(producer.getBody()->getTerminator());
  if (yield.getNumOperands() != 1) return false;
  auto arg = mlir::dyn_cast<mlir::BlockArgument>(yield.getOperand(0));
  if (!arg || arg.getOwner() != producer.getBody() ||
      arg.getArgNumber() >= static_cast<unsigned>(producer.getNumDpsInputs()))
    return false;
  mlir::AffineMap map =
      producer.getMatchingIndexingMap(producer.getDpsInputOperand(arg.getArgNumber()));
  return map.isPermutation() && !map.isIdentity();
}

// A value whose buffer the function may overwrite in place before the consumer runs: a
// variable argument (updated in place when the function returns its new value) or a
// loop-carried value (each iteration's new value reuses the buffer).
bool may_be_overwritten(mlir::Value v) {
  auto arg = mlir::dyn_cast<mlir::BlockArgument>(v);
  if (!arg) return false;
  mlir::Operation* owner = arg.getOwner()->getParentOp();
  if (auto fn = mlir::dyn_cast<mlir::func::FuncOp>(owner))
    return static_cast<bool>(fn.getArgAttr(arg.getArgNumber(), "kiln.variable"));
  return true;  // a loop's iteration argument
}

// The first f32 op of `producer` that approximate_math turns into a polynomial (the ops
// of upstream's populateMathPolynomialApproximationPatterns), or null.
mlir::Operation* approximated_math_op(mlir::linalg::GenericOp producer) {
  for (mlir::Operation& op : producer.getBody()->without_terminator())
    if (mlir::isa<mlir::math::ExpOp, mlir::math::Exp2Op, mlir::math::ExpM1Op, mlir::math::LogOp,
                  mlir::math::Log2Op, mlir::math::Log1pOp, mlir::math::TanhOp, mlir::math::ErfOp,
                  mlir::math::AtanOp, mlir::math::Atan2Op, mlir::math::SinOp, mlir::math::CosOp,
                  mlir::math::AsinOp, mlir::math::AcosOp, mlir::math::CbrtOp>(op) &&
        op.getNumResults() == 1 && op.getResult(0).getType().isF32())
      return &op;
  return nullptr;
}

// Why `operand`'s producer should not be fused into its consumer; empty: fuse.
std::string why_not(mlir::OpOperand& operand, mlir::linalg::GenericOp producer,
                    mlir::linalg::GenericOp consumer, const FuseOptions& options,
                    bool& cheap_duplicate) {
  cheap_duplicate = false;
  if (producer.getNumParallelLoops() != producer.getNumLoops())
    return "the producer is a reduction: its result is complete only after its last "
           "iteration";
  const bool reduces = consumer.getNumParallelLoops() != consumer.getNumLoops();
  if (reduces && is_transpose(producer))
    return "a transposed operand would make the consumer's inner loop strided; the "
           "transpose is materialized once";
  if (reduces && options.approximated_math)
    if (mlir::Operation* math = approximated_math_op(producer))
      return "the producer's f32 " + math->getName().getStringRef().str() +
             " is approximated by a polynomial, which vectorizes in the producer's own "
             "elementwise loop but would run scalar inside the consumer's reduction";
  for (mlir::Value input : producer.getDpsInputs())
    if (may_be_overwritten(input))
      return "the producer reads a variable or loop-carried value that is updated in place; "
             "reading it later, in the consumer, could see the new value";
  if (!mlir::linalg::areElementwiseOpsFusable(&operand))
    return "the indexing maps do not compose (the consumer does not read the producer's "
           "result elementwise)";
  int other_users = 0;
  for (mlir::Operation* user : producer->getUsers())
    if (user != consumer.getOperation()) ++other_users;
  if (other_users > 0) {
    if (!is_cheap(producer))
      return "the producer's result has " + std::to_string(other_users) +
             " other user(s); recomputing it in each would cost more than storing it once";
    cheap_duplicate = true;
  }
  return "";
}

void propagate_reshapes(mlir::func::FuncOp fn) {
  mlir::RewritePatternSet patterns(fn.getContext());
  auto always = [](mlir::OpOperand*) { return true; };
  mlir::linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, always);
  mlir::tensor::populateFoldTensorEmptyPatterns(patterns);
  mlir::linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
  (void)mlir::applyPatternsAndFoldGreedily(fn, std::move(patterns));
}

}  // namespace

std::vector<std::pair<std::string, std::vector<FusionDecision>>> fuse_elementwise(
    mlir::ModuleOp module, const FuseOptions& options) {
  std::vector<std::pair<std::string, std::vector<FusionDecision>>> out;
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    if (fn.isExternal()) continue;
    propagate_reshapes(fn);
    std::vector<FusionDecision> decisions;
    mlir::IRRewriter rewriter(fn.getContext());
    bool changed = true;
    while (changed) {
      changed = false;
      fn.walk([&](mlir::linalg::GenericOp consumer) {
        for (mlir::OpOperand& operand : consumer->getOpOperands()) {
          auto producer = operand.get().getDefiningOp<mlir::linalg::GenericOp>();
          if (!producer) continue;
          bool cheap_duplicate = false;
          if (!why_not(operand, producer, consumer, options, cheap_duplicate).empty()) continue;
          FusionDecision d{first_origin(producer), first_origin(consumer), true,
                           cheap_duplicate ? "fused; the cheap producer is recomputed in each user"
                                           : "fused: the intermediate tensor is never stored"};
          mlir::Location fused_loc =
              mlir::FusedLoc::get(fn.getContext(), {producer.getLoc(), consumer.getLoc()});
          rewriter.setInsertionPoint(consumer);
          mlir::FailureOr<mlir::linalg::ElementwiseOpFusionResult> result =
              mlir::linalg::fuseElementwiseOps(rewriter, &operand);
          if (mlir::failed(result)) continue;
          decisions.push_back(std::move(d));
          for (auto [original, replacement] : result->replacements)
            rewriter.replaceUsesWithIf(original, replacement, [&](mlir::OpOperand& use) {
              return use.get().getDefiningOp() != producer.getOperation();
            });
          result->fusedOp->setLoc(fused_loc);
          rewriter.eraseOp(consumer);
          if (producer->use_empty()) rewriter.eraseOp(producer);
          changed = true;
          return mlir::WalkResult::interrupt();
        }
        return mlir::WalkResult::advance();
      });
    }
    // The edges left between linalg ops, and why each stayed.
    fn.walk([&](mlir::linalg::LinalgOp consumer) {
      for (mlir::OpOperand& operand : consumer->getOpOperands()) {
        auto producer = operand.get().getDefiningOp<mlir::linalg::LinalgOp>();
        if (!producer) continue;
        std::string why;
        auto generic_producer = mlir::dyn_cast<mlir::linalg::GenericOp>(producer.getOperation());
        auto generic_consumer = mlir::dyn_cast<mlir::linalg::GenericOp>(consumer.getOperation());
        bool cheap_duplicate = false;
        if (!generic_producer || !generic_consumer)
          why = "a " + (generic_producer ? consumer : producer)->getName().getStringRef().str() +
                " is not fused with its neighbours (only elementwise generic ops are)";
        else if (consumer.isDpsInit(&operand))
          why = "the consumer writes into the producer's result (an in-place update)";
        else
          why = why_not(operand, generic_producer, generic_consumer, options, cheap_duplicate);
        if (why.empty()) why = "not fused";
        decisions.push_back({first_origin(producer), first_origin(consumer), false, why});
      }
    });
    out.emplace_back(fn.getName().str(), std::move(decisions));
  }
  return out;
}

}  // namespace kiln::compiler
