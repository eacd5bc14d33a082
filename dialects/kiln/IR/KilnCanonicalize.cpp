// Canonicalization patterns of kiln ops that build new ops; the rewrites that
// only return an existing value or a constant are folders (KilnFolding.cpp).
#include "dialects/kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
namespace {

// reshape(reshape(x)) -> reshape(x): only the final shape matters.
struct ComposeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter& rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner) return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput());
    return success();
  }
};

// transpose(transpose(x, p1), p2) -> transpose(x, p1[p2[i]]); the transpose
// folder then removes it when the composition is the identity.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter& rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner) return failure();
    ArrayRef<int64_t> first = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : op.getPermutation()) composed.push_back(first[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), inner.getInput(),
                                             rewriter.getDenseI64ArrayAttr(composed));
    return success();
  }
};

}  // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet& patterns, MLIRContext* context) {
  patterns.add<ComposeReshapes>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet& patterns, MLIRContext* context) {
  patterns.add<ComposeTransposes>(context);
}

}  // namespace mlir::kiln
