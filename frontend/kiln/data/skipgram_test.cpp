// Tests for SkipGramBatcher and SgnsBatcher: the pair streams against direct in-memory
// transcriptions of the CS20 generator and of word2vec.c's loop, subsampling rates, shards, and
// bit-identical resumption from state() (also through its tensor form, as checkpoints store it).
#include "kiln/data/skipgram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "kiln/data/csv.h"
#include "kiln/data/text_test_data.h"

namespace kiln::data {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using Pairs = std::vector<std::pair<int64_t, int64_t>>;

std::vector<int64_t> corpus_ids(const std::string& path, const Vocabulary& v, bool skip_unknown) {
  IdStream s(path, v, IdStreamOptions().skip_unknown(skip_unknown));
  std::vector<int64_t> ids;
  for (int64_t id; s.next(id);) ids.push_back(id);
  return ids;
}

// The CS20 generate_sample, over `epochs` passes of the whole id list in memory, drawing
// random.randint(1, window) from the same random words as the batcher.
Pairs cs20_pairs(const std::vector<int64_t>& words, int64_t window, uint64_t seed, size_t n) {
  RandomWords random(seed);
  Pairs out;
  while (out.size() < n) {
    for (size_t index = 0; index < words.size() && out.size() < n; ++index) {
      int64_t context = window == 1 ? 1 : random.one_to(window);
      size_t from = index >= static_cast<size_t>(context) ? index - static_cast<size_t>(context) : 0;
      for (size_t t = from; t < index; ++t) out.emplace_back(words[index], words[t]);
      for (size_t t = index + 1; t < std::min(words.size(), index + 1 + static_cast<size_t>(context)); ++t)
        out.emplace_back(words[index], words[t]);
    }
  }
  out.resize(n);
  return out;
}

template <class Batcher>
Pairs batches(Batcher& b, int64_t count) {
  Pairs out;
  for (int64_t i = 0; i < count; ++i) {
    Tensor c, t;
    b.next(&c, &t);
    for (int64_t k = 0; k < c.numel(); ++k)
      out.emplace_back(c.template data<int64_t>()[k], t.template data<int64_t>()[k]);
  }
  return out;
}

// text8-head.txt when present, otherwise a synthetic corpus written to `dir`.
std::string corpus_file(const TempDir& dir, int64_t synthetic_tokens) {
  if (std::optional<std::string> text8 = testing::find_text8_head()) return *text8;
  return dir.write("synthetic.txt", synthetic_corpus(synthetic_tokens, /*seed=*/11));
}

TEST(SkipGramBatcherTest, WindowOneIsTheCs20GeneratorAcrossEpochs) {
  TempDir dir;
  std::string path = dir.write("c.txt", "the cat sat on the mat the end");
  Vocabulary v = Vocabulary::build(path, 4);  // UNK the + 2 more
  SkipGramBatcher b(path, v, SkipGramOptions().batch_size(5));
  Pairs got = batches(b, 20);
  EXPECT_EQ(got, cs20_pairs(corpus_ids(path, v, false), 1, 0, 100));
  // Start: (the, cat); then cat's pairs: (cat, the), (cat, sat).
  EXPECT_EQ(got[0], std::make_pair(v.id("the"), v.id("cat")));
  EXPECT_EQ(got[1], std::make_pair(v.id("cat"), v.id("the")));
  EXPECT_GE(b.epoch(), 7);  // 14 pairs per pass
  Tensor c, t;
  b.next(&c, &t);
  EXPECT_EQ(c.shape(), Shape({5}));
  EXPECT_EQ(t.shape(), Shape({5, 1}));
}

TEST(SkipGramBatcherTest, RandomWindowsMatchTheCs20GeneratorWithTheSameDraws) {
  TempDir dir;
  std::string path = dir.write("c.txt", synthetic_corpus(500, /*seed=*/2));
  Vocabulary v = Vocabulary::build(path, 50);
  for (int64_t window : {2, 3, 5}) {
    SkipGramBatcher b(path, v, SkipGramOptions().window(window).batch_size(7).seed(9));
    EXPECT_EQ(batches(b, 600), cs20_pairs(corpus_ids(path, v, false), window, 9, 4200))
        << "window " << window;
  }
}

template <class Batcher, class Options>
void expect_resumes_bit_identically(const std::string& path, const Vocabulary& v,
                                    const Options& options) {
  Batcher straight(path, v, options);
  Pairs all = batches(straight, 1000);
  Batcher first(path, v, options);
  Pairs resumed = batches(first, 400);
  // Through the tensor form, as a checkpoint stores it.
  Tensor saved = first.state().to_tensor();
  Batcher second(path, v, options);
  second.restore(decltype(first.state())::from_tensor(saved));
  EXPECT_EQ(second.state(), first.state());
  Pairs rest = batches(second, 600);
  resumed.insert(resumed.end(), rest.begin(), rest.end());
  EXPECT_TRUE(resumed == all) << "resumed run differs";
  EXPECT_EQ(second.state(), straight.state());
}

TEST(SkipGramBatcherTest, ResumesBitIdenticallyFromItsState) {
  TempDir dir;
  std::string path = corpus_file(dir, 300000);
  Vocabulary v = Vocabulary::build(path, 50000);
  expect_resumes_bit_identically<SkipGramBatcher>(path, v, SkipGramOptions().batch_size(128));
  expect_resumes_bit_identically<SkipGramBatcher>(
      path, v, SkipGramOptions().window(5).batch_size(100).seed(3));
  // Across an epoch boundary, with a short corpus.
  std::string small = dir.write("small.txt", synthetic_corpus(777, 4));
  expect_resumes_bit_identically<SkipGramBatcher>(small, v,
                                                  SkipGramOptions().window(4).batch_size(13));
}

TEST(SkipGramBatcherTest, RestoringAStateOfAnotherCorpusIsAnError) {
  TempDir dir;
  std::string a = dir.write("a.txt", "x y z x y z x y z"), b = dir.write("b.txt", "z z z z z z z z z");
  Vocabulary v = Vocabulary::build(a, 0);
  SkipGramBatcher on_a(a, v, SkipGramOptions().batch_size(4));
  batches(on_a, 2);
  SkipGramBatcher on_b(b, v, SkipGramOptions().batch_size(4));
  try {
    on_b.restore(on_a.state());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("the state does not fit"));
    EXPECT_EQ(e.file(), "skipgram_test.cpp");
  }
  EXPECT_THROW(SkipGramState::from_tensor(Tensor::empty(Shape{3}, i64)), Error);
  EXPECT_THROW(SkipGramBatcher(a, v, SkipGramOptions().batch_size(0)), Error);
  std::string one = dir.write("one.txt", "x");
  SkipGramBatcher single(one, v);
  Tensor c, t;
  EXPECT_THROW(single.next(&c, &t), DataError);
}

// word2vec.c's training loop over an in-memory id list (in-vocabulary words only): sentences
// of max_sentence words after subsampling, a window b per center, pairs left to right.
Pairs word2vec_pairs(const std::vector<int64_t>& words, const Vocabulary& v,
                     const SgnsOptions& o, size_t n) {
  RandomWords random(o.seed());
  double tn = o.sample() * static_cast<double>(v.total_tokens() - v.count(0));
  Pairs out;
  size_t pos = 0;
  while (out.size() < n) {
    std::vector<int64_t> sentence;
    while (static_cast<int64_t>(sentence.size()) < o.max_sentence()) {
      if (pos == words.size()) {
        if (!sentence.empty()) break;
        pos = 0;
      }
      int64_t w = words[pos++];
      if (o.sample() > 0) {
        double f = static_cast<double>(v.count(w));
        double ran = (std::sqrt(f / tn) + 1) * tn / f;
        if (ran < random.next() / 4294967296.0) continue;
      }
      sentence.push_back(w);
    }
    int64_t len = static_cast<int64_t>(sentence.size());
    for (int64_t i = 0; i < len; ++i) {
      int64_t b = random.one_to(o.window());
      for (int64_t j = std::max<int64_t>(0, i - b); j <= std::min(len - 1, i + b); ++j)
        if (j != i) out.emplace_back(sentence[static_cast<size_t>(i)], sentence[static_cast<size_t>(j)]);
    }
  }
  out.resize(n);
  return out;
}

TEST(SgnsBatcherTest, MatchesWord2vecsLoop) {
  TempDir dir;
  std::string path = dir.write("c.txt", synthetic_corpus(20000, /*seed=*/6));
  Vocabulary v = Vocabulary::build(path, 0, /*min_count=*/3);
  std::vector<int64_t> ids = corpus_ids(path, v, true);
  for (double sample : {0.0, 1e-3}) {
    SgnsOptions o = SgnsOptions().window(5).sample(sample).batch_size(50).seed(8).max_sentence(100);
    SgnsBatcher b(path, v, o);
    EXPECT_EQ(batches(b, 2000), word2vec_pairs(ids, v, o, 100000)) << "sample " << sample;
    EXPECT_GE(b.epoch(), 1);
  }
}

TEST(SgnsBatcherTest, SubsamplingKeepsFrequentWordsAtWord2vecsRate) {
  TempDir dir;
  std::string path = dir.write("c.txt", synthetic_corpus(100000, /*seed=*/7));
  Vocabulary v = Vocabulary::build(path, 0);
  const double t = 1e-3;
  double n = static_cast<double>(v.total_tokens() - v.count(0)), f = static_cast<double>(v.count(1));
  double keep = (std::sqrt(f / (t * n)) + 1) * (t * n) / f;  // about 0.11 for the top word
  // One sentence per epoch and window 1: a kept word is a center with two pairs (one at the
  // ends), so the top word's center pairs in epoch 0 count its kept occurrences twice.
  SgnsBatcher b(path, v, SgnsOptions().sample(t).window(1).batch_size(1).max_sentence(1 << 30));
  int64_t top_pairs = 0;
  std::vector<int64_t> c(1), x(1);
  while (b.epoch() == 0) {
    b.fill(c.data(), x.data(), 1);
    top_pairs += c[0] == 1;
  }
  EXPECT_NEAR(top_pairs / 2.0, keep * f, 0.1 * keep * f);
  // The pair that showed epoch 1 came from its sentence: all of epoch 1.
  EXPECT_EQ(b.words_processed(), 2 * static_cast<int64_t>(n));
}

TEST(SgnsBatcherTest, ResumesBitIdenticallyAndCountsWords) {
  TempDir dir;
  std::string path = corpus_file(dir, 300000);
  Vocabulary v = Vocabulary::build(path, 0, /*min_count=*/5);
  expect_resumes_bit_identically<SgnsBatcher>(path, v,
                                              SgnsOptions().sample(1e-4).batch_size(256).seed(1));
  std::string small = dir.write("small.txt", synthetic_corpus(3000, 4));
  Vocabulary vs = Vocabulary::build(small, 0, 2);
  expect_resumes_bit_identically<SgnsBatcher>(
      small, vs, SgnsOptions().sample(1e-2).batch_size(37).max_sentence(50));
}

TEST(SgnsBatcherTest, ShardsTogetherReadEachWordOncePerEpoch) {
  TempDir dir;
  std::string path = dir.write("c.txt", synthetic_corpus(50000, /*seed=*/12));
  Vocabulary v = Vocabulary::build(path, 0, 5);
  int64_t total = 0;
  for (int64_t k = 0; k < 3; ++k) {
    IdStream s(path, v, IdStreamOptions().skip_unknown(true).shard(k, 3));
    for (int64_t id; s.next(id);) ++total;
    SgnsBatcher b(path, v, SgnsOptions().shard(k, 3).sample(0).batch_size(64));
    while (b.epoch() == 0) batches(b, 1);
    EXPECT_GE(b.words_processed(), b.words_per_epoch() / 3 - 1000) << "shard " << k;
  }
  EXPECT_EQ(total, v.total_tokens() - v.count(0));
}

// Pair throughput, reported (not asserted: the machine is shared).
TEST(SkipGramBatcherTest, Throughput) {
  TempDir dir;
  std::string path = corpus_file(dir, 2000000);
  Vocabulary v = Vocabulary::build(path, 50000);
  auto time = [](auto&& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  SkipGramBatcher cs20(path, v, SkipGramOptions().batch_size(128));
  int64_t pairs = 0;
  std::vector<int64_t> c(128), t(128);
  double s = time([&] {
    while (cs20.epoch() == 0) {
      cs20.fill(c.data(), t.data(), 128);
      pairs += 128;
    }
  });
  std::printf("[ skipgram ] CS20 window 1: %lld pairs in %.1f ms = %.1f M tokens/s\n",
              static_cast<long long>(pairs), s * 1e3,
              static_cast<double>(cs20.tokens_read()) / s / 1e6);
  Vocabulary v5 = Vocabulary::build(path, 0, 5);
  SgnsBatcher sgns(path, v5, SgnsOptions().sample(1e-4).batch_size(1024));
  std::vector<int64_t> c2(1024), t2(1024);
  pairs = 0;
  s = time([&] {
    while (sgns.epoch() == 0) {
      sgns.fill(c2.data(), t2.data(), 1024);
      pairs += 1024;
    }
  });
  std::printf("[ sgns     ] window 5, sample 1e-4: %lld pairs in %.1f ms = %.1f M words/s\n",
              static_cast<long long>(pairs), s * 1e3,
              static_cast<double>(sgns.words_processed()) / s / 1e6);
}

}  // namespace
}  // namespace kiln::data
