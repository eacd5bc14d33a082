// kiln.loop after the conversion: carried values and the induction variable
// as a tensor<i64>; sum of i for i in [2, 5) plus the initial 0.5.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %x = kiln.constant dense<0.5> : tensor<f32>
  %n = kiln.constant dense<0.0> : tensor<f32>
  %r:2 = kiln.loop (%i) = 2 to 5 iter_args(%a = %x, %c = %n) -> (tensor<f32>, tensor<f32>) {
    %f = kiln.cast %i : tensor<i64> to tensor<f32>
    %a2 = kiln.add %a, %f : tensor<f32>
    %one = kiln.constant dense<1.0> : tensor<f32>
    %c2 = kiln.add %c, %one : tensor<f32>
    kiln.yield %a2, %c2 : tensor<f32>, tensor<f32>
  }
  %p0 = tensor.cast %r#0 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%p0) : (tensor<*xf32>) -> ()
  // CHECK: [9.5]
  %p1 = tensor.cast %r#1 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%p1) : (tensor<*xf32>) -> ()
  // CHECK: [3]
  return
}
