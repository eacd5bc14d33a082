// One case per verifier rule of the kiln dialect. Cases whose types the custom
// syntax cannot express (it prints one type for values that must match) use the
// generic form.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// Types: static shapes of f32, f64, i32, i64 or i1 only.
func.func @dynamic_shape(%x: tensor<?xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<?xf32>'}}
  %0 = kiln.neg %x : tensor<?xf32>
  return
}

// -----

func.func @unsupported_element_type(%x: tensor<4xi8>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of}}
  %0 = kiln.abs %x : tensor<4xi8>
  return
}

// -----

func.func @tensor_with_encoding(%x: tensor<4xf32, "enc">) {
  // expected-error @+1 {{but got 'tensor<4xf32, "enc">'}}
  %0 = kiln.exp %x : tensor<4xf32, "enc">
  return
}

// -----

func.func @constant_element_type() {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<2xi8>'}}
  %0 = kiln.constant dense<1> : tensor<2xi8>
  return
}

// -----

func.func @constant_type_mismatch() {
  // expected-error @+2 {{'kiln.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "kiln.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

// Unary ops.
func.func @float_op_on_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.exp %x : tensor<4xi32>
  return
}

// -----

func.func @numeric_op_on_bools(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = kiln.neg %x : tensor<4xi1>
  return
}

// -----

func.func @not_on_floats(%x: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.not %x : tensor<4xf32>
  return
}

// -----

func.func @unary_result_type(%x: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.tanh' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "kiln.tanh"(%x) : (tensor<4xf32>) -> tensor<3xf32>
  return
}

// -----

// Binary ops.
func.func @binary_operand_types(%a: tensor<4xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{'kiln.add' op lhs and rhs must have one type (kiln never broadcasts implicitly; use kiln.broadcast_to or kiln.cast), got 'tensor<4xf32>' and 'tensor<1xf32>'}}
  %0 = "kiln.add"(%a, %b) : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @binary_element_types(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{got 'tensor<4xf32>' and 'tensor<4xf64>'}}
  %0 = "kiln.mul"(%a, %b) : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @binary_result_type(%a: tensor<4xi32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{'kiln.sub' op inferred type(s) 'tensor<4xi32>' are incompatible with return type(s) of operation 'tensor<4xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "kiln.sub"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi64>
  return
}

// -----

func.func @logical_on_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = kiln.and %a, %a : tensor<4xi32>
  return
}

// -----

// Compare, select, cast.
func.func @compare_operand_types(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.compare' op lhs and rhs must have one type}}
  %0 = "kiln.compare"(%a, %b) <{predicate = #kiln<compare_predicate lt>}> : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return
}

// -----

func.func @compare_result_type(%a: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.compare' op inferred type(s) 'tensor<4xi1>' are incompatible with return type(s) of operation 'tensor<2x2xi1>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "kiln.compare"(%a, %a) <{predicate = #kiln<compare_predicate ge>}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<2x2xi1>
  return
}

// -----

func.func @select_condition_shape(%c: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.select' op condition 'tensor<3xi1>' must have the shape of the values 'tensor<4xf32>'}}
  %0 = kiln.select %c, %a, %a : tensor<3xi1>, tensor<4xf32>
  return
}

// -----

func.func @select_condition_type(%c: tensor<4xi32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = kiln.select %c, %a, %a : tensor<4xi32>, tensor<4xf32>
  return
}

// -----

func.func @select_value_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.select' op true_value and false_value must have one type}}
  %0 = "kiln.select"(%c, %a, %b) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op cannot change the shape: 'tensor<4xf32>' to 'tensor<2x2xi32>' (use kiln.reshape)}}
  %0 = kiln.cast %x : tensor<4xf32> to tensor<2x2xi32>
  return
}

// -----

// Reductions.
func.func @reduce_axis_out_of_range(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.reduce_sum' op axis 2 is out of range [0, 2) for input 'tensor<4x3xf32>'}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2>} : tensor<4x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @reduce_negative_axis(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.reduce_max' op axis -1 is out of range [0, 2)}}
  %0 = kiln.reduce_max %x {axes = array<i64: -1>} : tensor<4x3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_axes_unsorted(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.reduce_min' op axes [1, 0] must be sorted and unique}}
  %0 = kiln.reduce_min %x {axes = array<i64: 1, 0>} : tensor<4x3xf32> -> tensor<f32>
  return
}

// -----

func.func @reduce_axes_repeated(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.reduce_sum' op axes [1, 1] must be sorted and unique}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1, 1>} : tensor<4x3xf32> -> tensor<4xf32>
  return
}

// -----

func.func @reduce_result_type(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.reduce_sum' op result type 'tensor<4x1xf32>' should be 'tensor<4xf32>' (the input with axes [1] dropped)}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<4x3xf32> -> tensor<4x1xf32>
  return
}

// -----

func.func @reduce_bools(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 0>} : tensor<4xi1> -> tensor<i1>
  return
}

// -----

func.func @argmax_axis_out_of_range(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.argmax' op axis -1 is out of range [0, 2) for input 'tensor<4x3xf32>'}}
  %0 = kiln.argmax %x {axis = -1} : tensor<4x3xf32> -> tensor<4xi64>
  return
}

// -----

func.func @argmax_empty_axis(%x: tensor<4x0xf32>) {
  // expected-error @+1 {{'kiln.argmax' op cannot take argmax over an empty axis: axis 1 of 'tensor<4x0xf32>' has size 0}}
  %0 = kiln.argmax %x {axis = 1} : tensor<4x0xf32> -> tensor<4xi64>
  return
}

// -----

func.func @argmax_result_shape(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.argmax' op result type 'tensor<3xi64>' should be 'tensor<4xi64>' (i64 indices, the input with axis 1 dropped)}}
  %0 = kiln.argmax %x {axis = 1} : tensor<4x3xf32> -> tensor<3xi64>
  return
}

// -----

func.func @argmax_result_element_type(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 64-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = kiln.argmax %x {axis = 1} : tensor<4x3xf32> -> tensor<4xi32>
  return
}

// -----

// top_k.
func.func @top_k_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.top_k' op needs an input of rank >= 1, got 'tensor<f32>'}}
  %0:2 = kiln.top_k %x {k = 1} : tensor<f32> -> tensor<1xf32>, tensor<1xi64>
  return
}

// -----

func.func @top_k_k_too_large(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.top_k' op k = 4 is not in [1, 3] (the size of the last axis of 'tensor<4x3xf32>')}}
  %0:2 = kiln.top_k %x {k = 4} : tensor<4x3xf32> -> tensor<4x4xf32>, tensor<4x4xi64>
  return
}

// -----

func.func @top_k_k_zero(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.top_k' op k = 0 is not in [1, 3] (the size of the last axis of 'tensor<4x3xf32>')}}
  %0:2 = kiln.top_k %x {k = 0} : tensor<4x3xf32> -> tensor<4x0xf32>, tensor<4x0xi64>
  return
}

// -----

func.func @top_k_values_shape(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.top_k' op values type 'tensor<4x3xf32>' should be 'tensor<4x2xf32>' (the input's element type, the last axis of size k)}}
  %0:2 = kiln.top_k %x {k = 2} : tensor<4x3xf32> -> tensor<4x3xf32>, tensor<4x2xi64>
  return
}

// -----

func.func @top_k_values_element_type(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.top_k' op values type 'tensor<4x2xf64>' should be 'tensor<4x2xf32>' (the input's element type, the last axis of size k)}}
  %0:2 = kiln.top_k %x {k = 2} : tensor<4x3xf32> -> tensor<4x2xf64>, tensor<4x2xi64>
  return
}

// -----

func.func @top_k_indices_shape(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.top_k' op indices type 'tensor<2x4xi64>' should be 'tensor<4x2xi64>' (i64, the last axis of size k)}}
  %0:2 = kiln.top_k %x {k = 2} : tensor<4x3xf32> -> tensor<4x2xf32>, tensor<2x4xi64>
  return
}

// -----

func.func @top_k_indices_element_type(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{result #1 must be statically shaped tensor of 64-bit signless integer values, but got 'tensor<4x2xi32>'}}
  %0:2 = kiln.top_k %x {k = 2} : tensor<4x3xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// Matmul.
func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.matmul' op operands must have rank >= 2, got 'tensor<3xf32>' and 'tensor<3x2xf32>'}}
  %0 = kiln.matmul %a, %b : tensor<3xf32>, tensor<3x2xf32> -> tensor<2xf32>
  return
}

// -----

func.func @matmul_ranks_differ(%a: tensor<5x2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.matmul' op operands must have the same rank (batch dimensions are broadcast by the tracer), got rank 3 ('tensor<5x2x3xf32>') and rank 2 ('tensor<3x4xf32>')}}
  %0 = kiln.matmul %a, %b : tensor<5x2x3xf32>, tensor<3x4xf32> -> tensor<5x2x4xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<5x2x3xf32>, %b: tensor<1x3x4xf32>) {
  // expected-error @+1 {{'kiln.matmul' op batch dimensions differ: [5] vs [1]}}
  %0 = kiln.matmul %a, %b : tensor<5x2x3xf32>, tensor<1x3x4xf32> -> tensor<5x2x4xf32>
  return
}

// -----

func.func @matmul_contracting(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.matmul' op contracting dimensions differ: lhs 'tensor<2x3xf32>' has K = 3 but rhs 'tensor<4x5xf32>' has K = 4}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf64>) {
  // expected-error @+1 {{'kiln.matmul' op element types differ: 'f32' vs 'f64'}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf64> -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.matmul' op result type 'tensor<4x2xf32>' should be 'tensor<2x4xf32>' ([B..., M, K] x [B..., K, N] -> [B..., M, N])}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @matmul_bools(%a: tensor<2x2xi1>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.matmul %a, %a : tensor<2x2xi1>, tensor<2x2xi1> -> tensor<2x2xi1>
  return
}

// -----

// Reshape, transpose, broadcast_to.
func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<4xf32>' (4 elements)}}
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<4xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot change the element type: 'tensor<2x3xf32>' to 'tensor<6xi32>' (use kiln.cast)}}
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<6xi32>
  return
}

// -----

func.func @reshape_overflow(%x: tensor<4611686018427387904x4xf32>) {
  // expected-error @+1 {{'kiln.reshape' op element count of 'tensor<4611686018427387904x4xf32>' or 'tensor<1xf32>' overflows int64}}
  %0 = kiln.reshape %x : tensor<4611686018427387904x4xf32> to tensor<1xf32>
  return
}

// -----

func.func @transpose_length(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op permutation [0] has 1 entries but the input 'tensor<2x3xf32>' has rank 2}}
  %0 = kiln.transpose %x {permutation = array<i64: 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op permutation [1, 1] is not a permutation of [0, 2)}}
  %0 = kiln.transpose %x {permutation = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @transpose_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op permutation [0, 2] is not a permutation of [0, 2)}}
  %0 = kiln.transpose %x {permutation = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.transpose' op result type 'tensor<2x3xf32>' should be 'tensor<3x2xf32>' (result.shape[i] = input.shape[permutation[i]])}}
  %0 = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @broadcast_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot broadcast 'tensor<2x3xf32>' to 'tensor<3xf32>': rank 2 > rank 1}}
  %0 = kiln.broadcast_to %x : tensor<2x3xf32> to tensor<3xf32>
  return
}

// -----

func.func @broadcast_dimension(%x: tensor<3x2xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot broadcast 'tensor<3x2xf32>' to 'tensor<5x3x4xf32>': dimension 1 of the input has size 2 but must be 1 or 4 (dimension 2 of the result)}}
  %0 = kiln.broadcast_to %x : tensor<3x2xf32> to tensor<5x3x4xf32>
  return
}

// -----

func.func @broadcast_element_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot change the element type: 'tensor<3xf32>' to 'tensor<2x3xf64>'}}
  %0 = kiln.broadcast_to %x : tensor<3xf32> to tensor<2x3xf64>
  return
}

// -----

// Concat.
func.func @concat_no_inputs() {
  // expected-error @+1 {{'kiln.concat' op needs at least one input}}
  %0 = "kiln.concat"() <{axis = 0 : i64}> : () -> tensor<0xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.concat' op axis 2 is out of range [0, 2) for input #0 'tensor<2x3xf32>'}}
  %0 = kiln.concat %a, %a {axis = 2} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_scalars(%a: tensor<f32>) {
  // expected-error @+1 {{'kiln.concat' op axis 0 is out of range [0, 0) for input #0 'tensor<f32>'}}
  %0 = kiln.concat %a, %a {axis = 0} : tensor<f32>, tensor<f32> -> tensor<2xf32>
  return
}

// -----

func.func @concat_ranks(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.concat' op input #1 'tensor<3xf32>' has rank 1 but input #0 'tensor<2x3xf32>' has rank 2}}
  %0 = kiln.concat %a, %b {axis = 0} : tensor<2x3xf32>, tensor<3xf32> -> tensor<5x3xf32>
  return
}

// -----

func.func @concat_other_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'kiln.concat' op input #1 'tensor<2x4xf32>' differs from input #0 'tensor<2x3xf32>' in dimension 1 (only axis 0 may differ)}}
  %0 = kiln.concat %a, %b {axis = 0} : tensor<2x3xf32>, tensor<2x4xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_element_types(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{'kiln.concat' op input #1 has element type 'i32' but input #0 has 'f32'}}
  %0 = kiln.concat %a, %b {axis = 0} : tensor<2xf32>, tensor<2xi32> -> tensor<4xf32>
  return
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.concat' op result type 'tensor<5x3xf32>' should be 'tensor<6x3xf32>' (the inputs joined along axis 0)}}
  %0 = kiln.concat %a, %b {axis = 0} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
  return
}

// -----

// Slice and pad.
func.func @slice_start_length(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.slice' op start [1] has 1 entries but the input 'tensor<4x3xf32>' has rank 2}}
  %0 = kiln.slice %x {start = array<i64: 1>} : tensor<4x3xf32> to tensor<2x3xf32>
  return
}

// -----

func.func @slice_negative_start(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.slice' op slice of 'tensor<2x3xf32>' at start [-1, 0] is out of bounds of 'tensor<4x3xf32>' in dimension 0}}
  %0 = kiln.slice %x {start = array<i64: -1, 0>} : tensor<4x3xf32> to tensor<2x3xf32>
  return
}

// -----

func.func @slice_past_the_end(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.slice' op slice of 'tensor<2x2xf32>' at start [0, 2] is out of bounds of 'tensor<4x3xf32>' in dimension 1}}
  %0 = kiln.slice %x {start = array<i64: 0, 2>} : tensor<4x3xf32> to tensor<2x2xf32>
  return
}

// -----

func.func @slice_rank(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.slice' op result 'tensor<6xf32>' must have the input's rank 2}}
  %0 = kiln.slice %x {start = array<i64: 0, 0>} : tensor<4x3xf32> to tensor<6xf32>
  return
}

// -----

func.func @slice_element_type(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.slice' op cannot change the element type: 'tensor<4x3xf32>' to 'tensor<2x3xi32>'}}
  %0 = kiln.slice %x {start = array<i64: 0, 0>} : tensor<4x3xf32> to tensor<2x3xi32>
  return
}

// -----

func.func @pad_lengths(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.pad' op low [1] and high [0, 2] must each have 2 entries for input 'tensor<2x3xf32>'}}
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.pad' op padding must be non-negative, got low [-1, 0] high [0, 0]}}
  %0 = kiln.pad %x {low = array<i64: -1, 0>, high = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<1x3xf32>
  return
}

// -----

func.func @pad_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.pad' op result type 'tensor<3x3xf32>' should be 'tensor<3x5xf32>' (the input's shape plus low and high)}}
  %0 = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

// Gather and scatter-add.
func.func @gather_scalar_params(%p: tensor<f32>, %i: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.gather' op params must have rank >= 1, got 'tensor<f32>'}}
  %0 = kiln.gather %p, %i : tensor<f32>, tensor<3xi32> -> tensor<3xf32>
  return
}

// -----

func.func @gather_float_indices(%p: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = kiln.gather %p, %i : tensor<10x4xf32>, tensor<3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_result(%p: tensor<10x4xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{'kiln.gather' op result type 'tensor<2x3xf32>' should be 'tensor<2x3x4xf32>' (indices.shape ++ params.shape[1:])}}
  %0 = kiln.gather %p, %i : tensor<10x4xf32>, tensor<2x3xi64> -> tensor<2x3xf32>
  return
}

// -----

func.func @scatter_add_updates(%x: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x5xf32>) {
  // expected-error @+1 {{'kiln.scatter_add' op updates 'tensor<3x5xf32>' should be 'tensor<3x4xf32>' (indices.shape ++ input.shape[1:])}}
  %0 = kiln.scatter_add %x, %i, %u : tensor<10x4xf32>, tensor<3xi64>, tensor<3x5xf32>
  return
}

// -----

func.func @scatter_add_scalar_input(%x: tensor<f32>, %i: tensor<3xi64>, %u: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.scatter_add' op input must have rank >= 1, got 'tensor<f32>'}}
  %0 = kiln.scatter_add %x, %i, %u : tensor<f32>, tensor<3xi64>, tensor<3xf32>
  return
}

// -----

func.func @scatter_add_result(%x: tensor<10xf32>, %i: tensor<3xi64>, %u: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.scatter_add' op inferred type(s) 'tensor<10xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "kiln.scatter_add"(%x, %i, %u) : (tensor<10xf32>, tensor<3xi64>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Iota and random numbers.
func.func @iota_dimension() {
  // expected-error @+1 {{'kiln.iota' op dimension 2 is out of range [0, 2) for 'tensor<2x3xi64>'}}
  %0 = kiln.iota {dimension = 2} : tensor<2x3xi64>
  return
}

// -----

func.func @iota_bools() {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xi1>'}}
  %0 = kiln.iota {dimension = 0} : tensor<3xi1>
  return
}

// -----

func.func @uniform_range(%s: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.random_uniform' op needs minval < maxval, got [1.000000e+00, 1.000000e+00)}}
  %v, %s2 = kiln.random_uniform %s {minval = 1.0, maxval = 1.0} : (tensor<2xi64>) -> (tensor<4xf32>, tensor<2xi64>)
  return
}

// -----

func.func @random_state_type(%s: tensor<3xi64>) {
  // expected-error @+1 {{operand #0 must be generator state tensor<2xi64> ([seed, offset]), but got 'tensor<3xi64>'}}
  %v, %s2 = kiln.random_normal %s {mean = 0.0, stddev = 1.0} : (tensor<3xi64>) -> (tensor<4xf32>, tensor<2xi64>)
  return
}

// -----

func.func @random_new_state_type(%s: tensor<2xi64>) {
  // expected-error @+1 {{result #1 must be generator state tensor<2xi64> ([seed, offset]), but got 'tensor<2xi32>'}}
  %v, %s2 = kiln.truncated_normal %s {mean = 0.0, stddev = 1.0} : (tensor<2xi64>) -> (tensor<4xf32>, tensor<2xi32>)
  return
}

// -----

func.func @normal_of_integers(%s: tensor<2xi64>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %v, %s2 = kiln.random_normal %s {mean = 0.0, stddev = 1.0} : (tensor<2xi64>) -> (tensor<4xi32>, tensor<2xi64>)
  return
}

// -----

// Loops.
func.func @loop_bounds() {
  // expected-error @+1 {{'kiln.loop' op lower bound 5 is greater than upper bound 3}}
  kiln.loop (%i) = 5 to 3 {
    kiln.yield
  }
  return
}

// -----

func.func @loop_block_arguments(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.loop' op body has 1 block arguments but needs 2 (the induction variable and one per iter_arg)}}
  %r = "kiln.loop"(%x) <{lower_bound = 0 : i64, upper_bound = 4 : i64}> ({
  ^bb0(%i: tensor<i64>):
    "kiln.yield"(%x) : (tensor<f32>) -> ()
  }) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @loop_induction_variable_type(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.loop' op induction variable has type 'tensor<i32>', expected 'tensor<i64>'}}
  %r = "kiln.loop"(%x) <{lower_bound = 0 : i64, upper_bound = 4 : i64}> ({
  ^bb0(%i: tensor<i32>, %a: tensor<f32>):
    "kiln.yield"(%a) : (tensor<f32>) -> ()
  }) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @loop_iter_arg_type(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.loop' op iter_arg #0 has type 'tensor<f64>' but its initial value has type 'tensor<f32>'}}
  %r = "kiln.loop"(%x) <{lower_bound = 0 : i64, upper_bound = 4 : i64}> ({
  ^bb0(%i: tensor<i64>, %a: tensor<f64>):
    "kiln.yield"(%x) : (tensor<f32>) -> ()
  }) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @loop_result_type(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.loop' op result #0 has type 'tensor<2xf32>' but iter_arg #0 has type 'tensor<f32>'}}
  %r = "kiln.loop"(%x) <{lower_bound = 0 : i64, upper_bound = 4 : i64}> ({
  ^bb0(%i: tensor<i64>, %a: tensor<f32>):
    "kiln.yield"(%a) : (tensor<f32>) -> ()
  }) : (tensor<f32>) -> tensor<2xf32>
  return
}

// -----

func.func @loop_yield_count(%x: tensor<f32>) {
  %r = kiln.loop (%i) = 0 to 4 iter_args(%a = %x) -> (tensor<f32>) {
    // expected-error @+1 {{'kiln.yield' op yields 0 values but the loop carries 1}}
    kiln.yield
  }
  return
}

// -----

func.func @loop_yield_type(%x: tensor<f32>, %y: tensor<2xf32>) {
  %r = kiln.loop (%i) = 0 to 4 iter_args(%a = %x) -> (tensor<f32>) {
    // expected-error @+1 {{'kiln.yield' op value #0 has type 'tensor<2xf32>' but iter_arg #0 has type 'tensor<f32>'}}
    kiln.yield %y : tensor<2xf32>
  }
  return
}

// -----

func.func @yield_outside_loop(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.yield' op expects parent op 'kiln.loop'}}
  kiln.yield %x : tensor<f32>
}

// -----

func.func @loop_without_yield(%x: tensor<f32>) {
  %r = kiln.loop (%i) = 0 to 4 iter_args(%a = %x) -> (tensor<f32>) {
    // expected-error @+1 {{block with no terminator, has %1 = "kiln.neg"}}
    %b = kiln.neg %a : tensor<f32>
  }
  return
}

// -----

// Variables.
// expected-error @+1 {{'func.func' op argument #0: 'kiln.variable' must be a non-empty string naming a variable, got ""}}
func.func @variable_empty_name(%w: tensor<f32> {kiln.variable = ""}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'kiln.variable' must be a non-empty string naming a variable, got 3 : i64}}
func.func @variable_not_a_string(%w: tensor<f32> {kiln.variable = 3}) {
  return
}

// -----

// expected-error @+1 {{unknown kiln argument attribute 'kiln.varaible' (expected 'kiln.variable', 'kiln.name' or 'kiln.vocabulary')}}
func.func @variable_misspelt(%w: tensor<f32> {kiln.varaible = "huber/w"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op variable "huber/w" appears twice: argument #0 and argument #2}}
func.func @variable_argument_twice(%w: tensor<f32> {kiln.variable = "huber/w"}, %x: tensor<f32>,
                                   %v: tensor<f32> {kiln.variable = "huber/w"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op variable "huber/b" appears twice: result #0 and result #1}}
func.func @variable_result_twice(%b: tensor<f32>)
    -> (tensor<f32> {kiln.variable = "huber/b"}, tensor<f32> {kiln.variable = "huber/b"}) {
  return %b, %b : tensor<f32>, tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op result #0 updates variable "huber/w" (argument #1 of type 'tensor<3xf32>') but has type 'tensor<f32>'}}
func.func @variable_update_type(%x: tensor<f32>, %w: tensor<3xf32> {kiln.variable = "huber/w"})
    -> (tensor<f32> {kiln.variable = "huber/w"}) {
  return %x : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'kiln.name' must be a non-empty string, got ""}}
func.func @name_empty(%x: tensor<f32> {kiln.name = ""}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 is a variable; 'kiln.name' names inputs and outputs only}}
func.func @name_on_variable(%w: tensor<f32> {kiln.variable = "huber/w", kiln.name = "w"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op name "x" appears twice: argument #0 and argument #1}}
func.func @name_twice(%x: tensor<f32> {kiln.name = "x"}, %y: tensor<f32> {kiln.name = "x"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0: 'kiln.vocabulary' must be a non-empty string (a checkpoint metadata key), got ""}}
func.func @vocabulary_empty(%x: tensor<1xi64> {kiln.vocabulary = ""}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 is a variable; 'kiln.vocabulary' is for inputs and outputs only}}
func.func @vocabulary_on_variable(%w: tensor<2xi64> {kiln.variable = "ids", kiln.vocabulary = "vocabulary"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op result #0 has type 'tensor<1xf32>'; 'kiln.vocabulary' needs i32 or i64 elements (ids)}}
func.func @vocabulary_on_floats(%x: tensor<1xf32>) -> (tensor<1xf32> {kiln.vocabulary = "vocabulary"}) {
  return %x : tensor<1xf32>
}

// -----

// expected-error @+1 {{'func.func' op is 'kiln.batched' but argument #0 has type 'tensor<2xf32>' (a row-mapped function's inputs and outputs have leading dimension 1)}}
func.func @batched_not_a_row(%x: tensor<2xf32>) -> tensor<2xf32> attributes {kiln.batched} {
  return %x : tensor<2xf32>
}

// -----

// expected-error @+1 {{'func.func' op is 'kiln.batched' but updates a variable (result #0); a row-mapped function must not have side effects}}
func.func @batched_updates(%w: tensor<1xf32> {kiln.variable = "w"}) -> (tensor<1xf32> {kiln.variable = "w"}) attributes {kiln.batched} {
  return %w : tensor<1xf32>
}

// -----

// expected-error @+1 {{'func.func' op 'kiln.batched' is a unit attribute, got 3 : i64}}
func.func @batched_not_unit(%x: tensor<1xf32>) -> tensor<1xf32> attributes {kiln.batched = 3} {
  return %x : tensor<1xf32>
}

// -----

// expected-error @+1 {{unknown kiln attribute 'kiln.batch' on an operation (expected 'kiln.batched' or 'kiln.site')}}
func.func @unknown_func_attr(%x: tensor<1xf32>) -> tensor<1xf32> attributes {kiln.batch} {
  return %x : tensor<1xf32>
}
