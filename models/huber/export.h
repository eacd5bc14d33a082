// The Huber regression's functions traced into the kiln dialect (kiln-huber --emit-mlir,
// kiln-huber --mode compiled): the same model and optimizer code as eager training, run
// with symbolic tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "huber/train.h"
#include "kiln/function.h"

namespace huber {

// The functions trace_huber_functions traces when not told which.
inline const std::vector<std::string> kHuberFunctions = {"predict", "train_step", "train",
                                                         "train_epoch"};

// A module with the named functions (default: all four) over the variables "huber/w",
// "huber/b" (and the optimizer's step counter; train_epoch adds its f64 loss accumulator
// "huber/epoch_loss_sum"):
//   predict(x: f32[1]) -> y: f32[1]       life expectancy for a birth rate, row-mapped
//                                          (kiln.batched: the runtime takes any number)
//   train_step(x: f32[], y: f32[]) -> f32  one per-example SGD step; returns its loss
//   train(x: f32[n], y: f32[n]) -> f32    options.epochs passes of per-example SGD in
//                                          order (one kiln.loop); returns the mean loss after
//   train_epoch(x: f32[n], y: f32[n]) -> f64  one pass of per-example SGD in order (one
//                                          kiln.loop); returns the mean per-example loss
//                                          while it ran (each loss before its own update,
//                                          summed in f64 as the eager loop sums them)
// Inputs are named x (and y), outputs y (predict) and loss, for kiln-run's --input x=...
// Throws std::invalid_argument for a name not in kHuberFunctions.
kiln::TracedModule trace_huber_functions(
    const TrainOptions& options, int64_t n,
    const std::vector<std::string>& functions = kHuberFunctions);

}  // namespace huber
