// convert-kiln-to-linalg: every kiln op becomes linalg/tensor/arith/math/scf on
// tensors; ops that can fail at run time record into @__kiln_status.
// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// The matmuls' indexing maps (@matmul): A[i, k], B[k, j], C[i, j] over (i, k, j), and
// with a leading batch dimension.
// CHECK-DAG: #[[$MM_A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$MM_B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MM_C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$BMM_A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$BMM_B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[$BMM_C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>

// The status global is created once per module.
// CHECK: memref.global "public" @__kiln_status : memref<4xi64> = dense<0>

// CHECK-LABEL: func @constant
func.func @constant() -> tensor<2xf32> {
  // CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: iterator_types = ["parallel", "parallel"]
  // CHECK: math.exp
  %0 = kiln.exp %x : tensor<4x3xf32>
  // The stable sigmoid: both forms, chosen by x >= 0.
  // CHECK: linalg.generic
  // CHECK: arith.cmpf oge
  // CHECK: arith.select
  %1 = kiln.sigmoid %0 : tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// CHECK-LABEL: func @binary
func.func @binary(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  // CHECK: arith.addf
  %0 = kiln.add %x, %x : tensor<4xf32>
  // Max is NaN when either is, and `a > b ? a : b` otherwise.
  // CHECK: arith.cmpf ogt
  // CHECK: arith.cmpf uno
  %1 = kiln.max %0, %x : tensor<4xf32>
  // CHECK: arith.muli
  %2 = kiln.mul %i, %i : tensor<4xi32>
  return %1, %2 : tensor<4xf32>, tensor<4xi32>
}

// Integer division checks its divisor, then divides by a safe one.
// CHECK-LABEL: func @integer_div
func.func @integer_div(%x: tensor<4xi64>, %y: tensor<4xi64>) -> tensor<4xi64> {
  // CHECK: scf.for
  // CHECK: tensor.extract
  // CHECK: scf.if
  // CHECK: memref.get_global @__kiln_status
  // CHECK: arith.constant 7 : i64
  // CHECK: linalg.generic
  // CHECK: arith.select
  // CHECK: arith.divsi
  %0 = kiln.div %x, %y {kiln.site = 7 : i64} : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// CHECK-LABEL: func @compare_select_cast
func.func @compare_select_cast(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xi32> {
  // CHECK: arith.cmpf olt
  %m = kiln.compare lt, %x, %y : tensor<4xf32>
  // CHECK: arith.select
  %s = kiln.select %m, %x, %y : tensor<4xi1>, tensor<4xf32>
  // Saturating: NaN and out-of-range values never reach fptosi.
  // CHECK: arith.cmpf uno
  // CHECK: arith.fptosi
  %c = kiln.cast %s : tensor<4xf32> to tensor<4xi32>
  return %c : tensor<4xi32>
}

// CHECK-LABEL: func @reduce
func.func @reduce(%x: tensor<4x3xf32>) -> (tensor<4xf32>, tensor<3xi64>) {
  // CHECK: %[[ZERO:.*]] = linalg.fill
  // CHECK: linalg.generic
  // CHECK-SAME: iterator_types = ["parallel", "reduction"]
  // CHECK-SAME: outs(%[[ZERO]]
  // CHECK: arith.addf
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : tensor<4x3xf32> -> tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: iterator_types = ["reduction", "parallel"]
  // CHECK: linalg.index 0
  %1 = kiln.argmax %x {axis = 0} : tensor<4x3xf32> -> tensor<3xi64>
  return %0, %1 : tensor<4xf32>, tensor<3xi64>
}

// top_k has no linalg form: an scf.forall over the rows of [rows, n] (here the leading
// dimensions collapsed, and expanded back), each a serial scan into its [k] result slices.
// CHECK-LABEL: func @top_k
// CHECK:       tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x5xf32> into tensor<6x5xf32>
// CHECK:       scf.forall (%[[ROW:.*]]) in (6) shared_outs
// CHECK:         tensor.extract_slice %{{.*}}[%[[ROW]], 0] [1, 2] [1, 1] : tensor<6x2xf32> to tensor<2xf32>
// CHECK:         scf.for
// CHECK:           arith.cmpf ugt
// CHECK:         scf.forall.in_parallel
// CHECK-NEXT:      tensor.parallel_insert_slice %{{.*}}[%[[ROW]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<6x2xf32>
// CHECK-NEXT:      tensor.parallel_insert_slice %{{.*}}[%[[ROW]], 0] [1, 2] [1, 1] : tensor<2xi64> into tensor<6x2xi64>
// CHECK:       tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] {{.*}} : tensor<6x2xf32> into tensor<2x3x2xf32>
// CHECK:       tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] {{.*}} : tensor<6x2xi64> into tensor<2x3x2xi64>
// CHECK-NOT:   kiln.top_k
func.func @top_k(%x: tensor<2x3x5xf32>) -> (tensor<2x3x2xf32>, tensor<2x3x2xi64>) {
  %v, %i = kiln.top_k %x {k = 2} : tensor<2x3x5xf32> -> tensor<2x3x2xf32>, tensor<2x3x2xi64>
  return %v, %i : tensor<2x3x2xf32>, tensor<2x3x2xi64>
}

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>,
                  %c: tensor<2x4x2x3xf32>, %d: tensor<2x4x3x5xf32>)
    -> (tensor<2x5xf32>, tensor<2x4x2x5xf32>) {
  // The kernel's i-k-j loop order: j, along rows of B and C, is innermost.
  // CHECK: linalg.generic
  // CHECK-SAME: indexing_maps = [#[[$MM_A]], #[[$MM_B]], #[[$MM_C]]]
  // CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
  // CHECK: arith.mulf
  // CHECK-NEXT: arith.addf
  // CHECK-NOT: math.fma
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  // Batch dimensions are collapsed into one.
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]]
  // CHECK: linalg.generic
  // CHECK-SAME: indexing_maps = [#[[$BMM_A]], #[[$BMM_B]], #[[$BMM_C]]]
  // CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "parallel"]
  // CHECK: -> tensor<8x2x5xf32>
  // CHECK: tensor.expand_shape
  %1 = kiln.matmul %c, %d : tensor<2x4x2x3xf32>, tensor<2x4x3x5xf32> -> tensor<2x4x2x5xf32>
  return %0, %1 : tensor<2x5xf32>, tensor<2x4x2x5xf32>
}

// CHECK-LABEL: func @layout
func.func @layout(%x: tensor<2x3xf32>, %y: tensor<4x3xf32>, %z: tensor<3x1xf32>)
    -> (tensor<6xf32>, tensor<3x2xf32>, tensor<2x3x4xf32>, tensor<6x3xf32>, tensor<1x3xf32>,
        tensor<3x5xf32>) {
  // CHECK: tensor.collapse_shape
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  // CHECK: linalg.transpose
  // CHECK-SAME: permutation = [1, 0]
  %1 = kiln.transpose %x {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  // A size-1 axis is read at index 0.
  // CHECK: linalg.generic
  // CHECK: ins(%{{.*}} : tensor<3x1xf32>)
  %2 = kiln.broadcast_to %z : tensor<3x1xf32> to tensor<2x3x4xf32>
  // CHECK: tensor.empty() : tensor<6x3xf32>
  // CHECK: tensor.insert_slice %{{.*}}[0, 0] [2, 3] [1, 1]
  // CHECK: tensor.insert_slice %{{.*}}[2, 0] [4, 3] [1, 1]
  %3 = kiln.concat %x, %y {axis = 0} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<6x3xf32>
  // CHECK: tensor.extract_slice %{{.*}}[1, 0] [1, 3] [1, 1]
  %4 = kiln.slice %x {start = array<i64: 1, 0>} : tensor<2x3xf32> to tensor<1x3xf32>
  // CHECK: tensor.pad %{{.*}} low[1, 0] high[0, 2]
  %5 = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<3x5xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<6xf32>, tensor<3x2xf32>, tensor<2x3x4xf32>,
      tensor<6x3xf32>, tensor<1x3xf32>, tensor<3x5xf32>
}

// CHECK-LABEL: func @reshape_through_flat
func.func @reshape_through_flat(%x: tensor<2x3xf32>, %s: tensor<1x1xf32>) -> (tensor<3x2xf32>, tensor<f32>) {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  // CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1x1xf32> into tensor<f32>
  %1 = kiln.reshape %s : tensor<1x1xf32> to tensor<f32>
  return %0, %1 : tensor<3x2xf32>, tensor<f32>
}

// The conversion folds ops first (a small iota becomes a constant): this one is
// too large to fold.
// CHECK-LABEL: func @iota
func.func @iota() -> tensor<1024x1025xf32> {
  // CHECK: linalg.index 1
  // CHECK: arith.sitofp
  %0 = kiln.iota {dimension = 1} : tensor<1024x1025xf32>
  return %0 : tensor<1024x1025xf32>
}

// The indices are scanned (and a bad one recorded with the op's site), then
// clamped into [0, rows) once per row, outside the row's copy.
// CHECK-LABEL: func @gather
func.func @gather(%embed: tensor<100x8xf32>, %ids: tensor<4xi32>) -> tensor<4x8xf32> {
  // CHECK: scf.for
  // CHECK: arith.cmpi uge
  // CHECK: memref.get_global @__kiln_status
  // CHECK: arith.constant 3 : i64
  // CHECK: memref.store
  // CHECK: scf.for %[[I:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<4x8xf32>)
  // CHECK: arith.maxsi
  // CHECK: %[[ROW:.*]] = arith.minsi
  // CHECK: %[[R:.*]] = arith.index_cast %[[ROW]]
  // CHECK: %[[V:.*]] = tensor.extract_slice %{{.*}}[%[[R]], 0] [1, 8] [1, 1] : tensor<100x8xf32> to tensor<8xf32>
  // CHECK: tensor.insert_slice %[[V]] into %[[ACC]][%[[I]], 0] [1, 8] [1, 1]
  %0 = kiln.gather %embed, %ids {kiln.site = 3 : i64} : tensor<100x8xf32>, tensor<4xi32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Constant indices known to be in range, and constant divisors without zeros,
// need no check.
// CHECK-LABEL: func @checks_not_needed
func.func @checks_not_needed(%embed: tensor<100x8xf32>, %x: tensor<2xi32>)
    -> (tensor<2x8xf32>, tensor<2xi32>) {
  // CHECK-NOT: @__kiln_status
  // CHECK: tensor.extract_slice
  %ids = kiln.constant dense<[0, 99]> : tensor<2xi64>
  %0 = kiln.gather %embed, %ids : tensor<100x8xf32>, tensor<2xi64> -> tensor<2x8xf32>
  %d = kiln.constant dense<[3, -1]> : tensor<2xi32>
  %1 = kiln.div %x, %d : tensor<2xi32>
  // CHECK: arith.divsi
  // CHECK-NOT: @__kiln_status
  // CHECK: return
  return %0, %1 : tensor<2x8xf32>, tensor<2xi32>
}

// Rows are added one index at a time, in order.
// CHECK-LABEL: func @scatter_add
func.func @scatter_add(%x: tensor<100x8xf32>, %ids: tensor<4x2xi64>, %rows: tensor<4x2x8xf32>)
    -> tensor<100x8xf32> {
  // CHECK: memref.get_global @__kiln_status
  // CHECK: scf.for {{.*}} iter_args
  // CHECK: scf.for {{.*}} iter_args
  // CHECK: tensor.extract_slice %{{.*}} : tensor<100x8xf32> to tensor<8xf32>
  // CHECK: tensor.extract_slice %{{.*}} : tensor<4x2x8xf32> to tensor<8xf32>
  // CHECK: arith.addf
  // CHECK: tensor.insert_slice
  %0 = kiln.scatter_add %x, %ids, %rows : tensor<100x8xf32>, tensor<4x2xi64>, tensor<4x2x8xf32>
  return %0 : tensor<100x8xf32>
}

// CHECK-LABEL: func @random
func.func @random(%s: tensor<2xi64>) -> (tensor<4x3xf32>, tensor<5xf64>, tensor<2xi64>) {
  // Philox rounds, then the new state [seed, offset + 3 blocks].
  // CHECK: linalg.generic
  // CHECK: arith.mului_extended
  // CHECK: %[[OFFSET:.*]] = arith.addi %{{.*}}, %c3_i64
  // CHECK: tensor.from_elements %{{.*}}, %[[OFFSET]] : tensor<2xi64>
  %v, %s1 = kiln.random_uniform %s {minval = 0.0, maxval = 1.0} : (tensor<2xi64>) -> (tensor<4x3xf32>, tensor<2xi64>)
  // CHECK: math.log
  // CHECK-DAG: math.sin
  // CHECK-DAG: math.cos
  %n, %s2 = kiln.random_normal %s1 {mean = 0.0, stddev = 2.0} : (tensor<2xi64>) -> (tensor<5xf64>, tensor<2xi64>)
  return %v, %n, %s2 : tensor<4x3xf32>, tensor<5xf64>, tensor<2xi64>
}

// -----

// The truncated normal calls the module's quantile function, which calls erfc.
// CHECK-LABEL: func @truncated_normal
func.func @truncated_normal(%s: tensor<2xi64>) -> tensor<2x2xf32> {
  // CHECK: call @__kiln_normal_quantile
  // CHECK: arith.truncf
  %t, %s1 = kiln.truncated_normal %s {mean = 1.0, stddev = 0.5} : (tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2xi64>)
  return %t : tensor<2x2xf32>
}
// CHECK: func.func private @erfc(f64) -> f64
// CHECK: func.func private @__kiln_normal_quantile(%{{.*}}: f64) -> f64
// CHECK: call @erfc

// -----

// CHECK-LABEL: func @loop
func.func @loop(%x: tensor<f32>) -> tensor<f32> {
  // CHECK: %[[R:.*]] = scf.for %[[I:.*]] = %c2 to %c5 step %c1 iter_args(%[[A:.*]] = %{{.*}}) -> (tensor<f32>)
  // CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
  // CHECK: tensor.from_elements %[[I64]] : tensor<i64>
  // CHECK: scf.yield %{{.*}} : tensor<f32>
  // CHECK: return %[[R]]
  %r = kiln.loop (%i) = 2 to 5 iter_args(%a = %x) -> (tensor<f32>) {
    %f = kiln.cast %i : tensor<i64> to tensor<f32>
    %a2 = kiln.add %a, %f : tensor<f32>
    kiln.yield %a2 : tensor<f32>
  }
  return %r : tensor<f32>
}
