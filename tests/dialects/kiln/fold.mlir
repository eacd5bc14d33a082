// Constant folding of every op class through the front end's reference kernels,
// and the folds that must not happen (integer division by zero, out-of-range
// indices, results too large to materialize).
// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @unary
// CHECK-DAG: kiln.constant dense<[-1, 2, -2147483648]> : tensor<3xi32>
// CHECK-DAG: kiln.constant dense<1.000000e+00> : tensor<1000000000xf32>
// CHECK-DAG: kiln.constant dense<[5.000000e-01, 0.731058597]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[false, true]> : tensor<2xi1>
// CHECK-DAG: kiln.constant dense<[-2.000000e+00, 1.000000e+00]> : tensor<2xf64>
// CHECK-NOT: kiln.neg
// CHECK-NOT: kiln.exp
func.func @unary() -> (tensor<3xi32>, tensor<1000000000xf32>, tensor<2xf32>, tensor<2xi1>,
                       tensor<2xf64>) {
  %i = kiln.constant dense<[1, -2, -2147483648]> : tensor<3xi32>
  %0 = kiln.neg %i : tensor<3xi32>
  // A splat folds at any size: the kernel runs on one element.
  %z = kiln.constant dense<0.0> : tensor<1000000000xf32>
  %1 = kiln.exp %z : tensor<1000000000xf32>
  %s = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %2 = kiln.sigmoid %s : tensor<2xf32>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  %3 = kiln.not %b : tensor<2xi1>
  %d = kiln.constant dense<[-1.5, 1.5]> : tensor<2xf64>
  %4 = kiln.floor %d : tensor<2xf64>
  return %0, %1, %2, %3, %4 : tensor<3xi32>, tensor<1000000000xf32>, tensor<2xf32>, tensor<2xi1>,
                              tensor<2xf64>
}

// -----

// CHECK-LABEL: func @binary
// CHECK-DAG: kiln.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[3, -3, -9223372036854775808]> : tensor<3xi64>
// CHECK-DAG: kiln.constant dense<[8, 0, 1]> : tensor<3xi32>
// CHECK-DAG: kiln.constant dense<[3.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[0x7F800000, 0xFF800000]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[true, false]> : tensor<2xi1>
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.div
func.func @binary() -> (tensor<2xf32>, tensor<3xi64>, tensor<3xi32>, tensor<2xf32>, tensor<2xf32>,
                        tensor<2xi1>) {
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = kiln.add %a, %b : tensor<2xf32>
  // Integer division truncates toward zero; INT_MIN / -1 wraps.
  %n = kiln.constant dense<[7, -7, -9223372036854775808]> : tensor<3xi64>
  %m = kiln.constant dense<[2, 2, -1]> : tensor<3xi64>
  %1 = kiln.div %n, %m : tensor<3xi64>
  %base = kiln.constant dense<[2, 3, 1]> : tensor<3xi32>
  %exp = kiln.constant dense<[3, -1, -5]> : tensor<3xi32>
  %2 = kiln.pow %base, %exp : tensor<3xi32>
  %c = kiln.constant dense<[3.0, 2.0]> : tensor<2xf32>
  %d = kiln.constant dense<[1.0, 5.0]> : tensor<2xf32>
  %3 = kiln.max %c, %d : tensor<2xf32>
  // Float division by zero is IEEE arithmetic, not an error: it folds.
  %zero = kiln.constant dense<0.0> : tensor<2xf32>
  %signs = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %4 = kiln.div %signs, %zero : tensor<2xf32>
  %t = kiln.constant dense<[true, true]> : tensor<2xi1>
  %f = kiln.constant dense<[true, false]> : tensor<2xi1>
  %5 = kiln.and %t, %f : tensor<2xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<2xf32>, tensor<3xi64>, tensor<3xi32>, tensor<2xf32>,
                                  tensor<2xf32>, tensor<2xi1>
}

// -----

// Integer division by a zero divisor is a run-time error: it is never folded.
// CHECK-LABEL: func @integer_division_by_zero
// CHECK: %[[Q:.*]] = kiln.div
// CHECK: return %[[Q]]
func.func @integer_division_by_zero() -> tensor<2xi32> {
  %n = kiln.constant dense<[4, 6]> : tensor<2xi32>
  %m = kiln.constant dense<[2, 0]> : tensor<2xi32>
  %0 = kiln.div %n, %m : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func @compare_select_cast
// CHECK-DAG: kiln.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 2.000000e+01, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<[1, -2, 2147483647, -2147483648, 0]> : tensor<5xi32>
// CHECK-NOT: kiln.compare
// CHECK-NOT: kiln.select
// CHECK-NOT: kiln.cast
func.func @compare_select_cast() -> (tensor<3xi1>, tensor<3xf32>, tensor<5xi32>) {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = kiln.constant dense<2.0> : tensor<3xf32>
  %0 = kiln.compare lt, %a, %b : tensor<3xf32>
  %c = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %t = kiln.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %1 = kiln.select %c, %a, %t : tensor<3xi1>, tensor<3xf32>
  // Float to int truncates, saturates, and maps NaN to 0.
  %x = kiln.constant dense<[1.5, -2.7, 3.0e10, -3.0e10, 0x7FC00000]> : tensor<5xf32>
  %2 = kiln.cast %x : tensor<5xf32> to tensor<5xi32>
  return %0, %1, %2 : tensor<3xi1>, tensor<3xf32>, tensor<5xi32>
}

// -----

// CHECK-LABEL: func @reductions
// CHECK-DAG: kiln.constant dense<[6.000000e+00, 1.500000e+01]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<3xf32>
// CHECK-DAG: kiln.constant dense<-7> : tensor<i64>
// CHECK-DAG: kiln.constant dense<[1, 2]> : tensor<2xi64>
// CHECK-NOT: kiln.reduce
// CHECK-NOT: kiln.argmax
func.func @reductions() -> (tensor<2xf32>, tensor<3xf32>, tensor<i64>, tensor<2xi64>) {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  %1 = kiln.reduce_max %x {axes = array<i64: 0>} : tensor<2x3xf32> -> tensor<3xf32>
  %i = kiln.constant dense<[[3, -7], [0, 9]]> : tensor<2x2xi64>
  %2 = kiln.reduce_min %i {axes = array<i64: 0, 1>} : tensor<2x2xi64> -> tensor<i64>
  %y = kiln.constant dense<[[1.0, 3.0, 2.0], [5.0, 4.0, 6.0]]> : tensor<2x3xf32>
  %3 = kiln.argmax %y {axis = 1} : tensor<2x3xf32> -> tensor<2xi64>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<3xf32>, tensor<i64>, tensor<2xi64>
}

// -----

// Both results of top_k fold together; ties keep the lower index first.
// CHECK-LABEL: func @top_k
// CHECK-DAG: kiln.constant dense<{{\[}}[3.000000e+00, 3.000000e+00], [6.000000e+00, 5.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[}}[1, 2], [2, 0]]> : tensor<2x2xi64>
// CHECK-NOT: kiln.top_k
func.func @top_k() -> (tensor<2x2xf32>, tensor<2x2xi64>) {
  %x = kiln.constant dense<[[1.0, 3.0, 3.0], [5.0, 4.0, 6.0]]> : tensor<2x3xf32>
  %v, %i = kiln.top_k %x {k = 2} : tensor<2x3xf32> -> tensor<2x2xf32>, tensor<2x2xi64>
  return %v, %i : tensor<2x2xf32>, tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func @matmul
// CHECK: kiln.constant dense<{{\[\[}}19, 22], [43, 50]]> : tensor<2x2xi32>
// CHECK-NOT: kiln.matmul
func.func @matmul() -> tensor<2x2xi32> {
  %a = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %b = kiln.constant dense<[[5, 6], [7, 8]]> : tensor<2x2xi32>
  %0 = kiln.matmul %a, %b : tensor<2x2xi32>, tensor<2x2xi32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func @data_movement
// CHECK-DAG: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}1, 2], [1, 2]]> : tensor<2x2xi64>
// CHECK-DAG: kiln.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK-DAG: kiln.constant dense<{{\[\[}}2.000000e+00, 3.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}false, false, false], [false, true, false]]> : tensor<2x3xi1>
// CHECK-DAG: kiln.constant dense<7> : tensor<1000000x1000000xi32>
// CHECK-NOT: kiln.reshape
// CHECK-NOT: kiln.transpose
// CHECK-NOT: kiln.broadcast_to
// CHECK-NOT: kiln.concat
// CHECK-NOT: kiln.slice
// CHECK-NOT: kiln.pad
func.func @data_movement() -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x2xi64>, tensor<3xi64>,
                               tensor<2x2xf32>, tensor<2x3xi1>, tensor<1000000x1000000xi32>) {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  %1 = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %v = kiln.constant dense<[1, 2]> : tensor<2xi64>
  %2 = kiln.broadcast_to %v : tensor<2xi64> to tensor<2x2xi64>
  %w = kiln.constant dense<3> : tensor<1xi64>
  %3 = kiln.concat %v, %w {axis = 0} : tensor<2xi64>, tensor<1xi64> -> tensor<3xi64>
  %4 = kiln.slice %x {start = array<i64: 0, 1>} : tensor<2x3xf32> to tensor<2x2xf32>
  %t = kiln.constant dense<true> : tensor<1x1xi1>
  %5 = kiln.pad %t {low = array<i64: 1, 1>, high = array<i64: 0, 1>} : tensor<1x1xi1> -> tensor<2x3xi1>
  // Moving a splat gives a splat, whatever its size.
  %s = kiln.constant dense<7> : tensor<1x1000000xi32>
  %6 = kiln.broadcast_to %s : tensor<1x1000000xi32> to tensor<1000000x1000000xi32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x2xi64>,
      tensor<3xi64>, tensor<2x2xf32>, tensor<2x3xi1>, tensor<1000000x1000000xi32>
}

// -----

// A non-splat result beyond 2^20 elements is not materialized.
// CHECK-LABEL: func @too_large_to_fold
// CHECK: kiln.iota
// CHECK: kiln.broadcast_to
func.func @too_large_to_fold() -> (tensor<2000000xi32>, tensor<2x1000000xi64>) {
  %0 = kiln.iota {dimension = 0} : tensor<2000000xi32>
  %v = kiln.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %1 = kiln.broadcast_to %v : tensor<2x1xi64> to tensor<2x1000000xi64>
  return %0, %1 : tensor<2000000xi32>, tensor<2x1000000xi64>
}

// -----

// CHECK-LABEL: func @gather_and_scatter_add
// CHECK-DAG: kiln.constant dense<{{\[\[}}5.000000e+00, 6.000000e+00], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: kiln.constant dense<[4, 0, 2]> : tensor<3xi32>
// CHECK-NOT: kiln.gather
// CHECK-NOT: kiln.scatter_add
func.func @gather_and_scatter_add() -> (tensor<2x2xf32>, tensor<3xi32>) {
  %p = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %i = kiln.constant dense<[2, 0]> : tensor<2xi64>
  %0 = kiln.gather %p, %i : tensor<3x2xf32>, tensor<2xi64> -> tensor<2x2xf32>
  %x = kiln.constant dense<0> : tensor<3xi32>
  %j = kiln.constant dense<[0, 2, 0]> : tensor<3xi32>
  %u = kiln.constant dense<[1, 2, 3]> : tensor<3xi32>
  %1 = kiln.scatter_add %x, %j, %u : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>
  return %0, %1 : tensor<2x2xf32>, tensor<3xi32>
}

// -----

// Out-of-range indices are a run-time error at the op's location: never folded.
// CHECK-LABEL: func @out_of_range_indices
// CHECK: kiln.gather
// CHECK: kiln.gather
// CHECK: kiln.scatter_add
func.func @out_of_range_indices() -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<3xi32>) {
  %p = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %past = kiln.constant dense<[3]> : tensor<1xi32>
  %0 = kiln.gather %p, %past : tensor<3x2xf32>, tensor<1xi32> -> tensor<1x2xf32>
  %negative = kiln.constant dense<[-1]> : tensor<1xi64>
  %1 = kiln.gather %p, %negative : tensor<3x2xf32>, tensor<1xi64> -> tensor<1x2xf32>
  %x = kiln.constant dense<0> : tensor<3xi32>
  %j = kiln.constant dense<[0, 5, 0]> : tensor<3xi32>
  %u = kiln.constant dense<[1, 2, 3]> : tensor<3xi32>
  %2 = kiln.scatter_add %x, %j, %u : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>
  return %0, %1, %2 : tensor<1x2xf32>, tensor<1x2xf32>, tensor<3xi32>
}

// -----

// CHECK-LABEL: func @iota
// CHECK-DAG: kiln.constant dense<{{\[\[}}0, 1, 2], [0, 1, 2]]> : tensor<2x3xi32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}0.000000e+00, 0.000000e+00], [1.000000e+00, 1.000000e+00]]> : tensor<2x2xf64>
// CHECK-NOT: kiln.iota
func.func @iota() -> (tensor<2x3xi32>, tensor<2x2xf64>) {
  %0 = kiln.iota {dimension = 1} : tensor<2x3xi32>
  %1 = kiln.iota {dimension = 0} : tensor<2x2xf64>
  return %0, %1 : tensor<2x3xi32>, tensor<2x2xf64>
}

// -----

// With a constant generator state a draw folds; the state advances by the
// Philox blocks the draw used (4 f32 lanes per block, 2 f64/i32/i64 per block,
// 4 normal or truncated normal elements per block).
// CHECK-LABEL: func @random
// CHECK-DAG: kiln.constant dense<[42, 13]> : tensor<2xi64>
// The draw layout is a contract with compiled code: these are the eager
// front end's numbers for seed 42 (frontend/kiln/random.cpp).
// CHECK-DAG: kiln.constant dense<{{\[\[}}0.612959862, 0.468586504, 7.323170e-02], [0.340861499, 0.987718641, 0.327063322], [0.513906121, 0.454315543, 0.825866818], [0.658315479, 0.602743924, 0.773584663]]> : tensor<4x3xf32>
// CHECK-DAG: kiln.constant dense<{{.*}}> : tensor<5xf64>
// CHECK-DAG: kiln.constant dense<{{.*}}> : tensor<7xi32>
// CHECK-DAG: kiln.constant dense<{{.*}}> : tensor<5xf32>
// CHECK-DAG: kiln.constant dense<{{.*}}> : tensor<4xf64>
// CHECK-NOT: kiln.random
// CHECK-NOT: kiln.truncated_normal
func.func @random() -> (tensor<4x3xf32>, tensor<5xf64>, tensor<7xi32>, tensor<5xf32>,
                        tensor<4xf64>, tensor<2xi64>) {
  %s0 = kiln.constant dense<[42, 0]> : tensor<2xi64>
  // 12 f32: 3 blocks.
  %a, %s1 = kiln.random_uniform %s0 {minval = 0.0, maxval = 1.0} : (tensor<2xi64>) -> (tensor<4x3xf32>, tensor<2xi64>)
  // 5 f64: 3 blocks.
  %b, %s2 = kiln.random_uniform %s1 {minval = -1.0, maxval = 1.0} : (tensor<2xi64>) -> (tensor<5xf64>, tensor<2xi64>)
  // 7 i32: 4 blocks.
  %c, %s3 = kiln.random_uniform %s2 {minval = 0.0, maxval = 10.0} : (tensor<2xi64>) -> (tensor<7xi32>, tensor<2xi64>)
  // 5 normals: 2 blocks.
  %d, %s4 = kiln.random_normal %s3 {mean = 0.0, stddev = 1.0} : (tensor<2xi64>) -> (tensor<5xf32>, tensor<2xi64>)
  // 4 truncated normals: 1 block.
  %e, %s5 = kiln.truncated_normal %s4 {mean = 0.0, stddev = 1.0} : (tensor<2xi64>) -> (tensor<4xf64>, tensor<2xi64>)
  return %a, %b, %c, %d, %e, %s5 : tensor<4x3xf32>, tensor<5xf64>, tensor<7xi32>, tensor<5xf32>,
                                   tensor<4xf64>, tensor<2xi64>
}

// -----

// Folds the front end cannot compute without undefined behaviour are left to
// run time: integer matmul and scatter-add sums that could overflow, integer
// draws with bounds far outside int64. Ranks above the front end's limit of 8
// fold only as splats.
// CHECK-LABEL: func @not_folded_for_the_kernels
// CHECK-DAG: kiln.matmul
// CHECK-DAG: kiln.scatter_add
// CHECK-DAG: kiln.random_uniform
// CHECK-DAG: kiln.neg %{{.*}} : tensor<1x1x1x1x1x1x1x1x2xf32>
// CHECK-DAG: kiln.constant dense<-1.000000e+00> : tensor<1x1x1x1x1x1x1x1x2xf32>
func.func @not_folded_for_the_kernels(%s: tensor<2xi64>)
    -> (tensor<1x1xi32>, tensor<1xi64>, tensor<2xi64>, tensor<1x1x1x1x1x1x1x1x2xf32>,
        tensor<1x1x1x1x1x1x1x1x2xf32>) {
  %a = kiln.constant dense<65536> : tensor<1x2xi32>
  %b = kiln.constant dense<[[65536], [1]]> : tensor<2x1xi32>
  %0 = kiln.matmul %a, %b : tensor<1x2xi32>, tensor<2x1xi32> -> tensor<1x1xi32>
  %x = kiln.constant dense<9223372036854775807> : tensor<1xi64>
  %i = kiln.constant dense<[0]> : tensor<1xi32>
  %u = kiln.constant dense<[1]> : tensor<1xi64>
  %1 = kiln.scatter_add %x, %i, %u : tensor<1xi64>, tensor<1xi32>, tensor<1xi64>
  %seed = kiln.constant dense<[1, 0]> : tensor<2xi64>
  %2, %s2 = kiln.random_uniform %seed {minval = -1.0e19, maxval = 1.0e19} : (tensor<2xi64>) -> (tensor<2xi64>, tensor<2xi64>)
  %r9 = kiln.constant dense<[[[[[[[[[1.0, 2.0]]]]]]]]]> : tensor<1x1x1x1x1x1x1x1x2xf32>
  %3 = kiln.neg %r9 : tensor<1x1x1x1x1x1x1x1x2xf32>
  %one = kiln.constant dense<1.0> : tensor<1x1x1x1x1x1x1x1x2xf32>
  %4 = kiln.neg %one : tensor<1x1x1x1x1x1x1x1x2xf32>
  return %0, %1, %2, %3, %4 : tensor<1x1xi32>, tensor<1xi64>, tensor<2xi64>,
      tensor<1x1x1x1x1x1x1x1x2xf32>, tensor<1x1x1x1x1x1x1x1x2xf32>
}
