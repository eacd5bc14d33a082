// (center, context) word-pair batches for word2vec, streamed from a corpus file: the CS20
// lecture's skip-gram generator, and the original word2vec tool's sampling (subsampling of
// frequent words, dynamic window). Every random decision comes from a Philox stream at a
// recorded position, so state() taken at any batch boundary and restore()d into a new batcher
// continues bit-identically.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "kiln/data/text.h"
#include "kiln/error.h"
#include "kiln/random.h"
#include "kiln/tensor.h"

namespace kiln::data {

// 32-bit random words i = 0, 1, 2, ... of a kiln::Generator's stream (word i is lane i % 4 of
// Philox block i / 4), drawn from the generator in bulk and addressable by position, which is
// what a checkpoint records.
class RandomWords {
 public:
  explicit RandomWords(uint64_t seed);
  uint32_t next() {
    if (index_ == kWords) refill(position());
    return words_[index_++];
  }
  // Uniform in [1, n] (n > 0): Lemire's multiply-shift; its bias, at most n / 2^32, is far
  // below anything a window size could show.
  int64_t one_to(int64_t n) {
    return 1 + static_cast<int64_t>((static_cast<uint64_t>(next()) * static_cast<uint64_t>(n)) >> 32);
  }
  uint64_t seed() const { return generator_.seed(); }
  uint64_t position() const { return start_ + index_; }  // words used so far
  void seek(uint64_t seed, uint64_t position);

 private:
  static constexpr uint64_t kBlocks = 1024;
  static constexpr size_t kWords = 4 * kBlocks;
  void refill(uint64_t position);

  Generator generator_;
  std::array<uint32_t, kWords> words_{};
  uint64_t start_ = 0;    // stream position of words_[0]
  size_t index_ = kWords;  // next unused word in words_ (kWords: none loaded)
};

// Options for SkipGramBatcher. Chained setters: SkipGramOptions().window(1).batch_size(128).
class SkipGramOptions {
 public:
  SkipGramOptions& window(int64_t w) {
    window_ = w;
    return *this;
  }
  SkipGramOptions& batch_size(int64_t b) {
    batch_size_ = b;
    return *this;
  }
  SkipGramOptions& seed(uint64_t s) {
    seed_ = s;
    return *this;
  }
  int64_t window() const { return window_; }
  int64_t batch_size() const { return batch_size_; }
  uint64_t seed() const { return seed_; }

 private:
  int64_t window_ = 1;
  int64_t batch_size_ = 128;
  uint64_t seed_ = 0;
};

// Where a SkipGramBatcher is, as plain numbers (fields only ever appended).
struct SkipGramState {
  uint64_t history_offset = 0;  // byte offset of the first context word before the center
  uint64_t center_offset = 0;   // byte offset of the center word
  int64_t center_id = 0;        // checked on restore: the corpus must be the same
  int64_t pair_index = 0;       // pairs of this center already yielded
  int64_t epoch = 0;
  uint64_t seed = 0;             // of the random stream
  uint64_t random_position = 0;  // its position before this center's context draw
  bool started = false;          // false before the first pair

  static constexpr int64_t kFields = 8;
  // As an i64[kFields] tensor, for checkpoints, and back (checked: dtype, shape, values).
  Tensor to_tensor() const;
  static SkipGramState from_tensor(const Tensor& t, const Loc& loc = Loc::current());
  bool operator==(const SkipGramState&) const = default;
};

// The CS20 generator, streamed:
//   for index, center in enumerate(words):
//     context = random.randint(1, window)
//     for target in words[max(0, index - context): index]: yield center, target
//     for target in words[index + 1: index + context + 1]: yield center, target
// with unknown words as UNK (0), the corpus restarting (a new epoch, clipped again at its
// start) when exhausted, and the pair stream cut into batches regardless of centers. With
// window 1 no random numbers are used.
class SkipGramBatcher {
 public:
  SkipGramBatcher(const std::string& corpus, const Vocabulary& vocab,
                  const SkipGramOptions& options = {}, const Loc& loc = Loc::current());

  // The next batch_size pairs: *centers becomes i64[batch], *targets i64[batch, 1] (the shape
  // nce_loss takes its labels in).
  void next(Tensor* centers, Tensor* targets);
  // The next n pairs into caller memory.
  void fill(int64_t* centers, int64_t* targets, int64_t n);

  SkipGramState state() const;
  // Continues from a state() of a batcher over the same corpus, vocabulary and options.
  // A state that does not fit this corpus raises kiln::Error.
  void restore(const SkipGramState& state, const Loc& loc = Loc::current());

  int64_t epoch() const { return epoch_; }
  int64_t tokens_read() const { return stream_.tokens_read(); }
  int64_t batch_size() const { return options_.batch_size(); }

 private:
  struct Slot {
    int64_t id;
    uint64_t offset;
  };
  void next_center();   // moves to the next center (a new epoch after the last one)
  void begin_center();  // draws the center's context size and reads its lookahead
  bool read_one();      // appends one word of the current epoch to window_; false at its end

  IdStream stream_;
  SkipGramOptions options_;
  RandomWords random_;
  std::deque<Slot> window_;  // words from the earliest context word to the lookahead
  size_t center_ = 0;        // index of the center in window_
  int64_t context_ = 1;      // this center's context size
  int64_t left_ = 0, right_ = 0;  // context words before / after the center
  int64_t pair_index_ = 0;
  uint64_t center_random_ = 0;  // random position before this center's draw
  int64_t epoch_ = 0;           // of the center (the stream has no epochs of its own here)
  bool at_end_ = false;         // the stream reached the end of the center's epoch
  bool started_ = false;
};

// Options for SgnsBatcher; defaults are word2vec's (-window 5 -sample 1e-3 there; 1e-4 is the
// recipe's). Chained setters.
class SgnsOptions {
 public:
  SgnsOptions& window(int64_t w) {
    window_ = w;
    return *this;
  }
  // Subsampling threshold t; 0 keeps every word.
  SgnsOptions& sample(double t) {
    sample_ = t;
    return *this;
  }
  SgnsOptions& batch_size(int64_t b) {
    batch_size_ = b;
    return *this;
  }
  SgnsOptions& seed(uint64_t s) {
    seed_ = s;
    return *this;
  }
  // Read only the k-th of n byte ranges of the corpus (one per Hogwild thread).
  SgnsOptions& shard(int64_t k, int64_t n) {
    shard_index_ = k;
    shard_count_ = n;
    return *this;
  }
  // Words per sentence; windows never cross sentences (word2vec's MAX_SENTENCE_LENGTH).
  SgnsOptions& max_sentence(int64_t n) {
    max_sentence_ = n;
    return *this;
  }
  int64_t window() const { return window_; }
  double sample() const { return sample_; }
  int64_t batch_size() const { return batch_size_; }
  uint64_t seed() const { return seed_; }
  int64_t shard_index() const { return shard_index_; }
  int64_t shard_count() const { return shard_count_; }
  int64_t max_sentence() const { return max_sentence_; }

 private:
  int64_t window_ = 5;
  double sample_ = 1e-3;
  int64_t batch_size_ = 1024;
  uint64_t seed_ = 0;
  int64_t shard_index_ = 0, shard_count_ = 1;
  int64_t max_sentence_ = 1000;
};

// Where an SgnsBatcher is, as plain numbers (fields only ever appended).
struct SgnsState {
  uint64_t sentence_offset = 0;  // byte offset where the current sentence's reading began
  int64_t center_index = 0;      // center's index in the (subsampled) sentence
  int64_t pair_index = 0;        // pairs of this center already yielded
  int64_t epoch = 0;
  int64_t words_processed = 0;   // at the start of the sentence
  uint64_t seed = 0;
  uint64_t random_position = 0;  // at the start of the sentence
  bool started = false;

  static constexpr int64_t kFields = 8;
  Tensor to_tensor() const;
  static SgnsState from_tensor(const Tensor& t, const Loc& loc = Loc::current());
  bool operator==(const SgnsState&) const = default;
};

// Skip-gram pairs as word2vec.c makes them: words not in the vocabulary are dropped; a word
// with count f among the N in-vocabulary tokens is kept with probability
// (sqrt(f / (t N)) + 1) t N / f (one random word each); kept words form sentences of
// max_sentence words; for each center a window b ~ U{1..window} is drawn and the pairs
// (center, sentence[j]) for j = i-b..i+b, j != i, inside the sentence, are yielded left to
// right. The corpus repeats forever, counting epochs.
class SgnsBatcher {
 public:
  SgnsBatcher(const std::string& corpus, const Vocabulary& vocab, const SgnsOptions& options = {},
              const Loc& loc = Loc::current());

  // The next batch_size pairs: *centers and *contexts become i64[batch].
  void next(Tensor* centers, Tensor* contexts);
  void fill(int64_t* centers, int64_t* contexts, int64_t n);

  SgnsState state() const;
  void restore(const SgnsState& state, const Loc& loc = Loc::current());

  // In-vocabulary corpus tokens read so far, subsampled ones included, over all epochs: the
  // count word2vec's words/s and linear learning-rate decay use.
  int64_t words_processed() const { return words_processed_; }
  // In-vocabulary tokens per epoch of the whole corpus (from the vocabulary's counts); a shard
  // holds about 1/n of them.
  int64_t words_per_epoch() const { return train_words_; }
  int64_t epoch() const { return epoch_; }
  int64_t batch_size() const { return options_.batch_size(); }

 private:
  void read_sentence();  // the next sentence and its subsampling draws
  void start_center();   // draws the window of sentence_[center_]
  void advance();        // past the pair just yielded

  IdStream stream_;
  SgnsOptions options_;
  RandomWords random_;
  std::vector<uint64_t> keep_below_;  // per id: kept when a 32-bit random word is below this
  int64_t train_words_ = 0;
  std::vector<int64_t> sentence_;
  uint64_t sentence_offset_ = 0;
  uint64_t sentence_random_ = 0;
  int64_t sentence_words_processed_ = 0;
  int64_t sentence_epoch_ = 0;
  size_t center_ = 0;
  int64_t lo_ = 0, hi_ = 0;  // this center's context: sentence_[lo_, hi_] without center_
  int64_t next_ = 0;         // next context index to yield
  int64_t pair_index_ = 0;
  int64_t epoch_ = 0;
  int64_t words_processed_ = 0;
  bool started_ = false;
};

}  // namespace kiln::data
