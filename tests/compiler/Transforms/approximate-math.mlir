// kiln-approximate-math: f32 transcendental math becomes inline polynomials (with
// llvm.intr.fma, not math.fma, which the libm conversion would turn into fmaf calls);
// f64 math keeps libm. kiln-compile does this unless --exact-math.
// RUN: kiln-opt %s --kiln-approximate-math | FileCheck %s
// RUN: kiln-compile %s --emit=llvm -o %t.ll
// RUN: FileCheck %s --check-prefix=LLVM --implicit-check-not=@expf --implicit-check-not=@log1pf < %t.ll
// RUN: kiln-compile %s --emit=llvm --exact-math -o %t-exact.ll
// RUN: FileCheck %s --check-prefix=EXACT < %t-exact.ll

#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @exp_f32
// CHECK-NOT: math.exp
// CHECK-NOT: math.fma
// CHECK: llvm.intr.fma
// CHECK-NOT: math.exp
// CHECK: return
func.func @exp_f32(%x: tensor<16xf32>) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// CHECK-LABEL: func.func @log1p_f32
// CHECK-NOT: math.log
// CHECK: return
func.func @log1p_f32(%x: tensor<16xf32>) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.log1p %a : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// CHECK-LABEL: func.func @exp_f64
// CHECK: math.exp %{{.*}} : f64
func.func @exp_f64(%x: tensor<16xf64>) -> tensor<16xf64> {
  %e = tensor.empty() : tensor<16xf64>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<16xf64>) outs(%e : tensor<16xf64>) {
  ^bb0(%a: f64, %o: f64):
    %r = math.exp %a : f64
    linalg.yield %r : f64
  } -> tensor<16xf64>
  return %0 : tensor<16xf64>
}

// LLVM-DAG: @llvm.fma.
// LLVM-DAG: declare double @exp(double

// EXACT-DAG: declare float @expf(float
// EXACT-DAG: declare float @log1pf(float
// EXACT-DAG: declare double @exp(double
