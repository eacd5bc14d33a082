// Float unary ops after the conversion give the eager kernels' results bit for
// bit (frontend/kiln/kernels/elementwise.cpp: the stable sigmoid and softplus,
// rsqrt as 1 / sqrt, libm's exp, expm1, log1p, tanh and log). The expected bit
// patterns come from kiln::kernels::unary on the same inputs. The kiln ops take
// function arguments, so that the conversion cannot fold them.
// RUN: kiln-opt %s --convert-kiln-to-linalg | %lower-to-llvm | %run-main | FileCheck %s

func.func private @printMemrefI32(tensor<*xi32>)

func.func @exp(%x: tensor<11xf32>) {
  %y = kiln.exp %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @expm1(%x: tensor<11xf32>) {
  %y = kiln.expm1 %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @tanh(%x: tensor<11xf32>) {
  %y = kiln.tanh %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @sigmoid(%x: tensor<11xf32>) {
  %y = kiln.sigmoid %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @softplus(%x: tensor<11xf32>) {
  %y = kiln.softplus %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @floor(%x: tensor<11xf32>) {
  %y = kiln.floor %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @sign(%x: tensor<11xf32>) {
  %y = kiln.sign %x : tensor<11xf32>
  %b = arith.bitcast %y : tensor<11xf32> to tensor<11xi32>
  %p = tensor.cast %b : tensor<11xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @log1p(%x: tensor<6xf32>) {
  %y = kiln.log1p %x : tensor<6xf32>
  %b = arith.bitcast %y : tensor<6xf32> to tensor<6xi32>
  %p = tensor.cast %b : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @log(%x: tensor<6xf32>) {
  %y = kiln.log %x : tensor<6xf32>
  %b = arith.bitcast %y : tensor<6xf32> to tensor<6xi32>
  %p = tensor.cast %b : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @sqrt(%x: tensor<6xf32>) {
  %y = kiln.sqrt %x : tensor<6xf32>
  %b = arith.bitcast %y : tensor<6xf32> to tensor<6xi32>
  %p = tensor.cast %b : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @rsqrt(%x: tensor<6xf32>) {
  %y = kiln.rsqrt %x : tensor<6xf32>
  %b = arith.bitcast %y : tensor<6xf32> to tensor<6xi32>
  %p = tensor.cast %b : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%p) : (tensor<*xi32>) -> ()
  return
}

func.func @main() {
  %x = arith.constant dense<[-30.0, -2.5, -0.75, -1.0e-6, 0.0, 3.0e-7, 0.5, 1.25, 4.0, 20.0, 100.0]> : tensor<11xf32>
  %p = arith.constant dense<[1.0e-6, 0.3, 1.0, 2.5, 10.0, 1.0e6]> : tensor<6xf32>
  call @exp(%x) : (tensor<11xf32>) -> ()
  // CHECK: [701675270,  1034427438,  1056037383,  1065353199,  1065353216,  1065353219,  1070795084,  1079992775,  1113220225,  1307007044,  2139095040]
  call @expm1(%x) : (tensor<11xf32>) -> ()
  // CHECK: [-1082130432,  -1083507590,  -1090055428,  -1249495111,  0,  882970546,  1059459737,  1075798472,  1112958082,  1307007044,  2139095040]
  call @tanh(%x) : (tensor<11xf32>) -> ()
  // CHECK: [-1082130432,  -1082355007,  -1088251617,  -1249495107,  0,  882970544,  1055693471,  1062807838,  1065341964,  1065353216,  1065353216]
  call @sigmoid(%x) : (tensor<11xf32>) -> ()
  // CHECK: [701675270,  1033591688,  1050952368,  1056964599,  1056964608,  1056964609,  1059019135,  1061616928,  1065051457,  1065353216,  1065353216]
  call @softplus(%x) : (tensor<11xf32>) -> ()
  // CHECK: [701675270,  1033998577,  1053168629,  1060205071,  1060205080,  1060205082,  1064918300,  1069563702,  1082168495,  1101004800,  1120403456]
  call @floor(%x) : (tensor<11xf32>) -> ()
  // CHECK: [-1041235968,  -1069547520,  -1082130432,  -1082130432,  0,  0,  0,  1065353216,  1082130432,  1101004800,  1120403456]
  call @sign(%x) : (tensor<11xf32>) -> ()
  // CHECK: [-1082130432,  -1082130432,  -1082130432,  -1082130432,  0,  1065353216,  1065353216,  1065353216,  1065353216,  1065353216,  1065353216]
  call @log1p(%p) : (tensor<6xf32>) -> ()
  // CHECK: [897988537,  1048990876,  1060205080,  1067473546,  1075410718,  1096617046]
  call @log(%p) : (tensor<6xf32>) -> ()
  // CHECK: [-1050866603,  -1080419384,  0,  1063948808,  1075010958,  1096617045]
  call @sqrt(%p) : (tensor<6xf32>) -> ()
  // CHECK: [981668463,  1057765260,  1065353216,  1070228162,  1078616770,  1148846080]
  call @rsqrt(%p) : (tensor<6xf32>) -> ()
  // CHECK: [1148846079,  1072280040,  1065353216,  1059186843,  1050798235,  981668463]
  return
}
