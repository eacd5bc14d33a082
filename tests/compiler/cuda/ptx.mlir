// kiln-compile --emit=ptx: the PTX of every kernel, for the oldest architecture asked for,
// with libdevice's functions linked in (no external calls left), and it assembles with ptxas.
// RUN: kiln-compile %s --target=cuda:sm_80,sm_90 --emit=ptx -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: ptxas -arch=sm_80 %t.ptx -o %t.sm_80.cubin
// RUN: ptxas -arch=sm_90 %t.ptx -o %t.sm_90.cubin
// RUN: kiln-compile %s --target=cuda:sm_90 --emit=ptx -o %t.90.ptx
// RUN: FileCheck %s --check-prefix=SM90 < %t.90.ptx
// RUN: ptxas -arch=sm_90 %t.90.ptx -o %t.90.cubin

// CHECK:     .target sm_80
// CHECK:     .address_size 64
// CHECK:     .visible .entry softplus_kernel(
// CHECK-NOT: .extern .func
// SM90:      .target sm_90
func.func @softplus(%x: tensor<1000xf32>) -> tensor<1000xf32> {
  %y = kiln.softplus %x : tensor<1000xf32>
  return %y : tensor<1000xf32>
}
