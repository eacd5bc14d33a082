// kiln-plan-memory: temporaries become views of one arena argument at offsets chosen by
// liveness; buffers live at the same time never share bytes; escaping ones stay allocs.
// RUN: kiln-opt %s --kiln-plan-memory --split-input-file | FileCheck %s

// Two temporaries one after the other share offset 0; the one live across both does not.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: %[[ARENA:[a-z0-9]+]]: memref<2048xi8>
// CHECK-SAME: memory_plan.arena_bytes = 2048
// CHECK-SAME: memory_plan.peak_live_bytes = 2048
// CHECK-SAME: memory_plan.sum_temporaries_bytes = 3072
// CHECK-NOT: memref.alloc
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<2048xi8> to memref<256xf32>
func.func @reuse(%x: memref<256xf32>, %out: memref<256xf32>) {
  %long = memref.alloc() : memref<256xf32>
  linalg.copy ins(%x : memref<256xf32>) outs(%long : memref<256xf32>)
  %a = memref.alloc() : memref<256xf32>
  linalg.copy ins(%long : memref<256xf32>) outs(%a : memref<256xf32>)
  linalg.copy ins(%a : memref<256xf32>) outs(%out : memref<256xf32>)
  %b = memref.alloc() : memref<256xf32>
  linalg.copy ins(%long : memref<256xf32>) outs(%b : memref<256xf32>)
  linalg.copy ins(%b : memref<256xf32>) outs(%out : memref<256xf32>)
  return
}

// -----

// A buffer used inside a loop is live until the loop ends (later iterations read it).
// CHECK-LABEL: func.func @loop
// CHECK-SAME: memory_plan.arena_bytes = 128
// CHECK-SAME: memory_plan.peak_live_bytes = 128
func.func @loop(%x: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %t = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%t : memref<16xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %u = memref.alloc() : memref<16xf32>
    linalg.copy ins(%t : memref<16xf32>) outs(%u : memref<16xf32>)
    linalg.copy ins(%u : memref<16xf32>) outs(%out : memref<16xf32>)
  }
  return
}

// -----

// A buffer a loop yields escapes the plan: it stays a heap allocation.
// CHECK-LABEL: func.func @escapes
// CHECK-SAME: memory_plan.heap_temporaries = 1
// CHECK: memref.alloc
func.func @escapes(%x: memref<16xf32>) -> memref<16xf32> {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> memref<16xf32> {
    %u = memref.alloc() : memref<16xf32>
    linalg.copy ins(%acc : memref<16xf32>) outs(%u : memref<16xf32>)
    scf.yield %u : memref<16xf32>
  }
  return %r : memref<16xf32>
}
