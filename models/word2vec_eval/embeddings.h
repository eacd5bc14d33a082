// A trained word2vec run as evaluation and export see it: the vocabulary's words and the
// embedding matrix, read from a checkpoint file or a run directory, and nearest-neighbour
// search by cosine similarity over its rows.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace word2vec {

// Bad user input (a missing file, a malformed line), with a message naming the file and, for
// text files, the line ("questions.txt:12: ...").
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Embeddings {
  std::string checkpoint;          // the file the vectors came from
  int64_t step = 0;                // its training step
  std::vector<std::string> words;  // by id; words[0] is "UNK"
  int64_t dim = 0;
  std::vector<float> vectors;  // words.size() x dim, row-major: "embed_matrix"

  int64_t rows() const { return static_cast<int64_t>(words.size()); }
  const float* row(int64_t id) const { return vectors.data() + id * dim; }
};

// The checkpoint a path names: the path itself when it is a file, else the file named by the
// run directory's "checkpoint" file (TensorFlow's `model_checkpoint_path: "NAME"` line, NAME
// relative to the directory; a file holding just NAME is accepted too). Throws InputError.
std::string resolve_checkpoint(const std::string& run);

// Loads "embed_matrix" f32[V, D] and the metadata "vocabulary" (V words) from the checkpoint
// that `run` names. Throws InputError naming the file for anything missing or inconsistent.
Embeddings load_embeddings(const std::string& run);

// The rows scaled to unit L2 norm (a zero row stays zero), as word2vec's distance and
// compute-accuracy tools and gensim normalize before comparing.
std::vector<float> unit_rows(const Embeddings& embeddings);

// Word -> id for the first `limit` words, compared in lower case (ASCII, as word2vec's
// compute-accuracy compares in upper case); when two words fold to the same key, the more
// frequent (lower id) wins, as in gensim.
std::unordered_map<std::string, int64_t> case_folded_index(const Embeddings& embeddings,
                                                           int64_t limit);
std::string fold_case(std::string_view word);

struct Neighbor {
  int64_t id;
  float similarity;
};

// For each of the n unit-length queries (n x dim, row-major), the k candidates among the first
// `candidates` unit rows of `table` with the largest dot product (cosine), best first, skipping
// the ids in exclude[i] (exclude is empty or has n lists). Ties go to the lower id. Scores are
// computed as a cache-blocked product of blocks of queries with the candidate matrix, on the
// front end's kernel threads, so a whole analogy test set against 30,000 words takes seconds.
std::vector<std::vector<Neighbor>> nearest(const std::vector<float>& queries, int64_t n,
                                           const std::vector<float>& table, int64_t dim,
                                           int64_t candidates, int64_t k,
                                           const std::vector<std::vector<int64_t>>& exclude);

}  // namespace word2vec
