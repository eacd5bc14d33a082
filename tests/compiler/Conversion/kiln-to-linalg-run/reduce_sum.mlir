// reduce_sum and argmax after the conversion: sums over one axis, over all
// axes, in row-major order, and the first index of the maximum (a NaN counts
// as the largest). The kiln ops take function arguments, so that the
// conversion cannot fold them with the eager kernels.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @sums(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>) {
  %rows = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  %cols = kiln.reduce_sum %x {axes = array<i64: 0>} : tensor<2x3xf32> -> tensor<3xf32>
  %all = kiln.reduce_sum %x {axes = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<f32>
  return %rows, %cols, %all : tensor<2xf32>, tensor<3xf32>, tensor<f32>
}

func.func @sum_all(%x: tensor<4xf32>) -> tensor<f32> {
  %s = kiln.reduce_sum %x {axes = array<i64: 0>} : tensor<4xf32> -> tensor<f32>
  return %s : tensor<f32>
}

func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %am = kiln.argmax %x {axis = 1} : tensor<2x3xf32> -> tensor<2xi64>
  %f = kiln.cast %am : tensor<2xi64> to tensor<2xf32>
  return %f : tensor<2xf32>
}

func.func @main() {
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %rows, %cols, %all = call @sums(%x) : (tensor<2x3xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>)
  %p0 = tensor.cast %rows : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%p0) : (tensor<*xf32>) -> ()
  // CHECK: [6,  15]
  %p1 = tensor.cast %cols : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%p1) : (tensor<*xf32>) -> ()
  // CHECK: [5,  7,  9]
  %p2 = tensor.cast %all : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%p2) : (tensor<*xf32>) -> ()
  // CHECK: [21]

  // Row-major order: ((1e8 + 1) + 1) - 1e8 loses the ones in f32, as the
  // kernel does (another order would give 2).
  %big = arith.constant dense<[1.0e8, 1.0, 1.0, -1.0e8]> : tensor<4xf32>
  %s = call @sum_all(%big) : (tensor<4xf32>) -> tensor<f32>
  %p3 = tensor.cast %s : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%p3) : (tensor<*xf32>) -> ()
  // CHECK: [0]

  %y = arith.constant dense<[[1.0, 7.0, 7.0], [0x7FC00000, 2.0, 0x7FC00000]]> : tensor<2x3xf32>
  %am = call @argmax(%y) : (tensor<2x3xf32>) -> tensor<2xf32>
  %pm = tensor.cast %am : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%pm) : (tensor<*xf32>) -> ()
  // CHECK: [1,  0]
  return
}
