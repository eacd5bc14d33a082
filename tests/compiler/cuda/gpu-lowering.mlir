// The CUDA pipeline's GPU lowering (kiln-compile --target=cuda:sm_90 --emit=mlir): data-
// parallel loops become outlined kernels of 256-thread blocks in one gpu.module, lowered to
// NVVM; elementwise chains fuse into one kernel (mul then exp), but not into a full
// reduction, which runs serially in a single-thread kernel; the host functions keep only
// their buffers and gpu.launch_func.
// RUN: kiln-compile %s --target=cuda:sm_90 --emit=mlir -o %t.mlir
// RUN: FileCheck %s < %t.mlir

// CHECK-LABEL: func.func @scale_then_sum(
// CHECK-NOT:     scf.
// CHECK:         %[[C5:.*]] = arith.constant 5 : index
// CHECK:         gpu.launch_func @kiln_kernels::@scale_then_sum_kernel blocks in (%[[C5]], %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NEXT:    gpu.launch_func @kiln_kernels::@scale_then_sum_kernel_0
// CHECK-NEXT:    return
func.func @scale_then_sum(%x: tensor<300x4xf32>) -> tensor<f32> {
  %two = kiln.constant dense<2.0> : tensor<300x4xf32>
  %y = kiln.mul %x, %two : tensor<300x4xf32>
  %e = kiln.exp %y : tensor<300x4xf32>
  %s = kiln.reduce_sum %e {axes = array<i64: 0, 1>} : tensor<300x4xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @matmul(
// CHECK:         gpu.launch_func @kiln_kernels::@matmul_kernel
func.func @matmul(%a: tensor<64x32xf32>, %b: tensor<32x16xf32>) -> tensor<64x16xf32> {
  %c = kiln.matmul %a, %b : tensor<64x32xf32>, tensor<32x16xf32> -> tensor<64x16xf32>
  return %c : tensor<64x16xf32>
}

// One kernel module with every kernel, in NVVM: thread and block ids, math from libdevice.
// CHECK:       gpu.module @kiln_kernels
// CHECK:         llvm.func @scale_then_sum_kernel(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME:      gpu.kernel
// CHECK-SAME:      gpu.known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME:      nvvm.kernel
// CHECK:           nvvm.read.ptx.sreg.ctaid.x
// CHECK:           nvvm.read.ptx.sreg.tid.x
// CHECK:           llvm.call @__nv_expf
// CHECK:         llvm.func @scale_then_sum_kernel_0
// CHECK-SAME:      gpu.known_block_size = array<i32: 1, 1, 1>
// CHECK:         llvm.func @matmul_kernel
