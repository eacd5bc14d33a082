// Round trip of every kiln op: custom form -> custom form, and through the
// generic form.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @constant
func.func @constant() -> (tensor<2x2xf32>, tensor<3xi1>, tensor<i64>) {
  // CHECK: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<true> : tensor<3xi1>
  %1 = kiln.constant dense<true> : tensor<3xi1>
  // CHECK: kiln.constant dense<7> : tensor<i64>
  %2 = kiln.constant dense<7> : tensor<i64>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3xi1>, tensor<i64>
}

// CHECK-LABEL: func @unary
func.func @unary(%f: tensor<4x3xf32>, %d: tensor<2xf64>, %i: tensor<5xi32>,
                 %b: tensor<4xi1>) {
  // CHECK: kiln.neg %{{.*}} : tensor<5xi32>
  %0 = kiln.neg %i : tensor<5xi32>
  // CHECK: kiln.abs %{{.*}} : tensor<4x3xf32>
  %1 = kiln.abs %f : tensor<4x3xf32>
  // CHECK: kiln.sign %{{.*}} : tensor<5xi32>
  %2 = kiln.sign %i : tensor<5xi32>
  // CHECK: kiln.square %{{.*}} : tensor<2xf64>
  %3 = kiln.square %d : tensor<2xf64>
  // CHECK: kiln.relu %{{.*}} : tensor<4x3xf32>
  %4 = kiln.relu %f : tensor<4x3xf32>
  // CHECK: kiln.exp %{{.*}} : tensor<4x3xf32>
  %5 = kiln.exp %f : tensor<4x3xf32>
  // CHECK: kiln.log %{{.*}} : tensor<2xf64>
  %6 = kiln.log %d : tensor<2xf64>
  // CHECK: kiln.log1p %{{.*}} : tensor<4x3xf32>
  %7 = kiln.log1p %f : tensor<4x3xf32>
  // CHECK: kiln.expm1 %{{.*}} : tensor<4x3xf32>
  %8 = kiln.expm1 %f : tensor<4x3xf32>
  // CHECK: kiln.sqrt %{{.*}} : tensor<4x3xf32>
  %9 = kiln.sqrt %f : tensor<4x3xf32>
  // CHECK: kiln.rsqrt %{{.*}} : tensor<4x3xf32>
  %10 = kiln.rsqrt %f : tensor<4x3xf32>
  // CHECK: kiln.tanh %{{.*}} : tensor<4x3xf32>
  %11 = kiln.tanh %f : tensor<4x3xf32>
  // CHECK: kiln.sigmoid %{{.*}} : tensor<4x3xf32>
  %12 = kiln.sigmoid %f : tensor<4x3xf32>
  // CHECK: kiln.softplus %{{.*}} : tensor<4x3xf32>
  %13 = kiln.softplus %f : tensor<4x3xf32>
  // CHECK: kiln.floor %{{.*}} : tensor<2xf64>
  %14 = kiln.floor %d : tensor<2xf64>
  // CHECK: kiln.not %{{.*}} : tensor<4xi1>
  %15 = kiln.not %b : tensor<4xi1>
  return
}

// CHECK-LABEL: func @binary
func.func @binary(%f: tensor<4x3xf32>, %g: tensor<4x3xf32>, %i: tensor<5xi64>,
                  %j: tensor<5xi64>, %a: tensor<4xi1>, %b: tensor<4xi1>) {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<4x3xf32>
  %0 = kiln.add %f, %g : tensor<4x3xf32>
  // CHECK: kiln.sub %{{.*}}, %{{.*}} : tensor<5xi64>
  %1 = kiln.sub %i, %j : tensor<5xi64>
  // CHECK: kiln.mul %{{.*}}, %{{.*}} : tensor<4x3xf32>
  %2 = kiln.mul %f, %g : tensor<4x3xf32>
  // CHECK: kiln.div %{{.*}}, %{{.*}} : tensor<5xi64>
  %3 = kiln.div %i, %j : tensor<5xi64>
  // CHECK: kiln.pow %{{.*}}, %{{.*}} : tensor<4x3xf32>
  %4 = kiln.pow %f, %g : tensor<4x3xf32>
  // CHECK: kiln.max %{{.*}}, %{{.*}} : tensor<4x3xf32>
  %5 = kiln.max %f, %g : tensor<4x3xf32>
  // CHECK: kiln.min %{{.*}}, %{{.*}} : tensor<5xi64>
  %6 = kiln.min %i, %j : tensor<5xi64>
  // CHECK: kiln.and %{{.*}}, %{{.*}} : tensor<4xi1>
  %7 = kiln.and %a, %b : tensor<4xi1>
  // CHECK: kiln.or %{{.*}}, %{{.*}} : tensor<4xi1>
  %8 = kiln.or %a, %b : tensor<4xi1>
  return
}

// CHECK-LABEL: func @compare_select_cast
func.func @compare_select_cast(%f: tensor<4xf32>, %g: tensor<4xf32>, %i: tensor<4xi32>)
    -> tensor<4xf32> {
  // CHECK: %[[M:.*]] = kiln.compare lt, %{{.*}}, %{{.*}} : tensor<4xf32>
  %m = kiln.compare lt, %f, %g : tensor<4xf32>
  // CHECK: kiln.compare eq, %{{.*}}, %{{.*}} : tensor<4xi32>
  %e = kiln.compare eq, %i, %i : tensor<4xi32>
  // CHECK: kiln.compare ne, %{{.*}}, %{{.*}} : tensor<4xi1>
  %n = kiln.compare ne, %m, %e : tensor<4xi1>
  // CHECK: kiln.compare le
  %0 = kiln.compare le, %f, %g : tensor<4xf32>
  // CHECK: kiln.compare gt
  %1 = kiln.compare gt, %f, %g : tensor<4xf32>
  // CHECK: kiln.compare ge
  %2 = kiln.compare ge, %f, %g : tensor<4xf32>
  // CHECK: %[[S:.*]] = kiln.select %[[M]], %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xf32>
  %s = kiln.select %m, %f, %g : tensor<4xi1>, tensor<4xf32>
  // CHECK: kiln.cast %[[S]] : tensor<4xf32> to tensor<4xi32>
  %c = kiln.cast %s : tensor<4xf32> to tensor<4xi32>
  // CHECK: kiln.cast %{{.*}} : tensor<4xi32> to tensor<4xf32>
  %r = kiln.cast %c : tensor<4xi32> to tensor<4xf32>
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<4x3x2xf32>, %i: tensor<6xi32>) {
  // CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<4x3x2xf32> -> tensor<4x2xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<4x3x2xf32> -> tensor<4x2xf32>
  // CHECK: kiln.reduce_max %{{.*}} {axes = array<i64: 0, 2>} : tensor<4x3x2xf32> -> tensor<3xf32>
  %1 = kiln.reduce_max %x {axes = array<i64: 0, 2>} : tensor<4x3x2xf32> -> tensor<3xf32>
  // CHECK: kiln.reduce_min %{{.*}} {axes = array<i64: 0>} : tensor<6xi32> -> tensor<i32>
  %2 = kiln.reduce_min %i {axes = array<i64: 0>} : tensor<6xi32> -> tensor<i32>
  // CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64>} : tensor<6xi32> -> tensor<6xi32>
  %3 = kiln.reduce_sum %i {axes = array<i64>} : tensor<6xi32> -> tensor<6xi32>
  // CHECK: kiln.argmax %{{.*}} {axis = 2 : i64} : tensor<4x3x2xf32> -> tensor<4x3xi64>
  %4 = kiln.argmax %x {axis = 2} : tensor<4x3x2xf32> -> tensor<4x3xi64>
  return
}

// CHECK-LABEL: func @top_k
func.func @top_k(%x: tensor<4x3x5xf32>, %i: tensor<6xi64>) {
  // CHECK: %{{.*}}, %{{.*}} = kiln.top_k %{{.*}} {k = 2 : i64} : tensor<4x3x5xf32> -> tensor<4x3x2xf32>, tensor<4x3x2xi64>
  %v, %j = kiln.top_k %x {k = 2} : tensor<4x3x5xf32> -> tensor<4x3x2xf32>, tensor<4x3x2xi64>
  // CHECK: kiln.top_k %{{.*}} {k = 6 : i64} : tensor<6xi64> -> tensor<6xi64>, tensor<6xi64>
  %w, %l = kiln.top_k %i {k = 6} : tensor<6xi64> -> tensor<6xi64>, tensor<6xi64>
  return
}

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<8x2x3xi64>,
                  %d: tensor<8x3x4xi64>) {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<8x2x3xi64>, tensor<8x3x4xi64> -> tensor<8x2x4xi64>
  %1 = kiln.matmul %c, %d : tensor<8x2x3xi64>, tensor<8x3x4xi64> -> tensor<8x2x4xi64>
  return
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x3xf32>, %y: tensor<4x3xf32>, %b: tensor<3x1xi1>) {
  // CHECK: kiln.reshape %{{.*}} : tensor<2x3xf32> to tensor<3x2xf32>
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  // CHECK: kiln.reshape %{{.*}} : tensor<2x3xf32> to tensor<6xf32>
  %1 = kiln.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  // CHECK: kiln.transpose %{{.*}} {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: kiln.broadcast_to %{{.*}} : tensor<3x1xi1> to tensor<2x3x4xi1>
  %3 = kiln.broadcast_to %b : tensor<3x1xi1> to tensor<2x3x4xi1>
  // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<6x3xf32>
  %4 = kiln.concat %x, %y {axis = 0} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<6x3xf32>
  // CHECK: kiln.concat %{{.*}} {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = kiln.concat %x {axis = 1} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.slice %{{.*}} {start = array<i64: 1, 0>} : tensor<4x3xf32> to tensor<2x3xf32>
  %6 = kiln.slice %y {start = array<i64: 1, 0>} : tensor<4x3xf32> to tensor<2x3xf32>
  // CHECK: kiln.pad %{{.*}} {high = array<i64: 0, 2>, low = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x5xf32>
  %7 = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<3x5xf32>
  return
}

// CHECK-LABEL: func @indexing
func.func @indexing(%embed: tensor<100x8xf32>, %ids: tensor<4x2xi64>, %rows: tensor<4x2x8xf32>,
                    %ids32: tensor<3xi32>) {
  // CHECK: kiln.gather %{{.*}}, %{{.*}} : tensor<100x8xf32>, tensor<4x2xi64> -> tensor<4x2x8xf32>
  %0 = kiln.gather %embed, %ids : tensor<100x8xf32>, tensor<4x2xi64> -> tensor<4x2x8xf32>
  // CHECK: kiln.gather %{{.*}}, %{{.*}} : tensor<100x8xf32>, tensor<3xi32> -> tensor<3x8xf32>
  %1 = kiln.gather %embed, %ids32 : tensor<100x8xf32>, tensor<3xi32> -> tensor<3x8xf32>
  // CHECK: kiln.scatter_add %{{.*}}, %{{.*}}, %{{.*}} : tensor<100x8xf32>, tensor<4x2xi64>, tensor<4x2x8xf32>
  %2 = kiln.scatter_add %embed, %ids, %rows : tensor<100x8xf32>, tensor<4x2xi64>, tensor<4x2x8xf32>
  // CHECK: kiln.iota {dimension = 1 : i64} : tensor<2x3xi64>
  %3 = kiln.iota {dimension = 1} : tensor<2x3xi64>
  // CHECK: kiln.iota {dimension = 0 : i64} : tensor<5xf32>
  %4 = kiln.iota {dimension = 0} : tensor<5xf32>
  return
}

// CHECK-LABEL: func @random
func.func @random(%s: tensor<2xi64>) -> tensor<2xi64> {
  // CHECK: %{{.*}}, %[[S1:.*]] = kiln.random_uniform %{{.*}} {maxval = 1.000000e+00 : f64, minval = 0.000000e+00 : f64} : (tensor<2xi64>) -> (tensor<4x3xf32>, tensor<2xi64>)
  %v, %s1 = kiln.random_uniform %s {minval = 0.0, maxval = 1.0} : (tensor<2xi64>) -> (tensor<4x3xf32>, tensor<2xi64>)
  // CHECK: kiln.random_uniform %[[S1]] {maxval = 1.000000e+01 : f64, minval = -1.000000e+01 : f64} : (tensor<2xi64>) -> (tensor<7xi32>, tensor<2xi64>)
  %w, %s2 = kiln.random_uniform %s1 {minval = -10.0, maxval = 10.0} : (tensor<2xi64>) -> (tensor<7xi32>, tensor<2xi64>)
  // CHECK: kiln.random_normal %{{.*}} {mean = 0.000000e+00 : f64, stddev = 2.000000e+00 : f64} : (tensor<2xi64>) -> (tensor<5xf64>, tensor<2xi64>)
  %n, %s3 = kiln.random_normal %s2 {mean = 0.0, stddev = 2.0} : (tensor<2xi64>) -> (tensor<5xf64>, tensor<2xi64>)
  // CHECK: kiln.truncated_normal %{{.*}} {mean = 1.000000e+00 : f64, stddev = 5.000000e-01 : f64} : (tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2xi64>)
  %t, %s4 = kiln.truncated_normal %s3 {mean = 1.0, stddev = 0.5} : (tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2xi64>)
  return %s4 : tensor<2xi64>
}

// CHECK-LABEL: func @loop
func.func @loop(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // CHECK: %[[R:.*]]:2 = kiln.loop (%[[I:.*]]) = 0 to 100 iter_args(%[[A:.*]] = %{{.*}}, %[[B:.*]] = %{{.*}}) -> (tensor<f32>, tensor<f32>) {
  %r:2 = kiln.loop (%i) = 0 to 100 iter_args(%a = %x, %b = %y) -> (tensor<f32>, tensor<f32>) {
    // CHECK: %[[F:.*]] = kiln.cast %[[I]] : tensor<i64> to tensor<f32>
    %f = kiln.cast %i : tensor<i64> to tensor<f32>
    // CHECK: %[[A2:.*]] = kiln.add %[[A]], %[[F]] : tensor<f32>
    %a2 = kiln.add %a, %f : tensor<f32>
    // CHECK: kiln.yield %[[A2]], %[[B]] : tensor<f32>, tensor<f32>
    kiln.yield %a2, %b : tensor<f32>, tensor<f32>
  }
  // CHECK: return %[[R]]#0, %[[R]]#1
  return %r#0, %r#1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func @loop_without_carried_values
func.func @loop_without_carried_values() {
  // CHECK: kiln.loop (%{{.*}}) = -3 to 3 {
  // CHECK-NEXT: kiln.yield{{$}}
  kiln.loop (%i) = -3 to 3 {
    kiln.yield
  }
  return
}

// CHECK-LABEL: func @variables
// CHECK-SAME: (%{{.*}}: tensor<f32> {kiln.variable = "huber/w"}, %{{.*}}: tensor<f32> {kiln.variable = "huber/b"}, %{{.*}}: tensor<f32>)
// CHECK-SAME: -> (tensor<f32> {kiln.variable = "huber/w"}, tensor<f32> {kiln.variable = "huber/b"}, tensor<f32>)
func.func @variables(%w: tensor<f32> {kiln.variable = "huber/w"},
                     %b: tensor<f32> {kiln.variable = "huber/b"}, %x: tensor<f32>)
    -> (tensor<f32> {kiln.variable = "huber/w"}, tensor<f32> {kiln.variable = "huber/b"},
        tensor<f32>) {
  %w2 = kiln.add %w, %x : tensor<f32>
  %b2 = kiln.sub %b, %x : tensor<f32>
  return %w2, %b2, %x : tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func @named_batched
// CHECK-SAME: (%{{.*}}: tensor<1xf32> {kiln.name = "x"}, %{{.*}}: tensor<f32> {kiln.variable = "huber/w"})
// CHECK-SAME: -> (tensor<1xf32> {kiln.name = "y"}) attributes {kiln.batched}
func.func @named_batched(%x: tensor<1xf32> {kiln.name = "x"},
                         %w: tensor<f32> {kiln.variable = "huber/w"})
    -> (tensor<1xf32> {kiln.name = "y"}) attributes {kiln.batched} {
  %wb = kiln.broadcast_to %w : tensor<f32> to tensor<1xf32>
  %y = kiln.mul %x, %wb : tensor<1xf32>
  return %y : tensor<1xf32>
}

// CHECK-LABEL: func @vocabulary_ids
// CHECK-SAME: (%{{.*}}: tensor<1xi64> {kiln.name = "word", kiln.vocabulary = "vocabulary"})
// CHECK-SAME: -> (tensor<1xi64> {kiln.name = "same", kiln.vocabulary = "vocabulary"})
func.func @vocabulary_ids(%w: tensor<1xi64> {kiln.name = "word", kiln.vocabulary = "vocabulary"})
    -> (tensor<1xi64> {kiln.name = "same", kiln.vocabulary = "vocabulary"}) {
  return %w : tensor<1xi64>
}
