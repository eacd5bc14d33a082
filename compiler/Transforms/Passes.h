// The graph optimizations as passes for kiln-opt (lit tests): kiln-fuse-elementwise,
// kiln-plan-memory and kiln-approximate-math. The pipeline calls the functions behind them
// directly, to collect their reports.
#pragma once

namespace kiln::compiler {

void register_transform_passes();

}  // namespace kiln::compiler
