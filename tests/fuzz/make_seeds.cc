// Writes the fuzzers' seed corpora: small valid inputs made by the runtime's own writers, so
// that they follow the formats as they are now. Usage: make_seeds OUT_DIR (creates
// OUT_DIR/npy and OUT_DIR/checkpoint).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/src/checkpoint.h"
#include "runtime/src/npy.h"
#include "runtime/src/status.h"

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw kiln::rt::Error(KILN_INTERNAL, "cannot write " + path.string());
}

// .npy files of every dtype from literals, and the literals themselves (first byte: dtype).
void npy_seeds(const fs::path& dir) {
  struct Seed {
    kiln_dtype dtype;
    const char* literal;
  };
  const Seed seeds[] = {
      {KILN_F32, "[[1.5, -2], [0.1, 3e38]]"},
      {KILN_F64, "[1e-300, -0.0, 2.5]"},
      {KILN_I32, "-7"},
      {KILN_I64, "[[[1], [2]], [[3], [4]]]"},
      {KILN_BOOL, "[true, false, true]"},
      {KILN_F32, "[]"},
      {KILN_I32, "[[], []]"},
  };
  int n = 0;
  for (const Seed& s : seeds) {
    std::string name = std::to_string(n++);
    kiln::rt::HostTensor t = kiln::rt::parse_literal(s.literal, s.dtype, "seed");
    kiln::rt::write_npy((dir / (name + ".npy")).string(), t.view());
    std::string literal = static_cast<char>(s.dtype) + std::string(s.literal);
    write_file(dir / (name + ".literal"), literal.data(), literal.size());
  }
}

void checkpoint_seeds(const fs::path& dir) {
  const float weights[6] = {1.5f, -2.0f, 0.25f, 3.0f, 4.0f, -5.5f};
  const int64_t counter[2] = {7, 1 << 20};
  const uint8_t mask[3] = {1, 0, 1};

  kiln::rt::CheckpointWriter empty;
  auto bytes = empty.to_bytes();
  write_file(dir / "empty.kckpt", bytes.data(), bytes.size());

  kiln::rt::CheckpointWriter one;
  one.add("model/w", KILN_KIND_VARIABLE, KILN_F32, {2, 3}, weights);
  bytes = one.to_bytes();
  write_file(dir / "one.kckpt", bytes.data(), bytes.size());

  kiln::rt::CheckpointWriter full;
  full.set_step(42);
  full.add("model/w", KILN_KIND_VARIABLE, KILN_F32, {2, 3}, weights);
  full.add("model/w/adam_m", KILN_KIND_OPTIMIZER_SLOT, KILN_F32, {6}, weights);
  full.add("rng", KILN_KIND_RNG_STATE, KILN_I64, {2}, counter);
  full.add("mask", KILN_KIND_DATA, KILN_BOOL, {3}, mask);
  full.add("scalar", KILN_KIND_VARIABLE, KILN_F64, {}, weights);
  full.set_metadata("optimizer", "adam");
  full.set_metadata("learning_rate", "0.001");
  bytes = full.to_bytes();
  write_file(dir / "full.kckpt", bytes.data(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  try {
    fs::path out = argv[1];
    fs::create_directories(out / "npy");
    fs::create_directories(out / "checkpoint");
    npy_seeds(out / "npy");
    checkpoint_seeds(out / "checkpoint");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
