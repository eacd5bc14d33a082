// Elementwise ops after the conversion compute what the eager kernels do:
// add with a broadcast (already expanded by broadcast_to), saturating casts,
// integer pow and division with their wrap-around, and the zero-divisor
// report. The kiln ops take function arguments, so that the conversion cannot
// fold them with the eager kernels.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

// Declared here so that @main may read it; the pass keeps an existing global.
memref.global "public" @__kiln_status : memref<4xi64> = dense<0>

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)
func.func private @printMemrefI64(memref<*xi64>)

func.func @add_broadcast(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %bb = kiln.broadcast_to %b : tensor<3xf32> to tensor<2x3xf32>
  %sum = kiln.add %x, %bb : tensor<2x3xf32>
  return %sum : tensor<2x3xf32>
}

func.func @cast(%f: tensor<6xf32>) -> tensor<6xi32> {
  %i = kiln.cast %f : tensor<6xf32> to tensor<6xi32>
  return %i : tensor<6xi32>
}

func.func @integer_math(%x: tensor<6xi32>, %y: tensor<6xi32>)
    -> (tensor<6xi32>, tensor<6xi32>, tensor<6xi32>) {
  %p = kiln.pow %x, %y : tensor<6xi32>
  %s = kiln.sign %x : tensor<6xi32>
  %r = kiln.relu %x : tensor<6xi32>
  return %p, %s, %r : tensor<6xi32>, tensor<6xi32>, tensor<6xi32>
}

func.func @float_math(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %m = kiln.max %x, %y : tensor<4xf32>
  %r = kiln.relu %x : tensor<4xf32>
  return %m, %r : tensor<4xf32>, tensor<4xf32>
}

func.func @div(%n: tensor<4xi32>, %d: tensor<4xi32>) -> tensor<4xi32> {
  %q = kiln.div %n, %d {kiln.site = 4 : i64} : tensor<4xi32>
  return %q : tensor<4xi32>
}

func.func @main() {
  // [[1, 2, 3], [4, 5, 6]] + broadcast([10, 20, 30])
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %sum = call @add_broadcast(%x, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %p0 = tensor.cast %sum : tensor<2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%p0) : (tensor<*xf32>) -> ()
  // CHECK:      [11,   22,   33],
  // CHECK-NEXT: [14,   25,   36]

  // Float to int truncates toward zero, saturates, and maps NaN to 0.
  %f = arith.constant dense<[-2.7, 2.7, 3.0e10, -3.0e10, 0x7FC00000, 2147483520.0]> : tensor<6xf32>
  %i = call @cast(%f) : (tensor<6xf32>) -> tensor<6xi32>
  %pi = tensor.cast %i : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%pi) : (tensor<*xi32>) -> ()
  // CHECK: [-2,  2,  2147483647,  -2147483648,  0,  2147483520]

  // pow: 3^4, 2^31 wraps, (-1)^-3, 2^-1 = 0, 1^-5, 0^0; sign; relu.
  %bx = arith.constant dense<[3, 2, -1, 2, 1, 0]> : tensor<6xi32>
  %by = arith.constant dense<[4, 31, -3, -1, -5, 0]> : tensor<6xi32>
  %pw, %sg, %rl = call @integer_math(%bx, %by)
      : (tensor<6xi32>, tensor<6xi32>) -> (tensor<6xi32>, tensor<6xi32>, tensor<6xi32>)
  %ppw = tensor.cast %pw : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%ppw) : (tensor<*xi32>) -> ()
  // CHECK: [81,  -2147483648,  -1,  0,  1,  1]
  %psg = tensor.cast %sg : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%psg) : (tensor<*xi32>) -> ()
  // CHECK: [1,  1,  -1,  1,  1,  0]
  %prl = tensor.cast %rl : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%prl) : (tensor<*xi32>) -> ()
  // CHECK: [3,  2,  0,  2,  1,  0]

  // max is NaN when either is; relu maps NaN to 0.
  %fx = arith.constant dense<[1.0, 0x7FC00000, -3.0, 2.0]> : tensor<4xf32>
  %fy = arith.constant dense<[2.0, 1.0, 0x7FC00000, -1.0]> : tensor<4xf32>
  %mx, %fr = call @float_math(%fx, %fy) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %pmx = tensor.cast %mx : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%pmx) : (tensor<*xf32>) -> ()
  // CHECK: [2,  nan,  nan,  2]
  %pfr = tensor.cast %fr : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%pfr) : (tensor<*xf32>) -> ()
  // CHECK: [1,  0,  0,  2]

  // Integer division truncates; INT_MIN / -1 wraps; x / 0 gives 0 and is
  // reported as [site, position, value, bound].
  %n = arith.constant dense<[7, -7, -2147483648, 5]> : tensor<4xi32>
  %d = arith.constant dense<[2, 2, -1, 0]> : tensor<4xi32>
  %q = call @div(%n, %d) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %pq = tensor.cast %q : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%pq) : (tensor<*xi32>) -> ()
  // CHECK: [3,  -3,  -2147483648,  0]
  %status = memref.get_global @__kiln_status : memref<4xi64>
  %ps = memref.cast %status : memref<4xi64> to memref<*xi64>
  call @printMemrefI64(%ps) : (memref<*xi64>) -> ()
  // CHECK: [4,  3,  0,  0]
  return
}
