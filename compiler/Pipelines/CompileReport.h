// What the optimizing stages did to each function, for `kiln-compile --explain` and the
// artifact: the kernels left after fusion (which kiln ops each holds, estimated work),
// every fusion decision with its reason, and the memory plan. Plain data, no MLIR.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::compiler {

// A kiln op as the user wrote it: "kiln.mul" from nce_loss at model.cpp:25.
struct OpOrigin {
  std::string op;    // "kiln.mul"
  std::string api;   // the user's API that emitted it ("nce_loss"); may be empty
  std::string file;  // base name; empty when unknown
  int line = 0;

  std::string str() const;  // "kiln.mul (nce_loss, model.cpp:25)"
};

// One loop nest of the compiled function (a linalg op or a scalar loop after bufferization).
struct KernelReport {
  int index = 0;
  std::string kind;  // "elementwise", "reduction", "matmul", "gather", "copy", "fill", "loop"
  std::vector<OpOrigin> ops;  // the kiln ops fused into it, in program order, deduplicated
  int64_t iterations = 0;     // points of its iteration space (per execution)
  double flops = 0;           // estimated arithmetic operations per execution
  double bytes = 0;           // estimated bytes read + written per execution
  bool in_loop = false;       // inside a traced loop (runs once per iteration)
};

// A producer -> consumer edge the fusion pass looked at.
struct FusionDecision {
  OpOrigin producer, consumer;
  bool fused = false;
  std::string reason;  // why (not)
};

// One buffer of the memory plan: [offset, offset + bytes) of the arena, live from step
// `first` to step `last` of the function's program order.
struct PlannedBuffer {
  int64_t offset = 0, bytes = 0;
  int64_t first = 0, last = 0;
  std::string shape;  // "128x64xf32"
  OpOrigin origin;
};

struct MemoryPlan {
  int64_t arena_bytes = 0;            // what the function takes (0: no arena argument)
  int64_t sum_temporaries_bytes = 0;  // one buffer per temporary (64-byte rounded)
  int64_t peak_live_bytes = 0;        // the most live at once: the lower bound
  int64_t steps = 0;                  // length of the program order the ranges refer to
  std::vector<PlannedBuffer> buffers;
  std::vector<std::string> heap;  // temporaries left on the heap, with why
};

struct FunctionReport {
  std::string name;
  std::vector<KernelReport> kernels;
  int kernels_unfused = 0;  // kernels the function has with fusion off
  double bytes_unfused = 0;
  std::vector<FusionDecision> fusion;
  MemoryPlan memory;
};

struct CompileReport {
  std::vector<std::string> optimizations_on, optimizations_off;
  std::vector<FunctionReport> functions;
  double compile_seconds = 0;

  FunctionReport* find(const std::string& name);
  const FunctionReport* find(const std::string& name) const;
};

// The report as JSON (kernels, fusion, memory_plan per function) or as one self-contained
// HTML page (tables, and the memory plan drawn as buffers over time).
std::string report_json(const CompileReport& report);
std::string report_html(const CompileReport& report);

}  // namespace kiln::compiler
