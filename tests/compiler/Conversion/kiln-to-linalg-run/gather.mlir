// gather and scatter_add after the conversion: rows at indices, duplicates
// accumulating in order, and an out-of-range index clamped (never read out of
// bounds) and reported as [site, position, value, bound] in @__kiln_status.
// The kiln ops take function arguments, so that the conversion cannot fold
// them with the eager kernels.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

// Declared here so that @main may read it; the pass keeps an existing global.
memref.global "public" @__kiln_status : memref<4xi64> = dense<0>

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(memref<*xi64>)

func.func @gather(%table: tensor<3x2xf32>, %ids: tensor<2x2xi64>) -> tensor<8xf32> {
  %rows = kiln.gather %table, %ids {kiln.site = 1 : i64} : tensor<3x2xf32>, tensor<2x2xi64> -> tensor<2x2x2xf32>
  %flat = kiln.reshape %rows : tensor<2x2x2xf32> to tensor<8xf32>
  return %flat : tensor<8xf32>
}

func.func @scatter_add(%x: tensor<3x2xf32>, %ids: tensor<3xi32>, %upd: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %acc = kiln.scatter_add %x, %ids, %upd {kiln.site = 2 : i64} : tensor<3x2xf32>, tensor<3xi32>, tensor<3x2xf32>
  return %acc : tensor<3x2xf32>
}

func.func @gather_bad(%table: tensor<3x2xf32>, %ids: tensor<3xi64>) -> tensor<3x2xf32> {
  %rows = kiln.gather %table, %ids {kiln.site = 5 : i64} : tensor<3x2xf32>, tensor<3xi64> -> tensor<3x2xf32>
  return %rows : tensor<3x2xf32>
}

func.func @print_status() {
  %status = memref.get_global @__kiln_status : memref<4xi64>
  %s = memref.cast %status : memref<4xi64> to memref<*xi64>
  call @printMemrefI64(%s) : (memref<*xi64>) -> ()
  return
}

func.func @main() {
  %table = arith.constant dense<[[0.0, 1.0], [10.0, 11.0], [20.0, 21.0]]> : tensor<3x2xf32>
  %ids = arith.constant dense<[[2, 0], [1, 2]]> : tensor<2x2xi64>
  %rows = call @gather(%table, %ids) : (tensor<3x2xf32>, tensor<2x2xi64>) -> tensor<8xf32>
  %p0 = tensor.cast %rows : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%p0) : (tensor<*xf32>) -> ()
  // CHECK: [20,  21,  0,  1,  10,  11,  20,  21]

  %zeros = arith.constant dense<0.0> : tensor<3x2xf32>
  %dup = arith.constant dense<[2, 0, 2]> : tensor<3xi32>
  %upd = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %acc = call @scatter_add(%zeros, %dup, %upd) : (tensor<3x2xf32>, tensor<3xi32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %p1 = tensor.cast %acc : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%p1) : (tensor<*xf32>) -> ()
  // CHECK:      [3,   4],
  // CHECK-NEXT: [0,   0],
  // CHECK-NEXT: [6,   8]
  call @print_status() : () -> ()
  // CHECK: [0,  0,  0,  0]

  // Index 3 at position 1 (and -1 at position 2) of a 3-row table: the first
  // is reported, the reads are clamped into [0, 3).
  %bad = arith.constant dense<[0, 3, -1]> : tensor<3xi64>
  %clamped = call @gather_bad(%table, %bad) : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  %p2 = tensor.cast %clamped : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%p2) : (tensor<*xf32>) -> ()
  // CHECK:      [0,   1],
  // CHECK-NEXT: [20,   21],
  // CHECK-NEXT: [0,   1]
  call @print_status() : () -> ()
  // CHECK: [5,  1,  3,  3]

  // A later violation does not overwrite the first.
  %bad2 = arith.constant dense<[7, 7, 7]> : tensor<3xi32>
  %acc2 = call @scatter_add(%zeros, %bad2, %upd) : (tensor<3x2xf32>, tensor<3xi32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %p3 = tensor.cast %acc2 : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%p3) : (tensor<*xf32>) -> ()
  // CHECK:      [0,   0],
  // CHECK-NEXT: [0,   0],
  // CHECK-NEXT: [9,   12]
  call @print_status() : () -> ()
  // CHECK: [5,  1,  3,  3]
  return
}
