// Random tensors from a counter-based generator (Philox4x32-10, Salmon et al. 2011).
//
// Element i of a draw depends only on (seed, offset + i / lanes): no hidden global
// state, the same numbers on every machine and in compiled code. A Generator hands
// out consecutive counter ranges; its state (seed, offset) is an ordinary int64[2]
// variable, so traced code takes and returns it (kiln.random_* ops) and checkpoints
// save it by name. The seed-taking overloads are stateless.
#pragma once

#include <array>
#include <cstdint>

#include "kiln/tensor.h"
#include "kiln/variable.h"

namespace kiln {

// One Philox4x32-10 block: 4 random 32-bit words for a 128-bit counter and 64-bit key.
std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// A handle, like Variable: copies share one state.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0, uint64_t offset = 0, std::string name = "generator");
  uint64_t seed() const;
  uint64_t offset() const;  // next unused counter, in Philox blocks
  void set_state(uint64_t seed, uint64_t offset);
  // Reserves `blocks` counters and returns the first (eager draws).
  uint64_t take(uint64_t blocks);
  // The state as a non-trainable int64[2] variable {seed, offset} named `name`.
  const Variable& state() const { return state_; }

 private:
  Variable state_;
};

// U[minval, maxval) in float32/float64; ints: uniform in [minval, maxval).
Tensor random_uniform(const Shape& shape, Generator& gen, double minval = 0, double maxval = 1,
                      DType dtype = f32, const Loc& loc = Loc::current());
Tensor random_uniform(const Shape& shape, uint64_t seed, double minval = 0, double maxval = 1,
                      DType dtype = f32, const Loc& loc = Loc::current());
// N(mean, stddev^2) by Box–Muller.
Tensor random_normal(const Shape& shape, Generator& gen, double mean = 0, double stddev = 1,
                     DType dtype = f32, const Loc& loc = Loc::current());
Tensor random_normal(const Shape& shape, uint64_t seed, double mean = 0, double stddev = 1,
                     DType dtype = f32, const Loc& loc = Loc::current());
// Normal truncated to [mean - 2 stddev, mean + 2 stddev] (tf.random.truncated_normal),
// drawn by inverting the normal CDF so that each element uses exactly one counter lane.
Tensor truncated_normal(const Shape& shape, Generator& gen, double mean = 0, double stddev = 1,
                        DType dtype = f32, const Loc& loc = Loc::current());
Tensor truncated_normal(const Shape& shape, uint64_t seed, double mean = 0, double stddev = 1,
                        DType dtype = f32, const Loc& loc = Loc::current());

// The inverse of the standard normal CDF, accurate to about 1e-15 (used by truncated_normal).
double normal_quantile(double p);

}  // namespace kiln
