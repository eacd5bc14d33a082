// Tests for Vocabulary: the CS20 ordering checked against Python's own
// collections.Counter.most_common (run by /usr/bin/python3), min counts, the text8-head facts
// from the data README, and the serialized form (round trip, every malformed-input error).
#include "kiln/data/vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "kiln/data/csv.h"
#include "kiln/data/text.h"
#include "kiln/data/text_test_data.h"

namespace kiln::data {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

TEST(VocabularyTest, KeepsTheMostFrequentWordsTiesByFirstAppearance) {
  //        counts: d 3, b 2, c 2, a 1, e 1, f 1
  Vocabulary v = Vocabulary::build_from_text("a b c b d c d d e f", /*max_size=*/5);
  ASSERT_EQ(v.size(), 5);
  EXPECT_EQ(v.word(0), "UNK");
  EXPECT_EQ(v.word(1), "d");
  EXPECT_EQ(v.word(2), "b");  // b appears before c
  EXPECT_EQ(v.word(3), "c");
  EXPECT_EQ(v.word(4), "a");  // a before e and f
  EXPECT_EQ(v.count(0), 2);   // e, f
  EXPECT_EQ(v.count(1), 3);
  EXPECT_EQ(v.total_tokens(), 10);
  EXPECT_EQ(v.id("c"), 3);
  EXPECT_EQ(v.id("e"), 0);
  EXPECT_TRUE(v.contains("a"));
  EXPECT_FALSE(v.contains("f"));
  EXPECT_TRUE(v.contains("UNK"));
  EXPECT_THROW(v.word(5), Error);
  EXPECT_THROW(v.count(-1), Error);
}

TEST(VocabularyTest, MinCountDropsRareWordsAndZeroKeepsAll) {
  Vocabulary all = Vocabulary::build_from_text("a b c b d c d d e f", 0);
  EXPECT_EQ(all.size(), 7);
  EXPECT_EQ(all.count(0), 0);
  Vocabulary frequent = Vocabulary::build_from_text("a b c b d c d d e f", 0, /*min_count=*/2);
  EXPECT_EQ(frequent.size(), 4);  // UNK d b c
  EXPECT_EQ(frequent.count(0), 3);
  EXPECT_THROW(Vocabulary::build_from_text("a", 1), Error);
  EXPECT_THROW(Vocabulary::build_from_text("a", 0, -1), Error);
}

TEST(VocabularyTest, ALiteralUnkIsCountedAsUnknown) {
  Vocabulary v = Vocabulary::build_from_text("UNK x UNK y x", 0);
  EXPECT_EQ(v.size(), 3);  // UNK x y
  EXPECT_EQ(v.count(0), 2);
  EXPECT_EQ(v.id("UNK"), 0);
}

// The words and counts Python keeps: the CS20 code's Counter(words).most_common(n - 1).
std::string python_most_common(const std::string& corpus, int64_t n) {
  std::string cmd = "/usr/bin/python3 -c \"import collections,sys\n"
                    "words = open(sys.argv[1], 'rb').read().decode('utf-8').split()\n"
                    "for w, c in collections.Counter(words).most_common(int(sys.argv[2])):\n"
                    "    sys.stdout.write('%s\\t%d\\n' % (w, c))\" '" +
                    corpus + "' " + std::to_string(n - 1);
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return "";
  std::string out;
  char buf[1 << 16];
  for (size_t got; (got = fread(buf, 1, sizeof buf, p.get())) > 0;) out.append(buf, got);
  return out;
}

void expect_matches_python(const std::string& corpus, int64_t max_size) {
  Vocabulary v = Vocabulary::build(corpus, max_size);
  std::string kept = v.serialize();
  kept = kept.substr(kept.find('\n') + 1);  // without UNK
  std::string expected = python_most_common(corpus, max_size);
  ASSERT_FALSE(expected.empty()) << "python3 printed nothing";
  EXPECT_TRUE(kept == expected) << "the vocabularies differ (" << kept.size() << " and "
                                << expected.size() << " bytes)";
}

TEST(VocabularyTest, Top50000MatchesPythonsCounterOnAOneMegabytePrefix) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/python3"))
      << "the oracle needs Debian's python3 (scripts/install-deps.sh installs it)";
  TempDir dir;
  std::string text;
  if (std::optional<std::string> text8 = testing::find_text8_head()) {
    std::ifstream in(*text8, std::ios::binary);
    text.resize(1 << 20);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
  } else {
    text = synthetic_corpus(200000, /*seed=*/3);
  }
  expect_matches_python(dir.write("prefix.txt", text), 50000);
}

TEST(VocabularyTest, Text8HeadHasTheCountsOfTheDataReadmeAndMatchesPython) {
  std::optional<std::string> text8 = testing::find_text8_head();
  if (!text8) GTEST_SKIP() << "text8-head.txt is not in ../shared/data";
  auto start = std::chrono::steady_clock::now();
  Vocabulary all = Vocabulary::build(*text8, 0);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ vocab    ] Vocabulary::build(text8-head.txt): %.1f ms = %.1f M tokens/s\n",
              s * 1e3, static_cast<double>(all.total_tokens()) / s / 1e6);
  EXPECT_EQ(all.total_tokens(), 2139748);
  EXPECT_EQ(all.size() - 1, 80982);
  EXPECT_EQ(all.count(0), 0);
  Vocabulary min5 = Vocabulary::build(*text8, 0, /*min_count=*/5);
  EXPECT_EQ(min5.size() - 1, 22541);
  Vocabulary cs20 = Vocabulary::build(*text8, 50000);
  EXPECT_EQ(cs20.size(), 50000);
  EXPECT_EQ(cs20.word(1), "the");
  if (std::filesystem::exists("/usr/bin/python3")) expect_matches_python(*text8, 50000);
}

TEST(VocabularyTest, SerializeDeserializeSaveAndLoadRoundTrip) {
  Vocabulary v = Vocabulary::build_from_text("x y y z z z", 0);
  EXPECT_EQ(v.serialize(), "UNK\t0\nz\t3\ny\t2\nx\t1\n");
  EXPECT_EQ(Vocabulary::deserialize(v.serialize(), "ckpt"), v);
  TempDir dir;
  std::string path = dir.path("vocab.tsv");
  v.save(path);
  Vocabulary back = Vocabulary::load(path);
  EXPECT_EQ(back, v);
  EXPECT_EQ(back.id("y"), 2);
  EXPECT_FALSE(back == Vocabulary());
  Vocabulary::build_from_text("a", 0).save(path);  // replaces the file
  EXPECT_EQ(Vocabulary::load(path).size(), 2);
  // A final line without its newline is accepted.
  EXPECT_EQ(Vocabulary::deserialize("UNK\t0\nq\t4", "x").count(1), 4);
}

TEST(VocabularyTest, MalformedTextRaisesErrorsNamingTheOriginAndLine) {
  auto error = [](const std::string& text) -> std::string {
    try {
      Vocabulary::deserialize(text, "run/ckpt");
    } catch (const DataError& e) {
      EXPECT_EQ(e.data_path(), "run/ckpt");
      EXPECT_EQ(e.file(), "vocabulary_test.cpp");
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(error(""), HasSubstr("run/ckpt: no words"));
  EXPECT_THAT(error("UNK\t0\nthe 5\n"), HasSubstr("run/ckpt:2: expected 'word<TAB>count', found no tab"));
  EXPECT_THAT(error("UNK\t0\na\t1\t2\n"), HasSubstr(":2: expected 'word<TAB>count', found more than one tab"));
  EXPECT_THAT(error("UNK\t0\n\t3\n"), HasSubstr(":2: the word is empty"));
  EXPECT_THAT(error("UNK\t0\n\n"), HasSubstr(":2: expected 'word<TAB>count', found no tab"));
  EXPECT_THAT(error("UNK\t0\na b\t3\n"), HasSubstr(":2: the word 'a b' holds whitespace"));
  EXPECT_THAT(error("UNK\t0\na\t-3\n"), HasSubstr(":2: the count '-3' is not a non-negative"));
  EXPECT_THAT(error("UNK\t0\na\t3x\n"), HasSubstr(":2: the count '3x' is not"));
  EXPECT_THAT(error("UNK\t0\na\t\n"), HasSubstr(":2: the count '' is not"));
  EXPECT_THAT(error("UNK\t0\na\t99999999999999999999\n"), HasSubstr("is not a non-negative 64-bit"));
  EXPECT_THAT(error("the\t5\n"), HasSubstr("run/ckpt:1: the first word must be UNK, found 'the'"));
  EXPECT_THAT(error("UNK\t0\na\t1\nb\t1\na\t2\n"), HasSubstr(":4: the word 'a' is also on line 2"));
  EXPECT_THAT(error("UNK\t0\na\t9223372036854775807\nb\t1\n"), HasSubstr("add up to more than 2^63"));
  try {
    Vocabulary::load("/nonexistent/vocab.tsv");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/vocab.tsv: cannot open"));
  }
  EXPECT_THROW(Vocabulary().save("/nonexistent/dir/vocab.tsv"), Error);
}

}  // namespace
}  // namespace kiln::data
