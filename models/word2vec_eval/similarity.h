// Word-similarity benchmarks (WordSim-353, SimLex-999): how well cosine similarity ranks word
// pairs the way people score them, as Spearman's rank correlation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "word2vec_eval/embeddings.h"

namespace word2vec {

struct WordPair {
  std::string first, second;
  double score;  // the human judgement
};

struct PairSet {
  std::string path;
  std::vector<WordPair> pairs;
};

// Reads "w1<TAB>w2<TAB>score" lines; lines starting with '#' and blank lines are skipped (the
// layout of gensim's test data). Throws InputError naming path:line for a malformed line.
PairSet read_word_pairs(const std::string& path);

struct SimilarityResult {
  std::string path;
  int64_t pairs = 0;    // in the file
  int64_t used = 0;     // with both words in the vocabulary (case-insensitive)
  double spearman = 0;  // NaN when fewer than two pairs are used or a side is constant
};

SimilarityResult evaluate_similarity(const Embeddings& embeddings, const PairSet& set);

// Spearman's rank correlation: Pearson's correlation of the ranks, ties given the average of
// the ranks they span (as scipy.stats.spearmanr).
double spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace word2vec
