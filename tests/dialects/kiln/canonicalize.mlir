// One function per canonicalization of kiln ops (patterns and identity folds).
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]] : tensor<2x3xf32> to tensor<3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  %1 = kiln.reshape %0 : tensor<6xf32> to tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @reshape_to_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_to_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A chain of reshapes back to the original type disappears.
// CHECK-LABEL: func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  %1 = kiln.reshape %0 : tensor<6xf32> to tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = kiln.transpose %[[X]] {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = kiln.transpose %0 {permutation = array<i64: 1, 2, 0>} : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_of_transpose_is_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_of_transpose_is_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.transpose %0 {permutation = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.transpose %x {permutation = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @broadcast_to_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @broadcast_to_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.broadcast_to %x : tensor<2x3xf32> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @cast_to_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]]
func.func @cast_to_same_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.cast %x : tensor<4xi32> to tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func @neg_of_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @neg_of_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.neg %x : tensor<4xf32>
  %1 = kiln.neg %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @add_integer_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_integer_zero(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %zero = kiln.constant dense<0> : tensor<4xi32>
  %0 = kiln.add %x, %zero : tensor<4xi32>
  %1 = kiln.add %zero, %x : tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// Not for floats: -0.0 + 0.0 is +0.0, not -0.0.
// CHECK-LABEL: func @add_float_zero_is_kept
// CHECK: kiln.add
func.func @add_float_zero_is_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.add %x, %zero : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @mul_integer_one
// CHECK-SAME: (%[[X:.*]]: tensor<2x2xi64>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @mul_integer_one(%x: tensor<2x2xi64>) -> (tensor<2x2xi64>, tensor<2x2xi64>) {
  %one = kiln.constant dense<1> : tensor<2x2xi64>
  %0 = kiln.mul %x, %one : tensor<2x2xi64>
  %1 = kiln.mul %one, %x : tensor<2x2xi64>
  return %0, %1 : tensor<2x2xi64>, tensor<2x2xi64>
}

// -----

// Not for floats: x * 1.0 quiets a signalling NaN.
// CHECK-LABEL: func @mul_float_one_is_kept
// CHECK: kiln.mul
func.func @mul_float_one_is_kept(%x: tensor<4xf64>) -> tensor<4xf64> {
  %one = kiln.constant dense<1.0> : tensor<4xf64>
  %0 = kiln.mul %x, %one : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func @select_constant_condition
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @select_constant_condition(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>) {
  %t = kiln.constant dense<true> : tensor<4xi1>
  %f = kiln.constant dense<false> : tensor<4xi1>
  %0 = kiln.select %t, %a, %b : tensor<4xi1>, tensor<4xf32>
  %1 = kiln.select %f, %a, %b : tensor<4xi1>, tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @select_same_values
// CHECK-SAME: (%{{.*}}: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[A]]
func.func @select_same_values(%c: tensor<4xi1>, %a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.select %c, %a, %a : tensor<4xi1>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @concat_of_one
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @concat_of_one(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.concat %x {axis = 1} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reduce_over_no_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reduce_over_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reduce_sum %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @slice_everything_and_pad_nothing
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @slice_everything_and_pad_nothing(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.slice %x {start = array<i64: 0, 0>} : tensor<2x3xf32> to tensor<2x3xf32>
  %1 = kiln.pad %x {low = array<i64: 0, 0>, high = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @loop_without_iterations
// CHECK-SAME: (%[[X:.*]]: tensor<f32>)
// CHECK-NEXT: return %[[X]]
func.func @loop_without_iterations(%x: tensor<f32>) -> tensor<f32> {
  %r = kiln.loop (%i) = 7 to 7 iter_args(%a = %x) -> (tensor<f32>) {
    %b = kiln.exp %a : tensor<f32>
    kiln.yield %b : tensor<f32>
  }
  return %r : tensor<f32>
}

// -----

// A loop that runs is kept, with its body canonicalized.
// CHECK-LABEL: func @loop_body_is_canonicalized
// CHECK: kiln.loop (%{{.*}}) = 0 to 3 iter_args(%[[A:.*]] = %{{.*}}) -> (tensor<f32>) {
// CHECK-NEXT: %[[B:.*]] = kiln.exp %[[A]]
// CHECK-NEXT: kiln.yield %[[B]]
func.func @loop_body_is_canonicalized(%x: tensor<f32>) -> tensor<f32> {
  %r = kiln.loop (%i) = 0 to 3 iter_args(%a = %x) -> (tensor<f32>) {
    %n = kiln.neg %a : tensor<f32>
    %m = kiln.neg %n : tensor<f32>
    %b = kiln.exp %m : tensor<f32>
    kiln.yield %b : tensor<f32>
  }
  return %r : tensor<f32>
}
