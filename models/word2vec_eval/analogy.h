// Word-analogy accuracy ("a is to b as c is to d") on Mikolov's questions-words.txt, with the
// semantics of word2vec's compute-accuracy tool, so numbers compare with published ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "word2vec_eval/embeddings.h"

namespace word2vec {

struct AnalogyQuestion {
  std::string a, b, c, d;
  int64_t section;  // index into AnalogySet::sections
};

struct AnalogySet {
  std::string path;
  std::vector<std::string> sections;  // from the ": name" lines, in file order
  std::vector<AnalogyQuestion> questions;
};

// Reads ": section" header lines and "a b c d" question lines (blank lines are skipped).
// Throws InputError naming path:line for a question before any section, a line without
// exactly four words, or an unreadable file.
AnalogySet read_analogies(const std::string& path);

struct AnalogyScore {
  std::string name;
  int64_t total = 0;    // questions in the file
  int64_t seen = 0;     // questions whose four words are all candidates
  int64_t correct = 0;  // seen questions answered d
  double accuracy() const { return seen ? static_cast<double>(correct) / seen : 0.0; }
  AnalogyScore& operator+=(const AnalogyScore& other);
};

struct AnalogyResult {
  int64_t restrict_to = 0;  // candidates: the first this many words of the vocabulary
  std::vector<AnalogyScore> sections;
  AnalogyScore semantic;   // the first five sections
  AnalogyScore syntactic;  // the others
  AnalogyScore overall;
  double seconds = 0;
};

// compute-accuracy's rules: vectors are unit-normalized; only the first `restrict_to` words
// are candidates, and a question with any word outside them is not seen; words compare case-
// insensitively; the answer is the candidate nearest to b - a + c by cosine other than a, b
// and c, and the question is correct when that is d.
AnalogyResult evaluate_analogies(const Embeddings& embeddings, const AnalogySet& set,
                                 int64_t restrict_to);

}  // namespace word2vec
