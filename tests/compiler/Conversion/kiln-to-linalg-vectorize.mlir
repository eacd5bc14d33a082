// The row copy of a gather and the inner loop of a matmul become packed SIMD
// instructions, even for the x86-64 baseline (SSE2): the matmul multiplies and adds
// four floats at a time (never fused into an FMA), the gather moves whole rows (packed
// moves, or a memcpy per row once LLVM knows the rows do not overlap).
// RUN: kiln-compile %s --target=x86-64 --emit=asm -o %t.s
// RUN: FileCheck %s < %t.s

// CHECK-LABEL: {{^}}kiln_{{.*}}_lookup:
// CHECK: {{movups|memcpy}}
func.func @lookup(%table: tensor<1000x128xf32>, %ids: tensor<128xi64>) -> tensor<128x128xf32> {
  %0 = kiln.gather %table, %ids : tensor<1000x128xf32>, tensor<128xi64> -> tensor<128x128xf32>
  return %0 : tensor<128x128xf32>
}

// CHECK-LABEL: {{^}}kiln_{{.*}}_matmul:
// CHECK-NOT: fmadd
// CHECK: mulps
// CHECK-NOT: fmadd
// CHECK: addps
// CHECK-NOT: fmadd
// CHECK-LABEL: {{^}}kiln_{{.*}}_status:
func.func @matmul(%a: tensor<128x128xf32>, %b: tensor<128x64xf32>) -> tensor<128x64xf32> {
  %0 = kiln.matmul %a, %b : tensor<128x128xf32>, tensor<128x64xf32> -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}
