// matmul after the conversion: a 2-d product and a batched one whose batch
// dimensions are collapsed and expanded again. The kiln ops take function
// arguments, so that the conversion cannot fold them with the eager kernels.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)

func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %c = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
  return %c : tensor<2x2xf32>
}

func.func @batched(%x: tensor<2x1x1x2xi32>, %y: tensor<2x1x2x1xi32>) -> tensor<2xi32> {
  %z = kiln.matmul %x, %y : tensor<2x1x1x2xi32>, tensor<2x1x2x1xi32> -> tensor<2x1x1x1xi32>
  %flat = kiln.reshape %z : tensor<2x1x1x1xi32> to tensor<2xi32>
  return %flat : tensor<2xi32>
}

func.func @main() {
  %a = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %c = call @matmul(%a, %b) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %p0 = tensor.cast %c : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%p0) : (tensor<*xf32>) -> ()
  // CHECK:      [4,   5],
  // CHECK-NEXT: [10,   11]

  // [2, 1] batches of 1x2 by 2x1 in i32 (wrapping).
  %x = arith.constant dense<[[[[1, 2]]], [[[3, 4]]]]> : tensor<2x1x1x2xi32>
  %y = arith.constant dense<[[[[5], [6]]], [[[2147483647], [1]]]]> : tensor<2x1x2x1xi32>
  %z = call @batched(%x, %y) : (tensor<2x1x1x2xi32>, tensor<2x1x2x1xi32>) -> tensor<2xi32>
  %p1 = tensor.cast %z : tensor<2xi32> to tensor<*xi32>
  call @printMemrefI32(%p1) : (tensor<*xi32>) -> ()
  // 1*5 + 2*6 = 17; 3 * (2^31 - 1) + 4 * 1 = 2^32 + 2^31 + 1 wraps to -(2^31 - 1).
  // CHECK: [17,  -2147483647]
  return
}
