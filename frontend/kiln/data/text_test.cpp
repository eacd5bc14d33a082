// Tests for TokenReader, IdStream and synthetic_corpus: tokens across chunk boundaries, byte
// offsets that resume exactly, shards that split the tokens with none lost, errors that name
// the file, and read throughput on text8-head.txt (or a synthetic corpus without it).
#include "kiln/data/text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "kiln/data/csv.h"
#include "kiln/data/text_test_data.h"

namespace kiln::data {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::vector<std::string> all_tokens(TokenReader& r) {
  std::vector<std::string> out;
  std::string_view t;
  while (r.next(t)) out.emplace_back(t);
  return out;
}

// The tokens of `text` by the simplest possible splitting, as the oracle.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (is_token_separator(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

const std::string kMixed =
    "  the quick\tbrown\n\nfox\r\njumps\vover\fthe  lazy dog averyveryverylongtokenindeed x\n";

TEST(TokenReaderTest, SplitsOnEveryWhitespaceAcrossChunkBoundaries) {
  TempDir dir;
  std::string path = dir.write("c.txt", kMixed);
  for (size_t chunk : {16, 17, 23, 64, 1 << 20}) {
    TokenReader r(path, chunk);
    EXPECT_EQ(all_tokens(r), split(kMixed)) << "chunk " << chunk;
    std::string_view t;
    EXPECT_FALSE(r.next(t));  // stays at the end
  }
}

TEST(TokenReaderTest, EmptyAndBlankFilesHaveNoTokens) {
  TempDir dir;
  for (const char* text : {"", " \n\t  \n"}) {
    TokenReader r(dir.write("e.txt", text));
    std::string_view t;
    EXPECT_FALSE(r.next(t));
  }
}

TEST(TokenReaderTest, SeekToAnOffsetResumesExactlyThere) {
  TempDir dir;
  std::string text = synthetic_corpus(3000, /*seed=*/1);
  std::string path = dir.write("s.txt", text + "\n");
  std::vector<std::string> expected = split(text);
  TokenReader r(path, /*chunk_bytes=*/64);
  std::vector<uint64_t> offsets;
  std::string_view t;
  for (offsets.push_back(r.offset()); r.next(t); offsets.push_back(r.offset())) {
  }
  ASSERT_EQ(offsets.size(), expected.size() + 1);
  for (size_t i : {size_t{0}, size_t{1}, size_t{777}, expected.size() - 1, expected.size()}) {
    TokenReader other(path, 64);
    other.seek(offsets[i]);
    std::vector<std::string> rest = all_tokens(other);
    EXPECT_EQ(rest, std::vector<std::string>(expected.begin() + static_cast<std::ptrdiff_t>(i),
                                             expected.end()))
        << "from token " << i;
  }
  r.rewind();
  EXPECT_EQ(all_tokens(r), expected);
}

TEST(TokenReaderTest, ShardsSplitTheTokensWithNoneLostOrRepeated) {
  TempDir dir;
  std::string text = "a bb ccc dddd eeeee ffffff g hh iii jjjj kkkkk llllll mmmmmmm n";
  std::string path = dir.write("s.txt", text);
  for (int64_t n = 1; n <= 9; ++n) {
    std::vector<std::string> joined;
    for (int64_t k = 0; k < n; ++k) {
      TokenReader r(path, 16);
      r.shard(k, n);
      std::vector<std::string> part = all_tokens(r);
      r.rewind();
      EXPECT_EQ(all_tokens(r), part) << "rewind stays in shard " << k << " of " << n;
      joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, split(text)) << n << " shards";
  }
}

TEST(TokenReaderTest, ErrorsNameTheFileAndTheProblem) {
  try {
    TokenReader r("/nonexistent/corpus.txt");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/corpus.txt: cannot open"));
    EXPECT_EQ(e.data_path(), "/nonexistent/corpus.txt");
    EXPECT_EQ(e.file(), "text_test.cpp");
  }
  TempDir dir;
  TokenReader r(dir.write("x.txt", "abc def"));
  try {
    r.seek(8);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("offset 8 is not in [0, 7]"));
  }
  EXPECT_THROW(r.shard(2, 2), Error);
}

TEST(IdStreamTest, MapsTokensToIdsSkipsUnknownsAndRepeatsCountingEpochs) {
  TempDir dir;
  std::string path = dir.write("c.txt", "a b zz a c b yy a c");
  Vocabulary v = Vocabulary::build(path, /*max_size=*/4);  // UNK a b c
  ASSERT_EQ(v.word(1), "a");
  IdStream plain(path, v);
  std::vector<int64_t> ids;
  for (int64_t id; plain.next(id);) ids.push_back(id);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 0, 1, 3, 2, 0, 1, 3}));
  EXPECT_EQ(plain.tokens_read(), 9);

  IdStream skipping(path, v, IdStreamOptions().skip_unknown(true).repeat(true));
  ids.clear();
  for (int i = 0; i < 15; ++i) {
    int64_t id = -1;
    ASSERT_TRUE(skipping.next(id));
    ids.push_back(id);
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 1, 3, 2, 1, 3, 1, 2, 1, 3, 2, 1, 3, 1}));
  EXPECT_EQ(skipping.epoch(), 2);

  // Resuming from an offset and epoch continues the same sequence.
  uint64_t at = skipping.offset();
  int64_t epoch = skipping.epoch();
  std::vector<int64_t> expected, got;
  for (int i = 0; i < 7; ++i) skipping.next(expected.emplace_back());
  IdStream resumed(path, v, IdStreamOptions().skip_unknown(true).repeat(true));
  resumed.seek(at, epoch);
  for (int i = 0; i < 7; ++i) resumed.next(got.emplace_back());
  EXPECT_EQ(got, expected);
  EXPECT_EQ(resumed.epoch(), skipping.epoch());
}

TEST(IdStreamTest, RepeatingACorpusWithoutTokensIsAnErrorNotAHang) {
  TempDir dir;
  std::string path = dir.write("c.txt", "q r s");
  Vocabulary v = Vocabulary::build_from_text("a b", 0);
  IdStream s(path, v, IdStreamOptions().skip_unknown(true).repeat(true));
  int64_t id;
  try {
    s.next(id);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no in-vocabulary tokens"));
    EXPECT_EQ(e.data_path(), path);
  }
}

TEST(SyntheticCorpusTest, IsDeterministicAndZipfian) {
  std::string a = synthetic_corpus(200000, /*seed=*/5);
  EXPECT_EQ(a, synthetic_corpus(200000, 5));
  EXPECT_NE(a, synthetic_corpus(200000, 6));
  std::vector<std::string> tokens = split(a);
  ASSERT_EQ(tokens.size(), 200000u);
  std::map<std::string, int64_t> counts;
  for (const auto& t : tokens) ++counts[t];
  // p(rank r) = 1 / (r H(20000)); the tolerances are about 6 standard deviations.
  double h = 0;
  for (int r = 1; r <= 20000; ++r) h += 1.0 / r;
  EXPECT_NEAR(counts["a"] / 200000.0, 1 / h, 0.004);
  EXPECT_NEAR(counts["b"] / 200000.0, 0.5 / h, 0.003);
  EXPECT_NEAR(counts["aa"] / 200000.0, 1 / (27 * h), 0.001);
  EXPECT_GT(counts.size(), 8000u);
  EXPECT_LE(counts.size(), 20000u);
  EXPECT_TRUE(synthetic_corpus(0, 1).empty());
  EXPECT_THROW(synthetic_corpus(-1, 1), Error);
}

// Reading speed, reported (not asserted: the machine is shared); run with --gtest_filter.
TEST(TokenReaderTest, ReadThroughput) {
  TempDir dir;
  std::optional<std::string> text8 = testing::find_text8_head();
  std::string path = text8 ? *text8 : dir.write("s.txt", synthetic_corpus(2000000, 1));
  auto start = std::chrono::steady_clock::now();
  TokenReader r(path);
  std::string_view t;
  int64_t n = 0;
  while (r.next(t)) ++n;
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ reading  ] %s: %lld tokens in %.1f ms = %.1f M tokens/s\n",
              text8 ? "text8-head.txt" : "synthetic", static_cast<long long>(n), s * 1e3,
              static_cast<double>(n) / s / 1e6);
  if (text8) {
    EXPECT_EQ(n, 2139748);
  }
}

}  // namespace
}  // namespace kiln::data
