// Malformed input: garbage, truncated IR, unknown ops, wrong attribute kinds.
// kiln-opt must reject each chunk with a diagnostic and a non-zero exit, and
// never crash (`not` fails on a crash, and so does an abort under the
// sanitizers).
// RUN: not kiln-opt %s -split-input-file 2>&1 | FileCheck %s

// CHECK: error: custom op 'this' is unknown
this is not MLIR at all

// -----

// CHECK: error: expected SSA operand
func.func @truncated_operands(%a: tensor<f32>) {
  %0 = kiln.add %a,

// -----

// CHECK: error: expected '>' in tensor type
func.func @truncated_type(%a: tensor<4xf32) {
  return
}

// -----

// CHECK: error: custom op 'kiln.frobnicate' is unknown
func.func @unknown_op(%a: tensor<f32>) {
  %0 = kiln.frobnicate %a : tensor<f32>
  return
}

// -----

// CHECK: error: unregistered operation 'kiln.frobnicate' found in dialect ('kiln') that does not allow unknown operations
func.func @unknown_generic_op(%a: tensor<f32>) {
  %0 = "kiln.frobnicate"(%a) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// CHECK: error: custom op 'kiln.compare' unknown comparison predicate 'lessthan' (expected eq, ne, lt, le, gt or ge)
func.func @unknown_predicate(%a: tensor<f32>) {
  %0 = kiln.compare lessthan, %a, %a : tensor<f32>
  return
}

// -----

// CHECK: error: {{.*}}'kiln.argmax' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute
func.func @string_axis(%a: tensor<4xf32>) {
  %0 = kiln.argmax %a {axis = "zero"} : tensor<4xf32> -> tensor<i64>
  return
}

// -----

// CHECK: error: {{.*}}'kiln.reduce_sum' op attribute 'axes' failed to satisfy constraint: i64 dense array attribute
func.func @i32_axes(%a: tensor<4xf32>) {
  %0 = kiln.reduce_sum %a {axes = array<i32: 0>} : tensor<4xf32> -> tensor<f32>
  return
}

// -----

// CHECK: error: 'kiln.transpose' op requires attribute 'permutation'
func.func @missing_attribute(%a: tensor<2x3xf32>) {
  %0 = kiln.transpose %a : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

// CHECK: error: {{.*}}'kiln.random_uniform' op attribute 'minval' failed to satisfy constraint: 64-bit float attribute
func.func @integer_minval(%s: tensor<2xi64>) {
  %v, %s2 = kiln.random_uniform %s {minval = 0 : i64, maxval = 1.0} : (tensor<2xi64>) -> (tensor<4xf32>, tensor<2xi64>)
  return
}

// -----

// CHECK: error: custom op 'kiln.constant' invalid kind of attribute specified
func.func @scalar_constant() {
  %0 = kiln.constant 1.0 : f32
  return
}

// -----

// CHECK: error: inferred shape of elements literal ([2]) does not match type ([3])
func.func @constant_wrong_count() {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<3xf32>
  return
}

// -----

// CHECK: error: 'kiln.compare' op expects a ranked tensor lhs, got 'f32'
func.func @compare_scalars(%a: f32) {
  %0 = kiln.compare lt, %a, %a : f32
  return
}

// -----

// CHECK: error: custom op 'kiln.neg' invalid kind of type specified
func.func @scalar_operand(%a: f32) {
  %0 = kiln.neg %a : f32
  return
}

// -----

// CHECK: error: use of undeclared SSA value name
func.func @undefined_value() {
  %0 = kiln.neg %nowhere : tensor<f32>
  return
}

// -----

// CHECK: error: use of value '%a' expects different type than prior uses: 'tensor<3xf32>' vs 'tensor<4xf32>'
func.func @value_type_mismatch(%a: tensor<4xf32>) {
  %0 = kiln.neg %a : tensor<3xf32>
  return
}

// -----

// CHECK: error: 'kiln.add' op expected 2 operands, but found 1
func.func @wrong_operand_count(%a: tensor<f32>) {
  %0 = "kiln.add"(%a) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// CHECK: error: 'kiln.neg' op requires zero regions
func.func @unexpected_region(%a: tensor<f32>) {
  %0 = "kiln.neg"(%a) ({
  }) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// CHECK: error: 'kiln.loop' op region #0 ('body') failed to verify constraint: region with 1 blocks
func.func @loop_without_body() {
  "kiln.loop"() <{lower_bound = 0 : i64, upper_bound = 1 : i64}> ({
  }) : () -> ()
  return
}

// -----

// CHECK: error: custom op 'kiln.loop' expected integer value
func.func @loop_float_bound() {
  kiln.loop (%i) = 0.5 to 3 {
    kiln.yield
  }
  return
}

// -----

// CHECK: error: custom op 'kiln.loop' integer value too large
func.func @loop_huge_bound() {
  kiln.loop (%i) = 0 to 99999999999999999999 {
    kiln.yield
  }
  return
}

// -----

// CHECK: error: custom op 'kiln.loop' iter_args has 1 values but 2 types
func.func @loop_types_count(%x: tensor<f32>) {
  %r:2 = kiln.loop (%i) = 0 to 3 iter_args(%a = %x) -> (tensor<f32>, tensor<f32>) {
    kiln.yield %a, %a : tensor<f32>, tensor<f32>
  }
  return
}

// -----

// CHECK: error: expected '{' to begin a region
func.func @loop_truncated(%x: tensor<f32>) {
  %r = kiln.loop (%i) = 0 to 3 iter_args(%a = %x) -> (tensor<f32>)

// -----

// CHECK: error: expected operation name in quotes
func.func @unterminated_body(%x: tensor<f32>) {
  %r = kiln.loop (%i) = 0 to 3 iter_args(%a = %x) -> (tensor<f32>) {
    kiln.yield %a : tensor<f32>

// -----

// CHECK: error: 'func.func' op arguments may only have dialect attributes
func.func @variable_without_dialect(%w: tensor<f32> {variable = "huber/w"}) {
  return
}
