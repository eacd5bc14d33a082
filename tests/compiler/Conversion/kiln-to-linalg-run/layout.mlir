// Data movement after the conversion: transpose, NumPy broadcast of a size-1
// axis, concat, slice, zero padding and a reshape that is neither a collapse
// nor an expansion. The kiln ops take function arguments, so that the
// conversion cannot fold them with the eager kernels.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @layout(%x: tensor<2x3xf32>, %z: tensor<2x1xf32>)
    -> (tensor<3x2xf32>, tensor<2x2x3xf32>, tensor<2x4xf32>, tensor<1x2xf32>, tensor<3x4xf32>,
        tensor<3x2xf32>) {
  %t = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %b = kiln.broadcast_to %z : tensor<2x1xf32> to tensor<2x2x3xf32>
  %c = kiln.concat %x, %z {axis = 1} : tensor<2x3xf32>, tensor<2x1xf32> -> tensor<2x4xf32>
  %s = kiln.slice %x {start = array<i64: 1, 1>} : tensor<2x3xf32> to tensor<1x2xf32>
  %p = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<3x4xf32>
  %r = kiln.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  return %t, %b, %c, %s, %p, %r : tensor<3x2xf32>, tensor<2x2x3xf32>, tensor<2x4xf32>,
      tensor<1x2xf32>, tensor<3x4xf32>, tensor<3x2xf32>
}

func.func @print(%x: tensor<*xf32>) {
  call @printMemrefF32(%x) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %z = arith.constant dense<[[7.0], [8.0]]> : tensor<2x1xf32>
  %t, %b, %c, %s, %p, %r = call @layout(%x, %z) : (tensor<2x3xf32>, tensor<2x1xf32>)
      -> (tensor<3x2xf32>, tensor<2x2x3xf32>, tensor<2x4xf32>, tensor<1x2xf32>, tensor<3x4xf32>,
          tensor<3x2xf32>)
  %t1 = tensor.cast %t : tensor<3x2xf32> to tensor<*xf32>
  call @print(%t1) : (tensor<*xf32>) -> ()
  // CHECK:      [1,   4],
  // CHECK-NEXT: [2,   5],
  // CHECK-NEXT: [3,   6]
  %bf = tensor.collapse_shape %b [[0, 1, 2]] : tensor<2x2x3xf32> into tensor<12xf32>
  %b1 = tensor.cast %bf : tensor<12xf32> to tensor<*xf32>
  call @print(%b1) : (tensor<*xf32>) -> ()
  // CHECK: [7,  7,  7,  8,  8,  8,  7,  7,  7,  8,  8,  8]
  %c1 = tensor.cast %c : tensor<2x4xf32> to tensor<*xf32>
  call @print(%c1) : (tensor<*xf32>) -> ()
  // CHECK:      [1,   2,   3,   7],
  // CHECK-NEXT: [4,   5,   6,   8]
  %s1 = tensor.cast %s : tensor<1x2xf32> to tensor<*xf32>
  call @print(%s1) : (tensor<*xf32>) -> ()
  // CHECK: {{\[\[}}5,   6]]
  %p1 = tensor.cast %p : tensor<3x4xf32> to tensor<*xf32>
  call @print(%p1) : (tensor<*xf32>) -> ()
  // CHECK:      [0,   0,   0,   0],
  // CHECK-NEXT: [1,   2,   3,   0],
  // CHECK-NEXT: [4,   5,   6,   0]
  %r1 = tensor.cast %r : tensor<3x2xf32> to tensor<*xf32>
  call @print(%r1) : (tensor<*xf32>) -> ()
  // CHECK:      [1,   2],
  // CHECK-NEXT: [3,   4],
  // CHECK-NEXT: [5,   6]
  return
}
