// Tests of the command line's vocabularies: ids are line numbers, text after a tab is
// ignored, and every malformed vocabulary or word list is an error naming the line.
#include "runtime/src/vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/src/status.h"

namespace kiln::rt {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Vocabulary, IdsAreLineNumbersAndCountsAreIgnored) {
  Vocabulary v = Vocabulary::parse("UNK\t12\nthe\t9\nof\t7\nking\t1\n", "ckpt");
  EXPECT_EQ(v.size(), 4u);
  EXPECT_EQ(v.find("UNK"), 0);
  EXPECT_EQ(v.find("king"), 3);
  EXPECT_EQ(v.find("queen"), -1);
  EXPECT_EQ(v.find("king\t1"), -1);
  EXPECT_EQ(v.token(2), "of");
  EXPECT_EQ(v.token(4), "<id 4>");
  EXPECT_EQ(v.token(-1), "<id -1>");
}

TEST(Vocabulary, PlainTokensWithoutFinalNewlineOrWithCarriageReturns) {
  Vocabulary plain = Vocabulary::parse("a\nb\nc", "v");
  EXPECT_EQ(plain.size(), 3u);
  EXPECT_EQ(plain.find("c"), 2);
  Vocabulary crlf = Vocabulary::parse("a\r\nb\r\n", "v");
  EXPECT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf.find("b"), 1);
}

TEST(Vocabulary, SurvivesAMove) {
  Vocabulary a = Vocabulary::parse("x\ny\n", "v");
  Vocabulary b = std::move(a);
  EXPECT_EQ(b.find("y"), 1);
}

TEST(Vocabulary, MalformedTextsNameTheLine) {
  EXPECT_THAT(error_of([] { Vocabulary::parse("", "ck.kckpt: metadata 'vocabulary'"); }),
              HasSubstr("ck.kckpt: metadata 'vocabulary': the vocabulary is empty"));
  EXPECT_THAT(error_of([] { Vocabulary::parse("a\n\nb\n", "v"); }),
              HasSubstr("v: line 2 (id 1) has no token"));
  EXPECT_THAT(error_of([] { Vocabulary::parse("a\n\t5\n", "v"); }),
              HasSubstr("v: line 2 (id 1) has no token"));
  EXPECT_THAT(error_of([] { Vocabulary::parse("a\nb\na\n", "v"); }),
              HasSubstr("v: the token 'a' is on line 1 and again on line 3"));
}

TEST(SplitWords, CommasBracketsAndSpaces) {
  EXPECT_EQ(split_words("king", "w"), (std::vector<std::string>{"king"}));
  EXPECT_EQ(split_words("king,france", "w"), (std::vector<std::string>{"king", "france"}));
  EXPECT_EQ(split_words(" [king, france ] ", "w"), (std::vector<std::string>{"king", "france"}));
  EXPECT_THAT(error_of([] { split_words("king,,france", "--input word"); }),
              HasSubstr("--input word: an empty word in 'king,,france'"));
  EXPECT_THAT(error_of([] { split_words("[king", "w"); }),
              HasSubstr("w: '[king' opens a list it does not close"));
  EXPECT_THAT(error_of([] { split_words("[]", "w"); }), HasSubstr("an empty word"));
}

}  // namespace
}  // namespace kiln::rt
