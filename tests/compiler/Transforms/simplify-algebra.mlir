// kiln-simplify-algebra: one function per pattern, and the cases that must not fire
// (compiler/Transforms/SimplifyAlgebra.cpp gives the floating-point reasoning of each).
// RUN: kiln-opt %s --kiln-simplify-algebra --split-input-file | FileCheck %s

// x * 1.0 -> x (a signalling NaN is no longer quieted: allowed in this pass only).
// CHECK-LABEL: func @mul_by_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @mul_by_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.mul %one, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @mul_by_minus_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK-DAG: %[[N:.*]] = kiln.neg %[[X]] : tensor<4xf32>
// CHECK-DAG: %[[M:.*]] = kiln.neg %[[I]] : tensor<4xi32>
// CHECK: return %[[N]], %[[M]]
func.func @mul_by_minus_one(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %c = kiln.constant dense<-1.0> : tensor<4xf32>
  %0 = kiln.mul %x, %c : tensor<4xf32>
  %ci = kiln.constant dense<-1> : tensor<4xi32>
  %1 = kiln.mul %i, %ci : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// Integer x * 0 is 0; float x * 0.0 is not (inf * 0 is NaN, -1 * 0 is -0.0).
// CHECK-LABEL: func @mul_by_zero
// CHECK-DAG: %[[Z:.*]] = kiln.constant dense<0> : tensor<4xi64>
// CHECK-DAG: %[[F:.*]] = kiln.mul
// CHECK: return %[[Z]], %[[F]]
func.func @mul_by_zero(%i: tensor<4xi64>, %x: tensor<4xf32>) -> (tensor<4xi64>, tensor<4xf32>) {
  %z = kiln.constant dense<0> : tensor<4xi64>
  %0 = kiln.mul %i, %z : tensor<4xi64>
  %zf = kiln.constant dense<0.0> : tensor<4xf32>
  %1 = kiln.mul %x, %zf : tensor<4xf32>
  return %0, %1 : tensor<4xi64>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @div_by_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf64>)
// CHECK-NEXT: %[[N:.*]] = kiln.neg %[[Y]]
// CHECK-NEXT: return %[[X]], %[[N]]
func.func @div_by_one(%x: tensor<4xf32>, %y: tensor<4xf64>) -> (tensor<4xf32>, tensor<4xf64>) {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.div %x, %one : tensor<4xf32>
  %m = kiln.constant dense<-1.0> : tensor<4xf64>
  %1 = kiln.div %y, %m : tensor<4xf64>
  return %0, %1 : tensor<4xf32>, tensor<4xf64>
}

// -----

// 1.0 / x is not x / 1.0.
// CHECK-LABEL: func @one_divided_by_x_stays
// CHECK: kiln.div
func.func @one_divided_by_x_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %0 = kiln.div %one, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// x + -0.0 -> x and x - 0.0 -> x, exact for every x.
// CHECK-LABEL: func @add_negative_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_negative_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %nz = kiln.constant dense<-0.0> : tensor<4xf32>
  %0 = kiln.add %nz, %x : tensor<4xf32>
  %z = kiln.constant dense<0.0> : tensor<4xf32>
  %1 = kiln.sub %x, %z : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Must not fire: x + 0.0 and x - (-0.0) turn x = -0.0 into +0.0.
// CHECK-LABEL: func @add_positive_zero_stays
// CHECK: kiln.add
// CHECK: kiln.sub
func.func @add_positive_zero_stays(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.add %x, %z : tensor<4xf32>
  %nz = kiln.constant dense<-0.0> : tensor<4xf32>
  %1 = kiln.sub %x, %nz : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// x + 0.0 -> x where x cannot be -0.0 (exp and square never are); integer x - 0 -> x.
// CHECK-LABEL: func @add_zero_when_provably_exact
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK-DAG: %[[E:.*]] = kiln.exp %[[X]]
// CHECK-DAG: %[[S:.*]] = kiln.square %[[X]]
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.sub
// CHECK: return %[[E]], %[[S]], %[[I]]
func.func @add_zero_when_provably_exact(%x: tensor<4xf32>, %i: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %z = kiln.constant dense<0.0> : tensor<4xf32>
  %e = kiln.exp %x : tensor<4xf32>
  %0 = kiln.add %e, %z : tensor<4xf32>
  %s = kiln.square %x : tensor<4xf32>
  %1 = kiln.add %z, %s : tensor<4xf32>
  %zi = kiln.constant dense<0> : tensor<4xi32>
  %2 = kiln.sub %i, %zi : tensor<4xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// -0.0 - x -> -x; but 0.0 - x stays (0.0 - 0.0 is +0.0, -x is -0.0).
// CHECK-LABEL: func @subtract_from_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[N:.*]] = kiln.neg %[[X]]
// CHECK-DAG: %[[S:.*]] = kiln.sub %{{.*}}, %[[X]]
// CHECK: return %[[N]], %[[S]]
func.func @subtract_from_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %nz = kiln.constant dense<-0.0> : tensor<4xf32>
  %0 = kiln.sub %nz, %x : tensor<4xf32>
  %z = kiln.constant dense<0.0> : tensor<4xf32>
  %1 = kiln.sub %z, %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// neg(neg x) -> x (the dialect's folder, applied by the pass).
// CHECK-LABEL: func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @neg_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.neg %x : tensor<4xf32>
  %1 = kiln.neg %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// a + (-b) -> a - b, (-a) + b -> b - a, a - (-b) -> a + b.
// CHECK-LABEL: func @absorb_negation
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: kiln.neg
// CHECK-DAG: kiln.sub %[[A]], %[[B]]
// CHECK-DAG: kiln.sub %[[B]], %[[A]]
// CHECK-DAG: kiln.add %[[A]], %[[B]]
func.func @absorb_negation(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %nb = kiln.neg %b : tensor<4xf32>
  %0 = kiln.add %a, %nb : tensor<4xf32>
  %na = kiln.neg %a : tensor<4xf32>
  %1 = kiln.add %na, %b : tensor<4xf32>
  %2 = kiln.sub %a, %nb : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// v - ((-g) * x) * lr -> v + (g * x) * lr: the negation moves out of the products and the
// subtraction absorbs it (Huber's SGD step).
// CHECK-LABEL: func @hoist_negation
// CHECK-SAME: (%[[V:.*]]: tensor<f32>, %[[G:.*]]: tensor<f32>, %[[X:.*]]: tensor<f32>)
// CHECK-NOT: kiln.neg
// CHECK: %[[P:.*]] = kiln.mul %[[G]], %[[X]]
// CHECK: %[[Q:.*]] = kiln.mul %[[P]], %{{.*}}
// CHECK: kiln.add %[[V]], %[[Q]]
func.func @hoist_negation(%v: tensor<f32>, %g: tensor<f32>, %x: tensor<f32>) -> tensor<f32> {
  %lr = kiln.constant dense<0.01> : tensor<f32>
  %n = kiln.neg %g : tensor<f32>
  %0 = kiln.mul %n, %x : tensor<f32>
  %1 = kiln.mul %0, %lr : tensor<f32>
  %2 = kiln.sub %v, %1 : tensor<f32>
  return %2 : tensor<f32>
}

// -----

// Must not fire: a product returned as it is gains nothing from moving its negation, and
// integer division does not commute with negation (-INT_MIN / 2).
// CHECK-LABEL: func @negation_stays
// CHECK: kiln.neg
// CHECK-NEXT: kiln.mul
// CHECK: kiln.neg
// CHECK-NEXT: kiln.div
func.func @negation_stays(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi32>,
                          %j: tensor<4xi32>, %k: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %na = kiln.neg %a : tensor<4xf32>
  %0 = kiln.mul %na, %b : tensor<4xf32>
  %ni = kiln.neg %i : tensor<4xi32>
  %1 = kiln.div %ni, %j : tensor<4xi32>
  %2 = kiln.add %1, %k : tensor<4xi32>
  return %0, %2 : tensor<4xf32>, tensor<4xi32>
}

// -----

// select(c, 1, 0) * 2 -> select(c, 2, 0) (the gradient of where(), Huber's loss), and
// -select(c, 1, 0) -> select(c, -1, -0).
// CHECK-LABEL: func @op_of_select_of_constants
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>)
// CHECK-DAG: %[[TWO:.*]] = kiln.constant dense<2.000000e+00>
// CHECK-DAG: %[[ZERO:.*]] = kiln.constant dense<0.000000e+00>
// CHECK-DAG: %[[M1:.*]] = kiln.constant dense<-1.000000e+00>
// CHECK-DAG: %[[MZ:.*]] = kiln.constant dense<-0.000000e+00>
// CHECK-DAG: %[[S:.*]] = kiln.select %[[C]], %[[TWO]], %[[ZERO]]
// CHECK-DAG: %[[N:.*]] = kiln.select %[[C]], %[[M1]], %[[MZ]]
// CHECK: return %[[S]], %[[N]]
func.func @op_of_select_of_constants(%c: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %two = kiln.constant dense<2.0> : tensor<4xf32>
  %s = kiln.select %c, %one, %zero : tensor<4xi1>, tensor<4xf32>
  %0 = kiln.mul %s, %two : tensor<4xf32>
  %1 = kiln.neg %s : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Must not fire: select(c, 1, 0) * x is not select(c, x, 0) (x = inf or NaN, or -x).
// CHECK-LABEL: func @select_times_variable_stays
// CHECK: kiln.select
// CHECK: kiln.mul
func.func @select_times_variable_stays(%c: tensor<4xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %one = kiln.constant dense<1.0> : tensor<4xf32>
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %s = kiln.select %c, %one, %zero : tensor<4xi1>, tensor<4xf32>
  %0 = kiln.mul %s, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// select(c, true, false) -> c; select(c, false, true) -> !c; select(!c, a, b) ->
// select(c, b, a); select(c, select(c, x, y), z) -> select(c, x, z).
// CHECK-LABEL: func @select_patterns
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[D:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[NOT:.*]] = kiln.not %[[C]]
// CHECK-DAG: %[[SWAP:.*]] = kiln.select %[[C]], %[[B]], %[[A]]
// CHECK-DAG: %[[NEST:.*]] = kiln.select %[[C]], %[[A]], %[[D]]
// CHECK: return %[[C]], %[[NOT]], %[[SWAP]], %[[NEST]]
func.func @select_patterns(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>, %d: tensor<4xf32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) {
  %t = kiln.constant dense<true> : tensor<4xi1>
  %f = kiln.constant dense<false> : tensor<4xi1>
  %0 = kiln.select %c, %t, %f : tensor<4xi1>, tensor<4xi1>
  %1 = kiln.select %c, %f, %t : tensor<4xi1>, tensor<4xi1>
  %nc = kiln.not %c : tensor<4xi1>
  %2 = kiln.select %nc, %a, %b : tensor<4xi1>, tensor<4xf32>
  %in = kiln.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>
  %3 = kiln.select %c, %in, %d : tensor<4xi1>, tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>
}

// -----

// reshape to the same type and transpose by the identity disappear (the folders).
// CHECK-LABEL: func @identity_layout
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @identity_layout(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<2x3xf32>
  %1 = kiln.transpose %x {permutation = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// broadcast_to(broadcast_to(x)) -> broadcast_to(x).
// CHECK-LABEL: func @broadcast_of_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>)
// CHECK-NEXT: %[[B:.*]] = kiln.broadcast_to %[[X]] : tensor<3x1xf32> to tensor<2x3x4xf32>
// CHECK-NEXT: return %[[B]]
func.func @broadcast_of_broadcast(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.broadcast_to %x : tensor<3x1xf32> to tensor<3x4xf32>
  %1 = kiln.broadcast_to %0 : tensor<3x4xf32> to tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// Elementwise ops of broadcast scalars (or splats) run once on the scalars:
// exp(b(s)) * 2 -> b(exp(s) * 2).
// CHECK-LABEL: func @elementwise_of_broadcast_scalars
// CHECK-SAME: (%[[S:.*]]: tensor<f32>)
// CHECK: %[[E:.*]] = kiln.exp %[[S]] : tensor<f32>
// CHECK: %[[M:.*]] = kiln.mul %[[E]], %{{.*}} : tensor<f32>
// CHECK: %[[B:.*]] = kiln.broadcast_to %[[M]] : tensor<f32> to tensor<8x16xf32>
// CHECK-NEXT: return %[[B]]
func.func @elementwise_of_broadcast_scalars(%s: tensor<f32>) -> tensor<8x16xf32> {
  %b = kiln.broadcast_to %s : tensor<f32> to tensor<8x16xf32>
  %e = kiln.exp %b : tensor<8x16xf32>
  %two = kiln.constant dense<2.0> : tensor<8x16xf32>
  %0 = kiln.mul %e, %two : tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

// Must not fire: the broadcast input is a row, not a scalar.
// CHECK-LABEL: func @elementwise_of_broadcast_rows_stays
// CHECK: kiln.broadcast_to
// CHECK-NEXT: kiln.exp %{{.*}} : tensor<2x3xf32>
func.func @elementwise_of_broadcast_rows_stays(%r: tensor<3xf32>) -> tensor<2x3xf32> {
  %b = kiln.broadcast_to %r : tensor<3xf32> to tensor<2x3xf32>
  %e = kiln.exp %b : tensor<2x3xf32>
  return %e : tensor<2x3xf32>
}

// -----

// The dense gradient of a gather subtracted from a variable becomes a sparse update of
// the variable: v - scatter_add(0, i, u) * lr -> scatter_add(v, i, -(u * lr)); the
// run-time check site moves with it.
// CHECK-LABEL: func @sparse_update
// CHECK-SAME: (%[[V:.*]]: tensor<100x8xf32>, %[[I:.*]]: tensor<4xi64>, %[[U:.*]]: tensor<4x8xf32>)
// CHECK-NOT: dense<0.0
// CHECK: %[[LR:.*]] = kiln.constant dense<5.000000e-01> : tensor<4x8xf32>
// CHECK: %[[S:.*]] = kiln.mul %[[U]], %[[LR]]
// CHECK: %[[N:.*]] = kiln.neg %[[S]]
// CHECK: %[[R:.*]] = kiln.scatter_add %[[V]], %[[I]], %[[N]] {kiln.site = 3 : i64}
// CHECK-NEXT: return %[[R]]
func.func @sparse_update(%v: tensor<100x8xf32>, %i: tensor<4xi64>, %u: tensor<4x8xf32>)
    -> tensor<100x8xf32> {
  %z = kiln.constant dense<0.0> : tensor<100x8xf32>
  %g = kiln.scatter_add %z, %i, %u {kiln.site = 3 : i64} : tensor<100x8xf32>, tensor<4xi64>, tensor<4x8xf32>
  %lr = kiln.constant dense<0.5> : tensor<100x8xf32>
  %s = kiln.mul %g, %lr : tensor<100x8xf32>
  %0 = kiln.sub %v, %s : tensor<100x8xf32>
  return %0 : tensor<100x8xf32>
}

// -----

// Must not fire: the dense gradient is also returned (it must exist), or the scatter
// starts from a non-zero tensor.
// CHECK-LABEL: func @sparse_update_stays
// CHECK: kiln.scatter_add %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: kiln.sub
// CHECK: kiln.scatter_add
// CHECK: kiln.sub
func.func @sparse_update_stays(%v: tensor<10x2xf32>, %w: tensor<10x2xf32>, %i: tensor<3xi64>,
                               %u: tensor<3x2xf32>)
    -> (tensor<10x2xf32>, tensor<10x2xf32>, tensor<10x2xf32>) {
  %z = kiln.constant dense<0.0> : tensor<10x2xf32>
  %g = kiln.scatter_add %z, %i, %u : tensor<10x2xf32>, tensor<3xi64>, tensor<3x2xf32>
  %0 = kiln.sub %v, %g : tensor<10x2xf32>
  %h = kiln.scatter_add %w, %i, %u : tensor<10x2xf32>, tensor<3xi64>, tensor<3x2xf32>
  %1 = kiln.sub %v, %h : tensor<10x2xf32>
  return %0, %g, %1 : tensor<10x2xf32>, tensor<10x2xf32>, tensor<10x2xf32>
}

// -----

// Must not fire: an infinite scale would make the untouched rows 0 * inf = NaN, which the
// sparse form cannot reproduce; and an empty integer division never divides, so its
// broadcast zero divisor must not become a scalar division that reports an error.
// CHECK-LABEL: func @guards
// CHECK: kiln.scatter_add
// CHECK: kiln.mul
// CHECK: kiln.div %{{.*}} : tensor<0x4xi32>
func.func @guards(%i: tensor<4xi64>, %u: tensor<4x8xf32>, %s: tensor<i32>)
    -> (tensor<100x8xf32>, tensor<0x4xi32>) {
  %z = kiln.constant dense<0.0> : tensor<100x8xf32>
  %g = kiln.scatter_add %z, %i, %u : tensor<100x8xf32>, tensor<4xi64>, tensor<4x8xf32>
  %inf = kiln.constant dense<0x7F800000> : tensor<100x8xf32>
  %0 = kiln.mul %g, %inf : tensor<100x8xf32>
  %b = kiln.broadcast_to %s : tensor<i32> to tensor<0x4xi32>
  %zero = kiln.constant dense<0> : tensor<0x4xi32>
  %1 = kiln.div %b, %zero : tensor<0x4xi32>
  return %0, %1 : tensor<100x8xf32>, tensor<0x4xi32>
}
