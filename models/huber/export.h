// The Huber regression's functions traced into the kiln dialect (kiln-huber --emit-mlir):
// the same model and optimizer code as eager training, run with symbolic tensors.
#pragma once

#include <cstdint>

#include "huber/train.h"
#include "kiln/function.h"

namespace huber {

// A module with three functions over the variables "huber/w", "huber/b" (and the
// optimizer's step counter):
//   predict(x: f32[n]) -> f32[n]          life expectancy for a batch of birth rates
//   train_step(x: f32[], y: f32[]) -> f32  one per-example SGD step; returns its loss
//   train(x: f32[n], y: f32[n]) -> f32    options.epochs passes of per-example SGD in
//                                          order (one kiln.loop); returns the mean loss after
kiln::TracedModule trace_huber_functions(const TrainOptions& options, int64_t n);

}  // namespace huber
