// Random ops after the conversion draw exactly what the eager front end draws
// (frontend/kiln/random.cpp) from the same state: the expected bit patterns
// come from kiln::random_uniform / random_normal / truncated_normal with
// Generator(0x123456789abcdef, /*offset=*/7). The state is a function
// argument, so that the conversion cannot fold the draws with the eager kernels.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefI32(tensor<*xi32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @uniform(%s: tensor<2xi64>)
    -> (tensor<2x3xf32>, tensor<2xi64>, tensor<3xf64>, tensor<5xi32>, tensor<3xi64>) {
  %f32, %next = kiln.random_uniform %s {minval = -2.0, maxval = 3.0} : (tensor<2xi64>) -> (tensor<2x3xf32>, tensor<2xi64>)
  %f64, %s1 = kiln.random_uniform %s {minval = -2.0, maxval = 3.0} : (tensor<2xi64>) -> (tensor<3xf64>, tensor<2xi64>)
  %i32, %s2 = kiln.random_uniform %s {minval = -10.0, maxval = 10.0} : (tensor<2xi64>) -> (tensor<5xi32>, tensor<2xi64>)
  %i64, %s3 = kiln.random_uniform %s {minval = -1.0e15, maxval = 1.0e15} : (tensor<2xi64>) -> (tensor<3xi64>, tensor<2xi64>)
  return %f32, %next, %f64, %i32, %i64 : tensor<2x3xf32>, tensor<2xi64>, tensor<3xf64>, tensor<5xi32>, tensor<3xi64>
}

func.func @normal(%s: tensor<2xi64>)
    -> (tensor<5xf32>, tensor<3xf64>, tensor<5xf32>, tensor<6xf64>) {
  %n32, %s1 = kiln.random_normal %s {mean = 1.0, stddev = 2.0} : (tensor<2xi64>) -> (tensor<5xf32>, tensor<2xi64>)
  %n64, %s2 = kiln.random_normal %s {mean = 1.0, stddev = 2.0} : (tensor<2xi64>) -> (tensor<3xf64>, tensor<2xi64>)
  %t32, %s3 = kiln.truncated_normal %s {mean = 1.0, stddev = 2.0} : (tensor<2xi64>) -> (tensor<5xf32>, tensor<2xi64>)
  %t64, %s4 = kiln.truncated_normal %s {mean = 0.0, stddev = 1.0} : (tensor<2xi64>) -> (tensor<6xf64>, tensor<2xi64>)
  return %n32, %n64, %t32, %t64 : tensor<5xf32>, tensor<3xf64>, tensor<5xf32>, tensor<6xf64>
}

func.func @print32(%x: tensor<*xi32>) {
  call @printMemrefI32(%x) : (tensor<*xi32>) -> ()
  return
}
func.func @print64(%x: tensor<*xi64>) {
  call @printMemrefI64(%x) : (tensor<*xi64>) -> ()
  return
}

func.func @main() {
  %state = arith.constant dense<[81985529216486895, 7]> : tensor<2xi64>
  %f32, %next, %f64, %i32, %i64 = call @uniform(%state)
      : (tensor<2xi64>) -> (tensor<2x3xf32>, tensor<2xi64>, tensor<3xf64>, tensor<5xi32>, tensor<3xi64>)
  %f32b = arith.bitcast %f32 : tensor<2x3xf32> to tensor<2x3xi32>
  %p0 = tensor.cast %f32b : tensor<2x3xi32> to tensor<*xi32>
  call @print32(%p0) : (tensor<*xi32>) -> ()
  // CHECK:      [1061742332,   1070426532,   1075230308],
  // CHECK-NEXT: [-1096004292,   1075187718,   1059222688]
  // Six f32 elements use two blocks.
  %p1 = tensor.cast %next : tensor<2xi64> to tensor<*xi64>
  call @print64(%p1) : (tensor<*xi64>) -> ()
  // CHECK: [81985529216486895,  9]
  %f64b = arith.bitcast %f64 : tensor<3xf64> to tensor<3xi64>
  %p2 = tensor.cast %f64b : tensor<3xi64> to tensor<*xi64>
  call @print64(%p2) : (tensor<*xi64>) -> ()
  // CHECK: [4609906134847622768,  -4623638092964083300,  4603891118905165828]
  %p3 = tensor.cast %i32 : tensor<5xi32> to tensor<*xi32>
  call @print32(%p3) : (tensor<*xi32>) -> ()
  // CHECK: [4,  -4,  0,  -9,  7]
  %p4 = tensor.cast %i64 : tensor<3xi64> to tensor<*xi64>
  call @print64(%p4) : (tensor<*xi64>) -> ()
  // CHECK: [441914581487399,  -334610633146495,  53836923031576]

  %n32, %n64, %t32, %t64 = call @normal(%state)
      : (tensor<2xi64>) -> (tensor<5xf32>, tensor<3xf64>, tensor<5xf32>, tensor<6xf64>)
  %n32b = arith.bitcast %n32 : tensor<5xf32> to tensor<5xi32>
  %p5 = tensor.cast %n32b : tensor<5xi32> to tensor<*xi32>
  call @print32(%p5) : (tensor<*xi32>) -> ()
  // CHECK: [1058765310,  -1081057490,  1056227534,  1073007899,  -1120391377]
  %n64b = arith.bitcast %n64 : tensor<3xf64> to tensor<3xi64>
  %p6 = tensor.cast %n64b : tensor<3xi64> to tensor<*xi64>
  call @print64(%p6) : (tensor<*xi64>) -> ()
  // CHECK: [4603645563518182708,  -4615613586802006844,  4602283105656466078]
  %t32b = arith.bitcast %t32 : tensor<5xf32> to tensor<5xi32>
  %p7 = tensor.cast %t32b : tensor<5xi32> to tensor<*xi32>
  call @print32(%p7) : (tensor<*xi32>) -> ()
  // CHECK: [1067646552,  1074211809,  1078390521,  1043660264,  1078319788]
  %t64b = arith.bitcast %t64 : tensor<6xf64> to tensor<6xi64>
  %p8 = tensor.cast %t64b : tensor<6xi64> to tensor<*xi64>
  call @print64(%p8) : (tensor<*xi64>) -> ()
  // CHECK: [4594092922336650974,  4603183462213785376,  4607426369295960024,  -4622285238531555561,  4607388394512564189,  4589308464468789565]
  return
}
