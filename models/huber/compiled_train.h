// Training the Huber regression with compiled code (kiln-huber --mode compiled): one epoch
// of per-example SGD is traced as one kiln.loop (export.h's train_epoch), compiled once for
// this CPU, and called once per epoch, so that the per-epoch mean losses are those of the
// eager loop (train.h).
#pragma once

#include <string>

#include "huber/train.h"

namespace huber {

struct CompiledTrainOptions {
  std::string dump_ir_dir;  // when set, every compiler stage is written there (00-traced.mlir...)
};

// Trains as train(data, options) does, with compiled code. result.seconds times the epochs
// alone; result.compile_seconds the tracing and compiling before them. Throws what train()
// throws, and kiln::Error when compiling fails.
TrainResult train_compiled(const RegressionData& data, const TrainOptions& options,
                           const CompiledTrainOptions& compiled = {});

}  // namespace huber
