// Vocabulary: counting words in one streaming pass (an open-addressing table keyed by the
// token bytes, entries in order of first appearance), choosing the kept words, and the
// "word<TAB>count" text form.
#include "kiln/data/vocabulary.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>

#include "kiln/data/csv.h"
#include "kiln/data/text.h"
#include "runtime/src/file_util.h"
#include "runtime/src/status.h"

namespace kiln::data {
namespace {

// Words numbered in order of insertion, found by their bytes. Linear probing over a table
// kept at most half full; each slot holds a word's index, and its hash is kept beside the
// word so that probes rarely compare bytes and growing needs no rehashing of strings.
class WordIndex {
 public:
  WordIndex() : slots_(1024, -1) {}

  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  const std::string& word(int64_t i) const { return words_[static_cast<size_t>(i)]; }

  // The word's index, or -1.
  int64_t find(std::string_view w) const {
    size_t h = std::hash<std::string_view>()(w);
    for (size_t s = h & mask();; s = (s + 1) & mask()) {
      int64_t i = slots_[s];
      if (i < 0) return -1;
      if (hashes_[static_cast<size_t>(i)] == h && words_[static_cast<size_t>(i)] == w) return i;
    }
  }

  // The word's index, adding it (as the next index) if it is new.
  int64_t find_or_add(std::string_view w) {
    size_t h = std::hash<std::string_view>()(w);
    size_t s = h & mask();
    for (;; s = (s + 1) & mask()) {
      int64_t i = slots_[s];
      if (i < 0) break;
      if (hashes_[static_cast<size_t>(i)] == h && words_[static_cast<size_t>(i)] == w) return i;
    }
    int64_t i = size();
    words_.emplace_back(w);
    hashes_.push_back(h);
    slots_[s] = i;
    if (2 * words_.size() > slots_.size()) grow();
    return i;
  }

 private:
  size_t mask() const { return slots_.size() - 1; }
  void grow() {
    slots_.assign(slots_.size() * 2, -1);
    for (size_t i = 0; i < hashes_.size(); ++i) {
      size_t s = hashes_[i] & mask();
      while (slots_[s] >= 0) s = (s + 1) & mask();
      slots_[s] = static_cast<int64_t>(i);
    }
  }

  std::vector<std::string> words_;
  std::vector<size_t> hashes_;
  std::vector<int64_t> slots_;
};

// Counts tokens by first appearance.
struct Counter {
  WordIndex index;
  std::vector<int64_t> counts;
  int64_t total = 0;

  void add(std::string_view token) {
    int64_t i = index.find_or_add(token);
    if (i == static_cast<int64_t>(counts.size())) counts.push_back(0);
    ++counts[static_cast<size_t>(i)];
    ++total;
  }
};

void check_sizes(const char* op, int64_t max_size, int64_t min_count) {
  if (max_size < 0 || max_size == 1)
    detail::fail(op, "max_size must be 0 (no limit) or at least 2 (UNK and one word), got " +
                         std::to_string(max_size));
  if (min_count < 0) detail::fail(op, "min_count must be >= 0, got " + std::to_string(min_count));
}

}  // namespace

struct Vocabulary::Tables {
  WordIndex index;  // index i is id i; UNK is index 0
  std::vector<int64_t> counts;
  int64_t total = 0;
};

namespace {

// Keeps the most frequent words of `c`: a stable sort by falling count keeps first-appearance
// order among equal counts, exactly Counter.most_common's order.
std::vector<std::pair<std::string, int64_t>> choose(const Counter& c, int64_t max_size,
                                                    int64_t min_count) {
  std::vector<int64_t> order(c.counts.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return c.counts[static_cast<size_t>(a)] > c.counts[static_cast<size_t>(b)];
  });
  std::vector<std::pair<std::string, int64_t>> entries;
  entries.emplace_back(Vocabulary::kUnknown, 0);
  int64_t kept = 0;
  for (int64_t i : order) {
    if (max_size > 0 && static_cast<int64_t>(entries.size()) == max_size) break;
    int64_t n = c.counts[static_cast<size_t>(i)];
    if (n < min_count) break;
    if (c.index.word(i) == Vocabulary::kUnknown) continue;
    entries.emplace_back(c.index.word(i), n);
    kept += n;
  }
  entries[0].second = c.total - kept;
  return entries;
}

}  // namespace

Vocabulary::Vocabulary() : Vocabulary(from_counts({{kUnknown, 0}})) {}

Vocabulary Vocabulary::build(const std::string& corpus, int64_t max_size, int64_t min_count,
                             const Loc& loc) {
  detail::ApiScope scope("Vocabulary::build", loc);
  check_sizes("Vocabulary::build", max_size, min_count);
  Counter c;
  TokenReader reader(corpus);
  std::string_view token;
  while (reader.next(token)) c.add(token);
  return from_counts(choose(c, max_size, min_count));
}

Vocabulary Vocabulary::build_from_text(std::string_view text, int64_t max_size, int64_t min_count,
                                       const Loc& loc) {
  detail::ApiScope scope("Vocabulary::build_from_text", loc);
  check_sizes("Vocabulary::build_from_text", max_size, min_count);
  Counter c;
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && is_token_separator(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < n && !is_token_separator(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) c.add(text.substr(start, i - start));
  }
  return from_counts(choose(c, max_size, min_count));
}

Vocabulary Vocabulary::from_counts(std::vector<std::pair<std::string, int64_t>> entries,
                                   const Loc& loc) {
  detail::ApiScope scope("Vocabulary::from_counts", loc);
  const char* op = "Vocabulary::from_counts";
  if (entries.empty() || entries[0].first != kUnknown)
    detail::fail(op, std::string("the first word (id 0) must be ") + kUnknown + ", got " +
                         (entries.empty() ? "no words" : "'" + entries[0].first + "'"));
  auto tables = std::make_shared<Tables>();
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [w, n] = entries[i];
    if (w.empty()) detail::fail(op, "word " + std::to_string(i) + " is empty");
    for (char ch : w)
      if (is_token_separator(static_cast<unsigned char>(ch)))
        detail::fail(op, "word " + std::to_string(i) + " '" + w + "' holds whitespace");
    if (n < 0)
      detail::fail(op, "word " + std::to_string(i) + " '" + w + "' has a negative count " +
                           std::to_string(n));
    int64_t id = tables->index.find_or_add(w);
    if (id != static_cast<int64_t>(i))
      detail::fail(op, "word " + std::to_string(i) + " '" + w + "' is also word " +
                           std::to_string(id));
    tables->counts.push_back(n);
    if (__builtin_add_overflow(tables->total, n, &tables->total))
      detail::fail(op, "the counts add up to more than 2^63");
  }
  return Vocabulary(std::move(tables));
}

int64_t Vocabulary::size() const { return tables_->index.size(); }

const std::string& Vocabulary::word(int64_t id) const {
  if (id < 0 || id >= size())
    detail::fail("Vocabulary::word", "id " + std::to_string(id) + " is not in [0, " +
                                         std::to_string(size()) + ")");
  return tables_->index.word(id);
}

int64_t Vocabulary::id(std::string_view w) const {
  int64_t i = tables_->index.find(w);
  return i < 0 ? 0 : i;
}

bool Vocabulary::contains(std::string_view w) const { return tables_->index.find(w) >= 0; }

int64_t Vocabulary::count(int64_t id) const {
  if (id < 0 || id >= size())
    detail::fail("Vocabulary::count", "id " + std::to_string(id) + " is not in [0, " +
                                          std::to_string(size()) + ")");
  return tables_->counts[static_cast<size_t>(id)];
}

int64_t Vocabulary::total_tokens() const { return tables_->total; }

bool Vocabulary::operator==(const Vocabulary& other) const {
  if (size() != other.size() || tables_->counts != other.tables_->counts) return false;
  for (int64_t i = 0; i < size(); ++i)
    if (tables_->index.word(i) != other.tables_->index.word(i)) return false;
  return true;
}

std::string Vocabulary::serialize() const {
  std::string s;
  for (int64_t i = 0; i < size(); ++i) {
    s += tables_->index.word(i);
    s += '\t';
    s += std::to_string(tables_->counts[static_cast<size_t>(i)]);
    s += '\n';
  }
  return s;
}

Vocabulary Vocabulary::deserialize(const std::string& text, const std::string& origin,
                                   const Loc& loc) {
  detail::ApiScope scope("Vocabulary::deserialize", loc);
  const char* op = "Vocabulary::deserialize";
  auto bad = [&](int64_t line, const std::string& problem) {
    throw DataError(op, origin + ":" + std::to_string(line) + ": " + problem, origin, line);
  };
  if (text.empty()) throw DataError(op, origin + ": no words (empty text)", origin, 0);
  std::vector<std::pair<std::string, int64_t>> entries;
  WordIndex seen;
  std::string_view rest(text);
  int64_t line = 0;
  while (!rest.empty()) {
    ++line;
    size_t nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    size_t tab = l.find('\t');
    if (tab == std::string_view::npos) bad(line, "expected 'word<TAB>count', found no tab");
    if (l.find('\t', tab + 1) != std::string_view::npos)
      bad(line, "expected 'word<TAB>count', found more than one tab");
    std::string_view w = l.substr(0, tab), n = l.substr(tab + 1);
    if (w.empty()) bad(line, "the word is empty");
    for (char ch : w)
      if (is_token_separator(static_cast<unsigned char>(ch)))
        bad(line, "the word '" + std::string(w) + "' holds whitespace");
    int64_t count = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    if (n.empty() || ec != std::errc() || end != n.data() + n.size() || count < 0)
      bad(line, "the count '" + std::string(n) + "' is not a non-negative 64-bit integer");
    if (line == 1 && w != kUnknown)
      bad(line, std::string("the first word must be ") + kUnknown + ", found '" +
                    std::string(w) + "'");
    int64_t first = seen.find(w);
    if (first >= 0)
      bad(line, "the word '" + std::string(w) + "' is also on line " + std::to_string(first + 1));
    seen.find_or_add(w);
    entries.emplace_back(std::string(w), count);
  }
  int64_t total = 0;
  for (const auto& e : entries)
    if (__builtin_add_overflow(total, e.second, &total))
      throw DataError(op, origin + ": the counts add up to more than 2^63", origin, 0);
  return from_counts(std::move(entries));
}

void Vocabulary::save(const std::string& path, const Loc& loc) const {
  detail::ApiScope scope("Vocabulary::save", loc);
  std::string s = serialize();
  try {
    rt::write_file_atomically(path, [&](int fd) { rt::write_all(fd, s.data(), s.size(), path); });
  } catch (const rt::Error& e) {
    detail::fail("Vocabulary::save", e.what());
  }
}

Vocabulary Vocabulary::load(const std::string& path, const Loc& loc) {
  detail::ApiScope scope("Vocabulary::load", loc);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("Vocabulary::load", path + ": cannot open", path, 0);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw DataError("Vocabulary::load", path + ": read error", path, 0);
  return deserialize(text.str(), path);
}

}  // namespace kiln::data
