// kiln::data::Vocabulary: the words a text model knows, numbered by frequency, with "UNK" at
// id 0 standing for every other word. Built by one streaming pass over a corpus; stored as
// text ("word<TAB>count" per line) in its own file or inside a checkpoint.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/error.h"

namespace kiln::data {

// Ids are dense: 0 is "UNK", then words in order of falling count. Immutable once built;
// copies are cheap (the tables are shared).
class Vocabulary {
 public:
  static constexpr const char* kUnknown = "UNK";

  // Counts the whitespace-separated tokens of the file `corpus` (streamed, never held whole)
  // and keeps the (max_size - 1) most frequent words, ties broken by first appearance in the
  // corpus (the order of Python's collections.Counter(words).most_common(max_size - 1), as in
  // the CS20 code); max_size 0 keeps every word. Words seen fewer than min_count times are
  // never kept (word2vec's -min-count). UNK's count is the number of tokens not kept; a
  // literal "UNK" in the corpus is counted there too. A missing or unreadable corpus raises
  // kiln::data::DataError naming the path.
  static Vocabulary build(const std::string& corpus, int64_t max_size, int64_t min_count = 0,
                          const Loc& loc = Loc::current());
  // The same for text in memory (tests, synthetic corpora).
  static Vocabulary build_from_text(std::string_view text, int64_t max_size,
                                    int64_t min_count = 0, const Loc& loc = Loc::current());

  // From (word, count) pairs in id order; the first must be UNK. Duplicates, empty words,
  // words holding whitespace and negative counts raise kiln::Error.
  static Vocabulary from_counts(std::vector<std::pair<std::string, int64_t>> entries,
                                const Loc& loc = Loc::current());

  Vocabulary();  // only UNK, count 0

  int64_t size() const;
  const std::string& word(int64_t id) const;  // id must be in [0, size()) (checked)
  int64_t id(std::string_view word) const;    // 0 (UNK) for words not in the vocabulary
  bool contains(std::string_view word) const;
  int64_t count(int64_t id) const;  // occurrences in the corpus it was built from
  // Every token of the corpus, kept or not: the sum of all counts.
  int64_t total_tokens() const;

  // "word<TAB>count\n" per id, in id order: the save() file's bytes.
  std::string serialize() const;
  // The inverse of serialize(). Malformed text (a line without exactly one tab, an empty word,
  // a count that is not a non-negative integer, a duplicate word, a first word other than UNK,
  // no lines at all) raises kiln::data::DataError naming `origin` and the line.
  static Vocabulary deserialize(const std::string& text, const std::string& origin,
                                const Loc& loc = Loc::current());
  // serialize() written atomically (temporary file, fsync, rename): a reader sees the old
  // file or the new one. load() reads what save() wrote; errors name the path.
  void save(const std::string& path, const Loc& loc = Loc::current()) const;
  static Vocabulary load(const std::string& path, const Loc& loc = Loc::current());

  bool operator==(const Vocabulary& other) const;

  struct Tables;

 private:
  explicit Vocabulary(std::shared_ptr<const Tables> tables) : tables_(std::move(tables)) {}
  std::shared_ptr<const Tables> tables_;
};

}  // namespace kiln::data
