// The picture of a Huber regression run: the data, the line SGD found, and the closed-form
// least-squares line for comparison, with the fitted w and b written on it.
#pragma once

#include "huber/train.h"
#include "kiln/viz/svg_plot.h"

namespace huber {

kiln::viz::Plot plot_fit(const TrainResult& result, const TrainOptions& options);

}  // namespace huber
