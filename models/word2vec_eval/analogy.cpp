// Reading analogy questions and scoring them in blocks against the candidate matrix.
#include "word2vec_eval/analogy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

namespace word2vec {

AnalogyScore& AnalogyScore::operator+=(const AnalogyScore& other) {
  total += other.total;
  seen += other.seen;
  correct += other.correct;
  return *this;
}

AnalogySet read_analogies(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read analogy questions '" + path + "'");
  AnalogySet set;
  set.path = path;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string w; fields >> w;) words.push_back(w);
    if (words.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (words[0] == ":") {
      if (words.size() != 2)
        throw InputError(where + "a section line is ': NAME', got '" + line + "'");
      set.sections.push_back(words[1]);
      continue;
    }
    if (set.sections.empty())
      throw InputError(where + "question before the first ': section' line");
    if (words.size() != 4)
      throw InputError(where + "expected four words 'a b c d', got " +
                       std::to_string(words.size()) + " in '" + line + "'");
    set.questions.push_back(AnalogyQuestion{words[0], words[1], words[2], words[3],
                                            static_cast<int64_t>(set.sections.size()) - 1});
  }
  if (in.bad()) throw InputError("error reading analogy questions '" + path + "'");
  return set;
}

AnalogyResult evaluate_analogies(const Embeddings& embeddings, const AnalogySet& set,
                                 int64_t restrict_to) {
  const auto start = std::chrono::steady_clock::now();
  AnalogyResult result;
  result.restrict_to = restrict_to;
  for (const std::string& name : set.sections) result.sections.push_back(AnalogyScore{name});

  const int64_t candidates = std::min(restrict_to, embeddings.rows());
  const std::unordered_map<std::string, int64_t> index = case_folded_index(embeddings, candidates);
  const std::vector<float> unit = unit_rows(embeddings);
  const int64_t d = embeddings.dim;

  // The seen questions' queries b - a + c (normalized), their exclusions and expected answers.
  std::vector<float> queries;
  std::vector<std::vector<int64_t>> exclude;
  std::vector<int64_t> expected, section_of;
  for (const AnalogyQuestion& q : set.questions) {
    ++result.sections[static_cast<size_t>(q.section)].total;
    int64_t ids[4];
    bool all_known = true;
    const std::string* words[4] = {&q.a, &q.b, &q.c, &q.d};
    for (int i = 0; i < 4 && all_known; ++i) {
      auto it = index.find(fold_case(*words[i]));
      all_known = it != index.end();
      if (all_known) ids[i] = it->second;
    }
    if (!all_known) continue;
    ++result.sections[static_cast<size_t>(q.section)].seen;
    const float *a = unit.data() + ids[0] * d, *b = unit.data() + ids[1] * d,
                *c = unit.data() + ids[2] * d;
    double sq = 0;
    const size_t base = queries.size();
    for (int64_t j = 0; j < d; ++j) {
      const float v = b[j] - a[j] + c[j];
      queries.push_back(v);
      sq += static_cast<double>(v) * v;
    }
    const float scale = sq > 0 ? static_cast<float>(1 / std::sqrt(sq)) : 0.0f;
    for (int64_t j = 0; j < d; ++j) queries[base + static_cast<size_t>(j)] *= scale;
    exclude.push_back({ids[0], ids[1], ids[2]});
    expected.push_back(ids[3]);
    section_of.push_back(q.section);
  }

  const int64_t n = static_cast<int64_t>(expected.size());
  const std::vector<std::vector<Neighbor>> answers =
      nearest(queries, n, unit, d, candidates, /*k=*/1, exclude);
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<Neighbor>& best = answers[static_cast<size_t>(i)];
    if (!best.empty() && best[0].id == expected[static_cast<size_t>(i)])
      ++result.sections[static_cast<size_t>(section_of[static_cast<size_t>(i)])].correct;
  }

  // compute-accuracy counts its first five sections (the semantic ones) apart.
  result.semantic.name = "semantic";
  result.syntactic.name = "syntactic";
  result.overall.name = "total";
  for (size_t s = 0; s < result.sections.size(); ++s) {
    (s < 5 ? result.semantic : result.syntactic) += result.sections[s];
    result.overall += result.sections[s];
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace word2vec
