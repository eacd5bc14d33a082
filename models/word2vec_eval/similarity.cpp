// Reading word-pair files and correlating model similarities with human scores.
#include "word2vec_eval/similarity.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

namespace word2vec {
namespace {

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double average = (static_cast<double>(i + j) / 2) + 1;  // ranks i+1 .. j+1
    for (size_t t = i; t <= j; ++t) rank[order[t]] = average;
    i = j + 1;
  }
  return rank;
}

}  // namespace

PairSet read_word_pairs(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read word pairs '" + path + "'");
  PairSet set;
  set.path = path;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    const size_t t1 = line.find('\t'), t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos || line.find('\t', t2 + 1) != std::string::npos)
      throw InputError(where + "expected 'word1<TAB>word2<TAB>score', got '" + line + "'");
    WordPair pair{line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), 0};
    const std::string score = line.substr(t2 + 1);
    size_t used = 0;
    try {
      pair.score = std::stod(score, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (pair.first.empty() || pair.second.empty() || used == 0 || used != score.size() ||
        !std::isfinite(pair.score))
      throw InputError(where + "expected 'word1<TAB>word2<TAB>score', got '" + line + "'");
    set.pairs.push_back(std::move(pair));
  }
  if (in.bad()) throw InputError("error reading word pairs '" + path + "'");
  return set;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2 || y.size() != n) return std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> rx = average_ranks(x), ry = average_ranks(y);
  const double mean = (static_cast<double>(n) + 1) / 2;  // of ranks 1..n, ties or not
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

SimilarityResult evaluate_similarity(const Embeddings& embeddings, const PairSet& set) {
  SimilarityResult result;
  result.path = set.path;
  result.pairs = static_cast<int64_t>(set.pairs.size());
  const std::unordered_map<std::string, int64_t> index =
      case_folded_index(embeddings, embeddings.rows());
  const std::vector<float> unit = unit_rows(embeddings);
  std::vector<double> human, model;
  for (const WordPair& p : set.pairs) {
    auto a = index.find(fold_case(p.first)), b = index.find(fold_case(p.second));
    if (a == index.end() || b == index.end()) continue;
    const float *u = unit.data() + a->second * embeddings.dim,
                *v = unit.data() + b->second * embeddings.dim;
    double dot = 0;
    for (int64_t j = 0; j < embeddings.dim; ++j) dot += static_cast<double>(u[j]) * v[j];
    human.push_back(p.score);
    model.push_back(dot);
  }
  result.used = static_cast<int64_t>(human.size());
  result.spearman = spearman(human, model);
  return result;
}

}  // namespace word2vec
