// TokenReader (chunked tokenizer with byte offsets and ranges), IdStream and the synthetic
// Zipfian corpus.
#include "kiln/data/text.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include "kiln/data/csv.h"
#include "kiln/data/skipgram.h"

namespace kiln::data {

namespace {

// Bijective base 26: a..z, aa..zz, aaa..; short words for frequent ranks, as in English.
std::string synthetic_word(int64_t rank) {
  std::string w;
  for (int64_t r = rank + 1; r > 0; r = (r - 1) / 26)
    w.push_back(static_cast<char>('a' + (r - 1) % 26));
  std::reverse(w.begin(), w.end());
  return w;
}

}  // namespace

TokenReader::TokenReader(const std::string& path, size_t chunk_bytes, const Loc& loc)
    : path_(path), chunk_(std::max<size_t>(chunk_bytes, 16)) {
  detail::ApiScope scope("TokenReader", loc);
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr)
    throw DataError("TokenReader", path + ": cannot open: " + std::strerror(errno), path, 0);
  // The reader does its own chunking; stdio's buffer would only add a copy.
  std::setvbuf(file_, nullptr, _IONBF, 0);
  if (std::fseek(file_, 0, SEEK_END) != 0 || std::ftell(file_) < 0) {
    std::string why = std::strerror(errno);
    std::fclose(file_);
    file_ = nullptr;
    throw DataError("TokenReader", path + ": cannot read its size: " + why, path, 0);
  }
  size_ = static_cast<uint64_t>(std::ftell(file_));
  end_ = size_;
  buf_.resize(chunk_);
  reposition(0);
}

TokenReader::~TokenReader() {
  if (file_ != nullptr) std::fclose(file_);
}

TokenReader::TokenReader(TokenReader&& o) noexcept
    : path_(std::move(o.path_)),
      file_(std::exchange(o.file_, nullptr)),
      size_(o.size_),
      begin_(o.begin_),
      end_(o.end_),
      buf_(std::move(o.buf_)),
      chunk_(o.chunk_),
      buf_offset_(o.buf_offset_),
      pos_(o.pos_),
      len_(o.len_),
      eof_(o.eof_),
      skip_partial_(o.skip_partial_) {}

TokenReader& TokenReader::operator=(TokenReader&& o) noexcept {
  if (this != &o) {
    if (file_ != nullptr) std::fclose(file_);
    path_ = std::move(o.path_);
    file_ = std::exchange(o.file_, nullptr);
    size_ = o.size_;
    begin_ = o.begin_;
    end_ = o.end_;
    buf_ = std::move(o.buf_);
    chunk_ = o.chunk_;
    buf_offset_ = o.buf_offset_;
    pos_ = o.pos_;
    len_ = o.len_;
    eof_ = o.eof_;
    skip_partial_ = o.skip_partial_;
  }
  return *this;
}

void TokenReader::reposition(uint64_t offset) {
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0)
    throw DataError("TokenReader", path_ + ": cannot seek to byte " + std::to_string(offset) +
                                       ": " + std::strerror(errno),
                    path_, 0);
  buf_offset_ = offset;
  pos_ = len_ = 0;
  eof_ = offset >= size_;
  skip_partial_ = false;
}

bool TokenReader::fill() {
  if (eof_) return false;
  // Keep the unread bytes (a token cut by the chunk boundary) at the front.
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    buf_offset_ += pos_;
    len_ -= pos_;
    pos_ = 0;
  }
  // A token longer than the buffer grows it rather than being split.
  if (len_ == buf_.size()) buf_.resize(buf_.size() * 2);
  size_t got = std::fread(buf_.data() + len_, 1, buf_.size() - len_, file_);
  if (got == 0) {
    if (std::ferror(file_))
      throw DataError("TokenReader", path_ + ": read error at byte " +
                                         std::to_string(buf_offset_ + len_),
                      path_, 0);
    eof_ = true;
    return false;
  }
  len_ += got;
  return true;
}

bool TokenReader::next(std::string_view& token) {
  const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
  // A range that starts inside a token: that token belongs to the previous range.
  while (skip_partial_) {
    while (pos_ < len_ && !is_token_separator(b[pos_])) ++pos_;
    if (pos_ < len_) {
      skip_partial_ = false;
    } else if (!fill()) {
      skip_partial_ = false;
      return false;
    }
    b = reinterpret_cast<const unsigned char*>(buf_.data());
  }
  while (true) {
    while (pos_ < len_ && is_token_separator(b[pos_])) ++pos_;
    if (pos_ < len_) break;
    if (!fill()) return false;
    b = reinterpret_cast<const unsigned char*>(buf_.data());
  }
  if (buf_offset_ + pos_ >= end_) return false;
  size_t i = pos_ + 1;
  while (true) {
    while (i < len_ && !is_token_separator(b[i])) ++i;
    if (i < len_) break;
    size_t scanned = i - pos_;
    bool more = fill();  // may move the token to the front of the buffer
    b = reinterpret_cast<const unsigned char*>(buf_.data());
    i = pos_ + scanned;
    if (!more) break;  // the token ends at the end of the file
  }
  token = std::string_view(buf_.data() + pos_, i - pos_);
  pos_ = i;
  return true;
}

uint64_t TokenReader::offset() const { return buf_offset_ + pos_; }

void TokenReader::seek(uint64_t offset, const Loc& loc) {
  detail::ApiScope scope("TokenReader::seek", loc);
  if (offset < begin_ || offset > size_)
    detail::fail("TokenReader::seek", path_ + ": offset " + std::to_string(offset) +
                                          " is not in [" + std::to_string(begin_) + ", " +
                                          std::to_string(size_) + "]");
  reposition(offset);
  if (offset == begin_ && begin_ > 0) {
    // Whether the byte before the range belongs to a token that runs into it.
    char before = 0;
    if (std::fseek(file_, static_cast<long>(begin_ - 1), SEEK_SET) != 0 ||
        std::fread(&before, 1, 1, file_) != 1)
      throw DataError("TokenReader", path_ + ": cannot read byte " + std::to_string(begin_ - 1),
                      path_, 0);
    skip_partial_ = !is_token_separator(static_cast<unsigned char>(before));
  }
}

void TokenReader::rewind() { seek(begin_); }

void TokenReader::shard(int64_t k, int64_t n, const Loc& loc) {
  detail::ApiScope scope("TokenReader::shard", loc);
  if (n < 1 || k < 0 || k >= n)
    detail::fail("TokenReader::shard", "needs 0 <= k < n, got k = " + std::to_string(k) +
                                           ", n = " + std::to_string(n));
  // floor(size * i / n) without forming size * i, which could overflow for huge files.
  auto bound = [&](int64_t i) {
    uint64_t un = static_cast<uint64_t>(n), ui = static_cast<uint64_t>(i);
    return size_ / un * ui + size_ % un * ui / un;
  };
  begin_ = bound(k);
  end_ = bound(k + 1);
  seek(begin_);
}

IdStream::IdStream(const std::string& corpus, const Vocabulary& vocab,
                   const IdStreamOptions& options, const Loc& loc)
    : reader_(corpus, size_t{1} << 20, loc), vocab_(vocab), options_(options) {
  detail::ApiScope scope("IdStream", loc);
  reader_.shard(options.shard_index(), options.shard_count());
}

bool IdStream::next(int64_t& id) {
  std::string_view token;
  while (true) {
    if (reader_.next(token)) {
      ++tokens_read_;
      id = vocab_.id(token);
      if (id == 0 && options_.skip_unknown()) continue;
      just_wrapped_ = false;
      return true;
    }
    if (!options_.repeat()) return false;
    if (just_wrapped_)
      throw DataError("IdStream", reader_.path() + ": no " +
                                      (options_.skip_unknown() ? "in-vocabulary " : "") +
                                      "tokens in bytes [" + std::to_string(reader_.range_begin()) +
                                      ", " + std::to_string(reader_.range_end()) +
                                      ") to repeat",
                      reader_.path(), 0);
    just_wrapped_ = true;
    ++epoch_;
    reader_.rewind();
  }
}

void IdStream::seek(uint64_t offset, int64_t epoch, const Loc& loc) {
  detail::ApiScope scope("IdStream::seek", loc);
  if (epoch < 0) detail::fail("IdStream::seek", "epoch must be >= 0, got " + std::to_string(epoch));
  reader_.seek(offset);
  epoch_ = epoch;
  just_wrapped_ = false;
}

void IdStream::rewind() {
  reader_.rewind();
  epoch_ = 0;
  just_wrapped_ = false;
}

std::string synthetic_corpus(int64_t tokens, uint64_t seed, const Loc& loc) {
  detail::ApiScope scope("synthetic_corpus", loc);
  if (tokens < 0)
    detail::fail("synthetic_corpus", "tokens must be >= 0, got " + std::to_string(tokens));
  constexpr int64_t kWords = 20000;
  // The Zipf CDF scaled to 2^32, so that a 32-bit random word picks a rank by binary search.
  std::vector<uint64_t> cdf(kWords);
  double norm = 0;
  for (int64_t r = 1; r <= kWords; ++r) norm += 1.0 / static_cast<double>(r);
  double acc = 0;
  for (int64_t r = 1; r <= kWords; ++r) {
    acc += 1.0 / static_cast<double>(r) / norm;
    cdf[static_cast<size_t>(r - 1)] = static_cast<uint64_t>(std::ldexp(acc, 32));
  }
  cdf.back() = uint64_t{1} << 32;
  std::vector<std::string> words(kWords);
  for (int64_t r = 0; r < kWords; ++r) words[static_cast<size_t>(r)] = synthetic_word(r);
  RandomWords random(seed);
  std::string text;
  text.reserve(static_cast<size_t>(tokens) * 5);
  for (int64_t i = 0; i < tokens; ++i) {
    uint64_t u = random.next();
    auto rank = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
    if (i > 0) text.push_back(' ');
    text += words[static_cast<size_t>(rank)];
  }
  return text;
}

}  // namespace kiln::data
