// The skip-gram pair generators. Both keep only a window of ids around the current center (the
// CS20 one) or one sentence (the word2vec one), and record positions (byte offsets, random
// stream positions) from which restore() rebuilds exactly that window or sentence.
#include "kiln/data/skipgram.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kiln/data/csv.h"
#include "kiln/tracing.h"

namespace kiln::data {

namespace {

// Host data pipelines may run while a model is being traced (a batcher advanced inside a
// traced step); their generator must stay an eager value rather than become part of the trace.
Generator eager_generator(uint64_t seed) {
  detail::TraceScope eager(nullptr);
  return Generator(seed, 0, "data/random");
}

}  // namespace

RandomWords::RandomWords(uint64_t seed) : generator_(eager_generator(seed)) { refill(0); }

void RandomWords::seek(uint64_t seed, uint64_t position) {
  detail::TraceScope eager(nullptr);
  generator_.set_state(seed, 0);
  refill(position);
}

void RandomWords::refill(uint64_t position) {
  detail::TraceScope eager(nullptr);
  uint64_t seed = generator_.seed();
  generator_.set_state(seed, position / 4);
  uint64_t first = generator_.take(kBlocks);
  std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  for (uint64_t b = 0; b < kBlocks; ++b) {
    uint64_t counter = first + b;
    auto r = philox4x32(
        {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0, 0}, key);
    std::copy(r.begin(), r.end(), words_.begin() + static_cast<std::ptrdiff_t>(4 * b));
  }
  start_ = first * 4;
  index_ = static_cast<size_t>(position % 4);
}

namespace {

void check_batch(const char* op, int64_t batch_size, int64_t window) {
  if (batch_size < 1)
    detail::fail(op, "batch_size must be >= 1, got " + std::to_string(batch_size));
  if (window < 1) detail::fail(op, "window must be >= 1, got " + std::to_string(window));
}

// The fields of a state tensor, checked to be an i64[n].
const int64_t* state_fields(const char* op, const Tensor& t, int64_t n) {
  if (!t.defined() || t.dtype() != i64 || t.rank() != 1 || t.dim(0) != n)
    detail::fail(op, "expected an int64[" + std::to_string(n) + "] state tensor, got " +
                         (t.defined() ? std::string(dtype_name(t.dtype())) + t.shape().str()
                                      : std::string("an undefined tensor")));
  return t.data<int64_t>();
}

void check_non_negative(const char* op, const char* name, int64_t v) {
  if (v < 0) detail::fail(op, std::string(name) + " is " + std::to_string(v) + ", must be >= 0");
}

}  // namespace

Tensor SkipGramState::to_tensor() const {
  Tensor t = Tensor::empty(Shape{kFields}, i64);
  int64_t* v = t.mutable_data<int64_t>();
  v[0] = static_cast<int64_t>(history_offset);
  v[1] = static_cast<int64_t>(center_offset);
  v[2] = center_id;
  v[3] = pair_index;
  v[4] = epoch;
  v[5] = static_cast<int64_t>(seed);
  v[6] = static_cast<int64_t>(random_position);
  v[7] = started ? 1 : 0;
  return t;
}

SkipGramState SkipGramState::from_tensor(const Tensor& t, const Loc& loc) {
  detail::ApiScope scope("SkipGramState::from_tensor", loc);
  const char* op = "SkipGramState::from_tensor";
  const int64_t* v = state_fields(op, t, kFields);
  check_non_negative(op, "history_offset", v[0]);
  check_non_negative(op, "center_offset", v[1]);
  check_non_negative(op, "center_id", v[2]);
  check_non_negative(op, "pair_index", v[3]);
  check_non_negative(op, "epoch", v[4]);
  check_non_negative(op, "random_position", v[6]);
  if (v[7] != 0 && v[7] != 1) detail::fail(op, "started is " + std::to_string(v[7]) + ", not 0/1");
  SkipGramState s;
  s.history_offset = static_cast<uint64_t>(v[0]);
  s.center_offset = static_cast<uint64_t>(v[1]);
  s.center_id = v[2];
  s.pair_index = v[3];
  s.epoch = v[4];
  s.seed = static_cast<uint64_t>(v[5]);
  s.random_position = static_cast<uint64_t>(v[6]);
  s.started = v[7] == 1;
  return s;
}

SkipGramBatcher::SkipGramBatcher(const std::string& corpus, const Vocabulary& vocab,
                                 const SkipGramOptions& options, const Loc& loc)
    : stream_(corpus, vocab, IdStreamOptions(), loc), options_(options), random_(options.seed()) {
  detail::ApiScope scope("SkipGramBatcher", loc);
  check_batch("SkipGramBatcher", options.batch_size(), options.window());
}

bool SkipGramBatcher::read_one() {
  if (at_end_) return false;
  uint64_t offset = stream_.offset();
  int64_t id = 0;
  if (!stream_.next(id)) {
    at_end_ = true;
    return false;
  }
  window_.push_back({id, offset});
  return true;
}

void SkipGramBatcher::next_center() {
  if (started_) ++center_;
  started_ = true;
  if (center_ >= window_.size() && !read_one()) {
    // The corpus is exhausted: the next epoch starts afresh, clipped at its start again.
    window_.clear();
    center_ = 0;
    ++epoch_;
    stream_.rewind();
    at_end_ = false;
    if (!read_one())
      throw DataError("SkipGramBatcher", stream_.reader().path() + ": the corpus has no tokens",
                      stream_.reader().path(), 0);
  }
  // Only `window` words of history can ever be context.
  size_t keep = static_cast<size_t>(options_.window());
  while (center_ > keep) {
    window_.pop_front();
    --center_;
  }
}

void SkipGramBatcher::begin_center() {
  center_random_ = random_.position();
  // random.randint(1, 1) is always 1: window 1 uses no random numbers.
  context_ = options_.window() == 1 ? 1 : random_.one_to(options_.window());
  left_ = std::min<int64_t>(context_, static_cast<int64_t>(center_));
  while (static_cast<int64_t>(window_.size() - 1 - center_) < context_ && read_one()) {
  }
  right_ = std::min<int64_t>(context_, static_cast<int64_t>(window_.size() - 1 - center_));
  pair_index_ = 0;
  if (left_ + right_ == 0)
    throw DataError("SkipGramBatcher",
                    stream_.reader().path() + ": the corpus has one token, so no pairs",
                    stream_.reader().path(), 0);
}

void SkipGramBatcher::fill(int64_t* centers, int64_t* targets, int64_t n) {
  for (int64_t k = 0; k < n; ++k) {
    if (!started_ || pair_index_ == left_ + right_) {
      next_center();
      begin_center();
    }
    size_t t = pair_index_ < left_
                   ? center_ - static_cast<size_t>(left_ - pair_index_)
                   : center_ + 1 + static_cast<size_t>(pair_index_ - left_);
    centers[k] = window_[center_].id;
    targets[k] = window_[t].id;
    ++pair_index_;
  }
}

void SkipGramBatcher::next(Tensor* centers, Tensor* targets) {
  int64_t b = options_.batch_size();
  *centers = Tensor::empty(Shape{b}, i64);
  *targets = Tensor::empty(Shape{b, 1}, i64);
  fill(centers->mutable_data<int64_t>(), targets->mutable_data<int64_t>(), b);
}

SkipGramState SkipGramBatcher::state() const {
  SkipGramState s;
  s.seed = random_.seed();
  s.epoch = epoch_;
  s.started = started_;
  if (!started_) {
    s.random_position = random_.position();
    return s;
  }
  s.history_offset = window_.front().offset;
  s.center_offset = window_[center_].offset;
  s.center_id = window_[center_].id;
  s.pair_index = pair_index_;
  s.random_position = center_random_;
  return s;
}

void SkipGramBatcher::restore(const SkipGramState& s, const Loc& loc) {
  detail::ApiScope scope("SkipGramBatcher::restore", loc);
  const char* op = "SkipGramBatcher::restore";
  const std::string& path = stream_.reader().path();
  if (s.history_offset > s.center_offset || s.center_offset > stream_.reader().file_size())
    detail::fail(op, "offsets " + std::to_string(s.history_offset) + " <= " +
                         std::to_string(s.center_offset) + " must lie in " + path + " (" +
                         std::to_string(stream_.reader().file_size()) + " bytes)");
  check_non_negative(op, "epoch", s.epoch);
  window_.clear();
  center_ = 0;
  at_end_ = false;
  epoch_ = s.epoch;
  random_.seek(s.seed, s.random_position);
  started_ = s.started;
  if (!s.started) {
    stream_.rewind();
    pair_index_ = left_ = right_ = 0;
    return;
  }
  // Re-read the history up to the center; the recorded offsets recur exactly.
  stream_.seek(s.history_offset);
  while (read_one() && window_.back().offset < s.center_offset) {
  }
  if (window_.empty() || window_.back().offset != s.center_offset ||
      window_.back().id != s.center_id ||
      window_.size() - 1 > static_cast<size_t>(options_.window()))
    detail::fail(op, "the state does not fit " + path + ": no word with id " +
                         std::to_string(s.center_id) + " at byte " +
                         std::to_string(s.center_offset) + " after at most " +
                         std::to_string(options_.window()) + " words from byte " +
                         std::to_string(s.history_offset) +
                         " (another corpus, vocabulary or window?)");
  center_ = window_.size() - 1;
  begin_center();
  if (s.pair_index > left_ + right_)
    detail::fail(op, "pair_index " + std::to_string(s.pair_index) + " exceeds the center's " +
                         std::to_string(left_ + right_) + " pairs");
  pair_index_ = s.pair_index;
}

Tensor SgnsState::to_tensor() const {
  Tensor t = Tensor::empty(Shape{kFields}, i64);
  int64_t* v = t.mutable_data<int64_t>();
  v[0] = static_cast<int64_t>(sentence_offset);
  v[1] = center_index;
  v[2] = pair_index;
  v[3] = epoch;
  v[4] = words_processed;
  v[5] = static_cast<int64_t>(seed);
  v[6] = static_cast<int64_t>(random_position);
  v[7] = started ? 1 : 0;
  return t;
}

SgnsState SgnsState::from_tensor(const Tensor& t, const Loc& loc) {
  detail::ApiScope scope("SgnsState::from_tensor", loc);
  const char* op = "SgnsState::from_tensor";
  const int64_t* v = state_fields(op, t, kFields);
  check_non_negative(op, "sentence_offset", v[0]);
  check_non_negative(op, "center_index", v[1]);
  check_non_negative(op, "pair_index", v[2]);
  check_non_negative(op, "epoch", v[3]);
  check_non_negative(op, "words_processed", v[4]);
  check_non_negative(op, "random_position", v[6]);
  if (v[7] != 0 && v[7] != 1) detail::fail(op, "started is " + std::to_string(v[7]) + ", not 0/1");
  SgnsState s;
  s.sentence_offset = static_cast<uint64_t>(v[0]);
  s.center_index = v[1];
  s.pair_index = v[2];
  s.epoch = v[3];
  s.words_processed = v[4];
  s.seed = static_cast<uint64_t>(v[5]);
  s.random_position = static_cast<uint64_t>(v[6]);
  s.started = v[7] == 1;
  return s;
}

SgnsBatcher::SgnsBatcher(const std::string& corpus, const Vocabulary& vocab,
                         const SgnsOptions& options, const Loc& loc)
    : stream_(corpus, vocab,
              IdStreamOptions().skip_unknown(true).shard(options.shard_index(),
                                                         options.shard_count()),
              loc),
      options_(options),
      random_(options.seed()) {
  detail::ApiScope scope("SgnsBatcher", loc);
  const char* op = "SgnsBatcher";
  check_batch(op, options.batch_size(), options.window());
  if (!(options.sample() >= 0) || !std::isfinite(options.sample()))
    detail::fail(op, "sample must be a finite number >= 0, got " + std::to_string(options.sample()));
  if (options.max_sentence() < 1)
    detail::fail(op, "max_sentence must be >= 1, got " + std::to_string(options.max_sentence()));
  train_words_ = vocab.total_tokens() - vocab.count(0);
  // word2vec.c: ran = (sqrt(f / (t N)) + 1) t N / f, and the word is dropped when ran is below
  // a uniform draw; here the draw is a 32-bit word, so the threshold is ran scaled by 2^32.
  keep_below_.assign(static_cast<size_t>(vocab.size()), uint64_t{1} << 32);
  if (options.sample() > 0) {
    double tn = options.sample() * static_cast<double>(train_words_);
    for (int64_t id = 1; id < vocab.size(); ++id) {
      double f = static_cast<double>(vocab.count(id));
      if (f <= 0) continue;
      double ran = (std::sqrt(f / tn) + 1) * tn / f;
      keep_below_[static_cast<size_t>(id)] =
          static_cast<uint64_t>(std::ldexp(std::min(ran, 1.0), 32));
    }
  }
}

void SgnsBatcher::read_sentence() {
  sentence_.clear();
  sentence_offset_ = stream_.offset();
  sentence_random_ = random_.position();
  sentence_words_processed_ = words_processed_;
  sentence_epoch_ = epoch_;
  bool wrapped = false;
  const bool sample = options_.sample() > 0;
  while (static_cast<int64_t>(sentence_.size()) < options_.max_sentence()) {
    int64_t id = 0;
    if (!stream_.next(id)) {
      // A sentence ends with the corpus; an empty one continues into the next epoch.
      if (!sentence_.empty()) break;
      if (wrapped)
        throw DataError("SgnsBatcher",
                        stream_.reader().path() +
                            ": no in-vocabulary word survived subsampling in a whole pass",
                        stream_.reader().path(), 0);
      wrapped = true;
      ++epoch_;
      stream_.rewind();
      continue;
    }
    ++words_processed_;
    if (sample && random_.next() >= keep_below_[static_cast<size_t>(id)]) continue;
    sentence_.push_back(id);
  }
}

void SgnsBatcher::start_center() {
  int64_t b = random_.one_to(options_.window());
  int64_t c = static_cast<int64_t>(center_);
  lo_ = std::max<int64_t>(0, c - b);
  hi_ = std::min<int64_t>(static_cast<int64_t>(sentence_.size()) - 1, c + b);
  next_ = lo_ == c ? lo_ + 1 : lo_;
  pair_index_ = 0;
}

void SgnsBatcher::advance() {
  next_ = next_ + 1 == static_cast<int64_t>(center_) ? next_ + 2 : next_ + 1;
  ++pair_index_;
}

void SgnsBatcher::fill(int64_t* centers, int64_t* contexts, int64_t n) {
  for (int64_t k = 0; k < n; ++k) {
    int64_t centers_without_pairs = 0;
    while (!started_ || next_ > hi_) {
      if (!started_ || ++center_ == sentence_.size()) {
        read_sentence();
        center_ = 0;
      }
      started_ = true;
      start_center();
      // Only sentences of one word have centers without pairs; a pass of nothing else
      // would never yield one.
      if (next_ > hi_ && ++centers_without_pairs > 2 * train_words_ + 2)
        throw DataError("SgnsBatcher",
                        stream_.reader().path() + ": every sentence has a single word",
                        stream_.reader().path(), 0);
    }
    centers[k] = sentence_[center_];
    contexts[k] = sentence_[static_cast<size_t>(next_)];
    advance();
  }
}

void SgnsBatcher::next(Tensor* centers, Tensor* contexts) {
  int64_t b = options_.batch_size();
  *centers = Tensor::empty(Shape{b}, i64);
  *contexts = Tensor::empty(Shape{b}, i64);
  fill(centers->mutable_data<int64_t>(), contexts->mutable_data<int64_t>(), b);
}

SgnsState SgnsBatcher::state() const {
  SgnsState s;
  s.seed = random_.seed();
  s.started = started_;
  if (!started_) {
    s.sentence_offset = stream_.offset();
    s.epoch = epoch_;
    s.words_processed = words_processed_;
    s.random_position = random_.position();
    return s;
  }
  s.sentence_offset = sentence_offset_;
  s.center_index = static_cast<int64_t>(center_);
  s.pair_index = pair_index_;
  s.epoch = sentence_epoch_;
  s.words_processed = sentence_words_processed_;
  s.random_position = sentence_random_;
  return s;
}

void SgnsBatcher::restore(const SgnsState& s, const Loc& loc) {
  detail::ApiScope scope("SgnsBatcher::restore", loc);
  const char* op = "SgnsBatcher::restore";
  check_non_negative(op, "epoch", s.epoch);
  check_non_negative(op, "words_processed", s.words_processed);
  stream_.seek(s.sentence_offset);
  random_.seek(s.seed, s.random_position);
  epoch_ = s.epoch;
  words_processed_ = s.words_processed;
  started_ = s.started;
  sentence_.clear();
  center_ = 0;
  next_ = hi_ = 0;
  pair_index_ = 0;
  if (!s.started) return;
  // Rebuild the sentence and replay its centers' window draws up to the current one.
  read_sentence();
  if (s.center_index < 0 || s.center_index >= static_cast<int64_t>(sentence_.size()))
    detail::fail(op, "center_index " + std::to_string(s.center_index) + " is not in the " +
                         std::to_string(sentence_.size()) + "-word sentence at byte " +
                         std::to_string(s.sentence_offset) + " of " + stream_.reader().path() +
                         " (another corpus, vocabulary or options?)");
  for (int64_t c = 0; c <= s.center_index; ++c) {
    center_ = static_cast<size_t>(c);
    start_center();
  }
  int64_t pairs = hi_ - lo_;  // the window without the center
  if (s.pair_index < 0 || s.pair_index > pairs)
    detail::fail(op, "pair_index " + std::to_string(s.pair_index) + " exceeds the center's " +
                         std::to_string(pairs) + " pairs");
  while (pair_index_ < s.pair_index) advance();
}

}  // namespace kiln::data
