// top_k after the conversion, run: rows sorted descending, equal values in index
// order, NaN above every number, integers, and k equal to the row length. The
// expected numbers are worked out by hand from the inputs.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @top_k(%x: tensor<3x5xf32>) -> (tensor<3x3xf32>, tensor<3x3xi64>) {
  %v, %i = kiln.top_k %x {k = 3} : tensor<3x5xf32> -> tensor<3x3xf32>, tensor<3x3xi64>
  return %v, %i : tensor<3x3xf32>, tensor<3x3xi64>
}

func.func @top_k_int(%x: tensor<6xi64>) -> (tensor<6xi64>, tensor<6xi64>) {
  %v, %i = kiln.top_k %x {k = 6} : tensor<6xi64> -> tensor<6xi64>, tensor<6xi64>
  return %v, %i : tensor<6xi64>, tensor<6xi64>
}

func.func @main() {
  %nan = arith.constant 0x7FC00000 : f32
  %c = arith.constant dense<[[1.0, 4.0, 2.0, 4.0, 0.5],
                             [-1.0, 0.0, 7.0, 0.0, 0.0],
                             [3.0, 0.0, 0.0, 0.0, 5.0]]> : tensor<3x5xf32>
  // Row 2 becomes [3, NaN, 0, NaN, 5].
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %n1 = tensor.insert %nan into %c[%c2, %c1] : tensor<3x5xf32>
  %x = tensor.insert %nan into %n1[%c2, %c3] : tensor<3x5xf32>
  %v, %i = call @top_k(%x) : (tensor<3x5xf32>) -> (tensor<3x3xf32>, tensor<3x3xi64>)
  %vu = tensor.cast %v : tensor<3x3xf32> to tensor<*xf32>
  %iu = tensor.cast %i : tensor<3x3xi64> to tensor<*xi64>
  // CHECK: [4, 4, 2]
  // CHECK-NEXT: [7, 0, 0]
  // CHECK-NEXT: [nan, nan, 5]
  call @printMemrefF32(%vu) : (tensor<*xf32>) -> ()
  // CHECK: [1, 3, 2]
  // CHECK-NEXT: [2, 1, 3]
  // CHECK-NEXT: [1, 3, 4]
  call @printMemrefI64(%iu) : (tensor<*xi64>) -> ()

  %y = arith.constant dense<[5, -1, 5, 7, 0, 7]> : tensor<6xi64>
  %w, %j = call @top_k_int(%y) : (tensor<6xi64>) -> (tensor<6xi64>, tensor<6xi64>)
  %wu = tensor.cast %w : tensor<6xi64> to tensor<*xi64>
  %ju = tensor.cast %j : tensor<6xi64> to tensor<*xi64>
  // CHECK: [7, 7, 5, 5, 0, -1]
  call @printMemrefI64(%wu) : (tensor<*xi64>) -> ()
  // CHECK: [3, 5, 0, 2, 4, 1]
  call @printMemrefI64(%ju) : (tensor<*xi64>) -> ()
  return
}
