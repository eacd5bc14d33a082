// kiln.top_k on the CUDA pipeline: one GPU thread per row (not a single-thread serial
// kernel), and the PTX assembles with ptxas.
// RUN: kiln-compile %s --target=cuda:sm_80 --emit=mlir -o %t.mlir
// RUN: FileCheck %s --check-prefix=LAUNCH < %t.mlir
// RUN: kiln-compile %s --target=cuda:sm_80 --emit=ptx -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: ptxas -arch=sm_80 %t.ptx -o %t.sm_80.cubin

// LAUNCH: gpu.launch_func @kiln_kernels::@nearest_kernel blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK:     .target sm_80
// CHECK:     .visible .entry
// CHECK-NOT: .extern .func
func.func @nearest(%x: tensor<4x1000xf32>) -> (tensor<4x10xf32>, tensor<4x10xi64>) {
  %v, %i = kiln.top_k %x {k = 10} : tensor<4x1000xf32> -> tensor<4x10xf32>, tensor<4x10xi64>
  return %v, %i : tensor<4x10xf32>, tensor<4x10xi64>
}
