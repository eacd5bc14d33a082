// Streaming a text corpus: whitespace-separated tokens read in fixed-size chunks (a corpus such
// as text8, one 100 MB line, is never held whole), the same tokens as vocabulary ids, and a
// synthetic Zipfian corpus for runs without the shared data folder. Positions are byte offsets,
// so a checkpoint can say where reading stopped and a later run can continue from there.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/data/vocabulary.h"
#include "kiln/error.h"

namespace kiln::data {

// The bytes that separate tokens: ' ', '\t', '\n', '\r', '\v', '\f' (ASCII whitespace).
inline bool is_token_separator(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// Tokens are maximal runs of bytes other than ' ', '\t', '\n', '\r', '\v', '\f'. The reader
// can be limited to a byte range [begin, end) of the file: it then yields exactly the tokens
// whose first byte lies in the range, so the ranges of shard(k, n) for k = 0..n-1 split the
// corpus's tokens between them with none lost or read twice.
class TokenReader {
 public:
  // Opens `path`; a missing or unreadable file raises kiln::data::DataError naming it.
  explicit TokenReader(const std::string& path, size_t chunk_bytes = size_t{1} << 20,
                       const Loc& loc = Loc::current());
  ~TokenReader();
  TokenReader(TokenReader&&) noexcept;
  TokenReader& operator=(TokenReader&&) noexcept;
  TokenReader(const TokenReader&) = delete;
  TokenReader& operator=(const TokenReader&) = delete;

  // The next token; false at the end of the file (or range). The view stays valid until the
  // next call to next(), seek() or rewind().
  bool next(std::string_view& token);
  // Where reading resumes: the next token is the first one starting at or after this byte.
  // seek(offset()) later (in this or another reader of the same file) continues exactly here.
  uint64_t offset() const;
  // Continues at byte `offset`, which should be a value offset() returned (seeking into the
  // middle of a token yields its tail). Offsets outside the range raise kiln::Error.
  void seek(uint64_t offset, const Loc& loc = Loc::current());
  // Back to the first token of the file (or range).
  void rewind();

  // Limits reading to the k-th of n equal byte ranges of the file (see the class comment) and
  // rewinds. shard(0, 1) is the whole file.
  void shard(int64_t k, int64_t n, const Loc& loc = Loc::current());
  uint64_t range_begin() const { return begin_; }
  uint64_t range_end() const { return end_; }
  uint64_t file_size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  bool fill();  // reads more bytes after the unread ones; false at end of file
  void reposition(uint64_t offset);

  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
  uint64_t begin_ = 0, end_ = 0;  // the range
  std::vector<char> buf_;
  size_t chunk_ = 0;
  uint64_t buf_offset_ = 0;  // file offset of buf_[0]
  size_t pos_ = 0, len_ = 0;  // buf_[pos_, len_) is read but not yet scanned
  bool eof_ = false;          // nothing more to read from the file
  bool skip_partial_ = false;  // the range starts inside a token owned by the previous range
};

// Options for IdStream. Chained setters: IdStreamOptions().repeat(true).skip_unknown(true).
class IdStreamOptions {
 public:
  // At the end of the corpus start again (counting epoch()) instead of ending.
  IdStreamOptions& repeat(bool r) {
    repeat_ = r;
    return *this;
  }
  bool repeat() const { return repeat_; }
  // Drop tokens that are not in the vocabulary instead of yielding UNK (0) for them, as
  // word2vec does with words under its min count.
  IdStreamOptions& skip_unknown(bool s) {
    skip_unknown_ = s;
    return *this;
  }
  bool skip_unknown() const { return skip_unknown_; }
  // Read only the k-th of n byte ranges of the corpus (TokenReader::shard), e.g. one per
  // Hogwild thread.
  IdStreamOptions& shard(int64_t k, int64_t n) {
    shard_index_ = k;
    shard_count_ = n;
    return *this;
  }
  int64_t shard_index() const { return shard_index_; }
  int64_t shard_count() const { return shard_count_; }

 private:
  bool repeat_ = false;
  bool skip_unknown_ = false;
  int64_t shard_index_ = 0, shard_count_ = 1;
};

// The corpus as vocabulary ids, streamed. Holds its own copy of the vocabulary's handle.
class IdStream {
 public:
  IdStream(const std::string& corpus, const Vocabulary& vocab, const IdStreamOptions& options = {},
           const Loc& loc = Loc::current());

  // The next id; false at the end of the corpus unless repeating. A repeating stream over a
  // corpus without a single (kept) token raises kiln::Error rather than spinning forever.
  bool next(int64_t& id);
  // As TokenReader::offset(), within the current epoch.
  uint64_t offset() const { return reader_.offset(); }
  // Continues at `offset` (a value offset() returned) in epoch `epoch`.
  void seek(uint64_t offset, int64_t epoch = 0, const Loc& loc = Loc::current());
  void rewind();  // back to the start of epoch 0
  // Completed passes over the corpus (repeating streams only).
  int64_t epoch() const { return epoch_; }
  // Tokens read in total, dropped ones included (they were still read).
  int64_t tokens_read() const { return tokens_read_; }
  const Vocabulary& vocabulary() const { return vocab_; }
  const TokenReader& reader() const { return reader_; }

 private:
  TokenReader reader_;
  Vocabulary vocab_;
  IdStreamOptions options_;
  int64_t epoch_ = 0;
  int64_t tokens_read_ = 0;
  bool just_wrapped_ = false;  // rewound with no token since: the corpus has none
};

// A text of `tokens` words drawn independently from a Zipf distribution (p(rank r) ∝ 1/r over
// 20,000 words, roughly English's shape), separated by single spaces like text8, from a Philox
// generator seeded with `seed`: the same text on every machine. Words are made-up lower-case
// strings that are unique per rank. Models and tests use it when ../shared/data is absent; it
// has no meaning, so only frequency-driven behaviour (vocabulary, subsampling, throughput)
// carries over, not embedding quality.
std::string synthetic_corpus(int64_t tokens, uint64_t seed, const Loc& loc = Loc::current());

}  // namespace kiln::data
