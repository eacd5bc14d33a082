// Loading a run's embeddings and searching them by cosine similarity.
#include "word2vec_eval/embeddings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "kiln/checkpoint.h"
#include "kiln/data/vocabulary.h"
#include "kiln/kernels/parallel.h"

namespace word2vec {
namespace fs = std::filesystem;

std::string resolve_checkpoint(const std::string& run) {
  std::error_code ec;
  if (!fs::exists(run, ec)) throw InputError("'" + run + "' does not exist");
  if (!fs::is_directory(run, ec)) return run;
  const std::string index = (fs::path(run) / "checkpoint").string();
  std::ifstream in(index);
  if (!in)
    throw InputError("'" + run + "' is a directory without a 'checkpoint' file naming its " +
                     "latest checkpoint (is it a training run directory?)");
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string name = line;
    const std::string key = "model_checkpoint_path:";
    if (name.rfind(key, 0) == 0) {
      size_t open = name.find('"'), close = name.rfind('"');
      if (open == std::string::npos || close == open)
        throw InputError(index + ":" + std::to_string(line_no) +
                         ": expected model_checkpoint_path: \"NAME\", got '" + line + "'");
      name = name.substr(open + 1, close - open - 1);
    } else if (name.find(':') != std::string::npos) {
      continue;  // another TensorFlow key (all_model_checkpoint_paths, timestamps)
    }
    name.erase(0, name.find_first_not_of(" \t\r"));
    name.erase(name.find_last_not_of(" \t\r") + 1);
    if (name.empty()) continue;
    fs::path path = fs::path(name).is_absolute() ? fs::path(name) : fs::path(run) / name;
    return path.string();
  }
  throw InputError(index + ": names no checkpoint");
}

Embeddings load_embeddings(const std::string& run) {
  const std::string path = resolve_checkpoint(run);
  kiln::CheckpointFile file = [&] {
    try {
      return kiln::load_checkpoint(path);
    } catch (const kiln::Error& e) {
      throw InputError(e.detail());
    }
  }();
  if (!file.contains("embed_matrix"))
    throw InputError(path + ": no variable 'embed_matrix' (is it a word2vec checkpoint?)");
  auto vocab_text = file.metadata().find("vocabulary");
  if (vocab_text == file.metadata().end())
    throw InputError(path + ": no 'vocabulary' in its metadata (is it a word2vec checkpoint?)");

  Embeddings e;
  e.checkpoint = path;
  e.step = file.step();
  try {
    kiln::data::Vocabulary vocabulary =
        kiln::data::Vocabulary::deserialize(vocab_text->second, path + " (vocabulary)");
    e.words.reserve(static_cast<size_t>(vocabulary.size()));
    for (int64_t id = 0; id < vocabulary.size(); ++id) e.words.push_back(vocabulary.word(id));
  } catch (const kiln::Error& err) {
    throw InputError(err.detail());
  }
  kiln::Tensor matrix = file.tensor("embed_matrix");
  if (matrix.dtype() != kiln::f32 || matrix.rank() != 2 || matrix.dim(0) != e.rows())
    throw InputError(path + ": 'embed_matrix' is " + std::string(kiln::dtype_name(matrix.dtype())) +
                     matrix.shape().str() + ", expected f32[" + std::to_string(e.rows()) +
                     ", D] for its vocabulary of " + std::to_string(e.rows()) + " words");
  e.dim = matrix.dim(1);
  e.vectors = matrix.to_vector<float>();
  return e;
}

std::vector<float> unit_rows(const Embeddings& embeddings) {
  std::vector<float> unit(embeddings.vectors.size());
  const int64_t d = embeddings.dim;
  for (int64_t r = 0; r < embeddings.rows(); ++r) {
    const float* v = embeddings.row(r);
    double sq = 0;
    for (int64_t j = 0; j < d; ++j) sq += static_cast<double>(v[j]) * v[j];
    const float scale = sq > 0 ? static_cast<float>(1 / std::sqrt(sq)) : 0.0f;
    for (int64_t j = 0; j < d; ++j) unit[static_cast<size_t>(r * d + j)] = v[j] * scale;
  }
  return unit;
}

std::string fold_case(std::string_view word) {
  std::string folded(word);
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return folded;
}

std::unordered_map<std::string, int64_t> case_folded_index(const Embeddings& embeddings,
                                                           int64_t limit) {
  std::unordered_map<std::string, int64_t> index;
  const int64_t n = std::min(limit, embeddings.rows());
  index.reserve(static_cast<size_t>(n));
  for (int64_t id = 0; id < n; ++id)
    index.emplace(fold_case(embeddings.words[static_cast<size_t>(id)]), id);  // first one wins
  return index;
}

namespace {

// Candidates are packed in tiles of kTile columns, transposed ([D][kTile], 32 KB for D = 128,
// so a tile stays in L1), and each tile is multiplied by kGroup queries at once so that every
// load of the tile feeds kGroup multiply-adds; the inner loop over the tile's columns has no
// reduction, so the compiler vectorizes it without reassociating floats. Blocks of kBlock
// queries pass over all tiles together, so the candidate matrix streams from memory once per
// block instead of once per query (a plain row-by-row product is memory-bound: 15 MB per query).
constexpr int64_t kTile = 64;
constexpr int64_t kGroup = 4;
constexpr int64_t kBlock = 128;

// scores[g][c] = dot(queries[g], tile column c) for the kGroup queries (rows of `dim` floats).
void score_tile(const float* queries, const float* tile, int64_t dim, float* scores) {
  float s0[kTile] = {}, s1[kTile] = {}, s2[kTile] = {}, s3[kTile] = {};
  for (int64_t j = 0; j < dim; ++j) {
    const float q0 = queries[j], q1 = queries[dim + j], q2 = queries[2 * dim + j],
                q3 = queries[3 * dim + j];
    const float* t = tile + j * kTile;
    for (int64_t c = 0; c < kTile; ++c) {
      s0[c] += q0 * t[c];
      s1[c] += q1 * t[c];
      s2[c] += q2 * t[c];
      s3[c] += q3 * t[c];
    }
  }
  for (int64_t c = 0; c < kTile; ++c) {
    scores[c] = s0[c];
    scores[kTile + c] = s1[c];
    scores[2 * kTile + c] = s2[c];
    scores[3 * kTile + c] = s3[c];
  }
}

// Offers candidates [c0, c0 + count) with their scores to a best-first list of at most k.
void keep_best(std::vector<Neighbor>& best, int64_t k, const float* scores, int64_t c0,
               int64_t count, const std::vector<int64_t>* skip) {
  for (int64_t i = 0; i < count; ++i) {
    const float v = scores[i];
    // Strictly greater: an equal score never displaces a lower id already kept.
    if (static_cast<int64_t>(best.size()) == k && !(v > best.back().similarity)) continue;
    const int64_t c = c0 + i;
    if (skip && std::find(skip->begin(), skip->end(), c) != skip->end()) continue;
    auto at =
        std::find_if(best.begin(), best.end(), [&](const Neighbor& x) { return v > x.similarity; });
    best.insert(at, Neighbor{c, v});
    if (static_cast<int64_t>(best.size()) > k) best.pop_back();
  }
}

}  // namespace

std::vector<std::vector<Neighbor>> nearest(const std::vector<float>& queries, int64_t n,
                                           const std::vector<float>& table, int64_t dim,
                                           int64_t candidates, int64_t k,
                                           const std::vector<std::vector<int64_t>>& exclude) {
  std::vector<std::vector<Neighbor>> result(static_cast<size_t>(n));
  if (n == 0 || candidates == 0 || k == 0) return result;
  const int64_t tiles = (candidates + kTile - 1) / kTile;
  std::vector<float> packed(static_cast<size_t>(tiles * dim * kTile), 0.0f);
  for (int64_t c = 0; c < candidates; ++c)
    for (int64_t j = 0; j < dim; ++j)
      packed[static_cast<size_t>(((c / kTile) * dim + j) * kTile + c % kTile)] =
          table[static_cast<size_t>(c * dim + j)];

  const int64_t blocks = (n + kBlock - 1) / kBlock;
  kiln::kernels::parallel_for(blocks, /*grain=*/1, [&](int64_t b0, int64_t b1) {
    std::vector<float> group(static_cast<size_t>(kGroup * dim));
    float scores[kGroup * kTile];
    for (int64_t q0 = b0 * kBlock; q0 < std::min(n, b1 * kBlock); q0 += kBlock) {
      const int64_t q1 = std::min(n, q0 + kBlock);
      for (int64_t t = 0; t < tiles; ++t) {
        const int64_t c0 = t * kTile, count = std::min(kTile, candidates - c0);
        for (int64_t g = q0; g < q1; g += kGroup) {
          // The last group of a block is padded with zero queries, whose scores are unused.
          const int64_t used = std::min(kGroup, q1 - g);
          std::fill(group.begin(), group.end(), 0.0f);
          std::copy(queries.begin() + g * dim, queries.begin() + (g + used) * dim, group.begin());
          score_tile(group.data(), packed.data() + t * dim * kTile, dim, scores);
          for (int64_t i = 0; i < used; ++i)
            keep_best(result[static_cast<size_t>(g + i)], k, scores + i * kTile, c0, count,
                      exclude.empty() ? nullptr : &exclude[static_cast<size_t>(g + i)]);
        }
      }
    }
  });
  return result;
}

}  // namespace word2vec
