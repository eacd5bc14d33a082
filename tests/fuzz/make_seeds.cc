// Writes the fuzzers' seed corpora: small valid inputs made by the runtime's own writers, so
// that they follow the formats as they are now. Usage: make_seeds OUT_DIR (creates
// OUT_DIR/npy, OUT_DIR/checkpoint and OUT_DIR/artifact).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "kiln/schemas/artifact_generated.h"
#include "runtime/src/checkpoint.h"
#include "runtime/src/npy.h"
#include "runtime/src/status.h"
#include "runtime/src/xxhash.h"

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

// An artifact shaped like the Huber model's (a batched predict, a training step that updates
// both variables, one error site), built directly: the artifact writer lives in the compiler,
// which this project leaves out. The code is only an ELF header: verification reads no more.
void artifact_seeds(const fs::path& dir) {
  namespace fb = kiln::fb;
  flatbuffers::FlatBufferBuilder b;
  auto spec = [&](const char* name, std::vector<int64_t> shape) {
    return fb::CreateTensorSpecDirect(b, name, fb::DType::F32, &shape);
  };
  std::vector<flatbuffers::Offset<fb::Argument>> predict_args = {
      fb::CreateArgument(b, spec("x", {1}), false),
      fb::CreateArgument(b, spec("model/b", {}), true),
      fb::CreateArgument(b, spec("model/w", {}), true)};
  std::vector<flatbuffers::Offset<fb::TensorSpec>> predict_outputs = {spec("y", {1})};
  std::vector<flatbuffers::Offset<fb::Argument>> train_args = {
      fb::CreateArgument(b, spec("x", {8}), false), fb::CreateArgument(b, spec("y", {8}), false),
      fb::CreateArgument(b, spec("model/b", {}), true),
      fb::CreateArgument(b, spec("model/w", {}), true)};
  std::vector<flatbuffers::Offset<fb::TensorSpec>> train_outputs = {spec("loss", {})};
  std::vector<flatbuffers::Offset<flatbuffers::String>> updates = {b.CreateString("model/b"),
                                                                   b.CreateString("model/w")};
  std::vector<flatbuffers::Offset<fb::Function>> functions = {
      fb::CreateFunctionDirect(b, "predict", "kiln_predict", &predict_args, &predict_outputs,
                               nullptr, /*batched=*/true),
      fb::CreateFunctionDirect(b, "train_step", "kiln_train_step", &train_args, &train_outputs,
                               &updates, /*batched=*/false)};
  std::vector<flatbuffers::Offset<fb::Variable>> variables = {
      fb::CreateVariable(b, spec("model/b", {})), fb::CreateVariable(b, spec("model/w", {}))};
  std::vector<flatbuffers::Offset<fb::ErrorSite>> sites = {
      fb::CreateErrorSiteDirect(b, /*id=*/1, "gather", "embedding_lookup", "huber.cpp", 51)};
  auto build = fb::CreateBuildInfoDirect(b, "kiln 0.1.0", "x86-64", "x86-64", "+sse2", 2,
                                         "kiln-compile huber.mlir", "huber.mlir", 0);
  // The ELF header of an x86-64 shared object: class 64, little-endian, type 3, machine 62.
  std::vector<uint8_t> code(64, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::copy(std::begin(ident), std::end(ident), code.begin());
  code[16] = 3;
  code[18] = 62;
  auto artifact = fb::CreateArtifactDirect(b, /*format_version=*/1, &functions, &variables, &sites,
                                           "kiln_status", build, fb::CodeFormat::ElfSharedObject,
                                           &code, kiln::rt::xxh64(code.data(), code.size()));
  b.Finish(artifact, fb::ArtifactIdentifier());
  write_file(dir / "huber.kiln", b.GetBufferPointer(), b.GetSize());
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
    fs::create_directories(out / "artifact");
    npy_seeds(out / "npy");
    checkpoint_seeds(out / "checkpoint");
    artifact_seeds(out / "artifact");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
