// Tests for read_table: parsing (quotes, CRLF, BOM, blank lines), numeric columns, and the
// exact text of every error, plus the real birth/life data when the shared folder is present.
#include "kiln/data/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace kiln::data {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh directory per test, removed afterwards.
class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kiln_csv_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  // The message read_table throws for `content`, or "" if it does not throw.
  std::string read_error(const std::string& content) {
    std::string path = write("x.txt", content);
    try {
      read_table(path).numeric_column("b");
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(CsvTest, ReadsCommaSeparatedColumns) {
  Table t = read_table(write("a.csv", "a,b,c\n1,2,3\n4,5,6\n"));
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t.num_rows(), 2);
  EXPECT_EQ(t.num_columns(), 3);
  EXPECT_EQ(t.column("b"), (std::vector<std::string>{"2", "5"}));
  Tensor c = t.numeric_column("c");
  EXPECT_EQ(c.dtype(), f32);
  EXPECT_EQ(c.shape(), Shape({2}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{3, 6}));
  EXPECT_TRUE(t.has_column("a"));
  EXPECT_FALSE(t.has_column("d"));
  EXPECT_EQ(t.row_line(0), 2);
}

TEST_F(CsvTest, DetectsTabsAndKeepsCommasInsideTabSeparatedCells) {
  Table t = read_table(write("a.tsv", "Country\tBirth rate\nMacao SAR, China\t1.092\n"));
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"Country", "Birth rate"}));
  EXPECT_EQ(t.column("Country"), (std::vector<std::string>{"Macao SAR, China"}));
}

TEST_F(CsvTest, UsesAnExplicitDelimiter) {
  Table t = read_table(write("a.txt", "a;b\n1,5;2\n"), ReadTableOptions().delimiter(';'));
  EXPECT_EQ(t.column("a"), (std::vector<std::string>{"1,5"}));
  // Forcing comma on a tab-separated header gives one column.
  Table u = read_table(write("b.txt", "a\tb\n1\t2\n"), ReadTableOptions().delimiter(','));
  EXPECT_EQ(u.column_names(), (std::vector<std::string>{"a\tb"}));
}

TEST_F(CsvTest, UnquotesRfc4180Fields) {
  std::string text =
      "name,quote,n\n"
      "\"Smith, John\",\"He said \"\"hi\"\"\",1\n"
      "\"two\nlines\",\"\",2\n"
      "plain,x,3\n";
  Table t = read_table(write("q.csv", text));
  EXPECT_EQ(t.column("name"), (std::vector<std::string>{"Smith, John", "two\nlines", "plain"}));
  EXPECT_EQ(t.column("quote"), (std::vector<std::string>{"He said \"hi\"", "", "x"}));
  // Line numbers count physical lines, so the row after the two-line field is on line 5.
  EXPECT_EQ(t.row_line(1), 3);
  EXPECT_EQ(t.row_line(2), 5);
}

TEST_F(CsvTest, HandlesCrlfBomBlankLinesAndAMissingFinalNewline) {
  Table t = read_table(write("w.csv",
                             "\xEF\xBB\xBF"
                             "a,b\r\n1,2\r\n\r\n3,\"4\"\r\n\r\n\n\n"));
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.column("b"), (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(t.row_line(1), 4);
  Table u = read_table(write("n.csv", "a,b\n1,2"));
  EXPECT_EQ(u.column("b"), (std::vector<std::string>{"2"}));
  Table header_only = read_table(write("h.csv", "a,b\n"));
  EXPECT_EQ(header_only.num_rows(), 0);
  EXPECT_EQ(header_only.numeric_column("a").shape(), Shape({0}));
}

TEST_F(CsvTest, ParsesNumbersStrictlyInEachDtype) {
  Table t = read_table(write("n.csv",
                             "f,i\n 2.5 ,+3\n-1e3,-7\n74.828243902,123456789012\n"
                             "1e-50,0\n"));
  EXPECT_EQ(t.numeric_column("f").to_vector<float>(),
            (std::vector<float>{2.5f, -1000.f, 74.828243902f, 0.f}));
  EXPECT_EQ(t.numeric_column("f", f64).to_vector<double>()[2], 74.828243902);
  EXPECT_EQ(t.numeric_column("i", i64).to_vector<int64_t>(),
            (std::vector<int64_t>{3, -7, 123456789012, 0}));
  EXPECT_EQ(t.numeric_column("i", i64).dtype(), i64);
}

TEST_F(CsvTest, ParsesTheSameWithEveryLineEnding) {
  std::string lf = "x,y\n1.5,\"a, b\"\n2.5,c\n";
  std::string crlf = "x,y\r\n1.5,\"a, b\"\r\n2.5,c\r\n";
  Table a = read_table(write("lf.csv", lf)), b = read_table(write("crlf.csv", crlf));
  EXPECT_EQ(a.column("y"), b.column("y"));
  EXPECT_EQ(a.numeric_column("x").to_vector<float>(), b.numeric_column("x").to_vector<float>());
}

// ---------------------------------------------------------------------------
// Errors: each names the data file and line and what is wrong.

TEST_F(CsvTest, MissingFileNamesThePathAndTheSystemReason) {
  std::string path = (dir_ / "x.txt").string();
  try {
    read_table(path);
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot open '" + path + "': No such file or directory"));
    EXPECT_THAT(e.what(), HasSubstr("csv_test.cpp"));  // the caller's line, as for every op
    EXPECT_EQ(e.data_path(), path);
    EXPECT_EQ(e.data_line(), 0);
    EXPECT_EQ(e.api(), "read_table");
  }
  EXPECT_THROW(read_table(dir_.string()), kiln::Error);  // a directory is not a table
}

TEST_F(CsvTest, RaggedRowNamesItsLine) {
  std::string text = "a\tb\tc\n";
  for (int i = 0; i < 15; ++i) text += "1\t2\t3\n";
  text += "1\t2\n";  // line 17
  std::string path = write("x.txt", text);
  try {
    read_table(path);
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":17: expected 3 fields, found 2"));
    EXPECT_EQ(e.data_line(), 17);
  }
  EXPECT_THAT(read_error("a,b\n1,2\n1,2,3\n"), HasSubstr("x.txt:3: expected 2 fields, found 3"));
}

TEST_F(CsvTest, NonNumericCellNamesLineColumnAndText) {
  std::string path = write("x.txt", "Country\tBirth rate\nA\t1\nB\t2\nC\t3\nD\tabc\n");
  try {
    read_table(path).numeric_column("Birth rate");
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ":5: column 'Birth rate': 'abc' is not a number"));
    EXPECT_EQ(e.data_line(), 5);
    EXPECT_EQ(e.api(), "numeric_column");
  }
  EXPECT_THAT(read_error("a,b\n1,2x\n"), HasSubstr("x.txt:2: column 'b': '2x' is not a number"));
  EXPECT_THAT(read_error("a,b\n1,\n"),
              HasSubstr("x.txt:2: column 'b': the cell is empty, expected a number"));
  EXPECT_THAT(read_error("a,b\n1,1e39\n"),
              HasSubstr("x.txt:2: column 'b': '1e39' is out of range for float32"));
  Table t = read_table(write("i.csv", "a\n1.5\n"));
  EXPECT_THROW(
      {
        try {
          t.numeric_column("a", i32);
        } catch (const DataError& e) {
          EXPECT_THAT(e.what(), HasSubstr("i.csv:2: column 'a': '1.5' is not an integer"));
          throw;
        }
      },
      DataError);
}

TEST_F(CsvTest, UnknownColumnListsTheKnownOnes) {
  std::string path = write("x.txt", "Country\tBirth rate\tLife expectancy\nA\t1\t2\n");
  Table t = read_table(path);
  try {
    t.column("Birthrate");
    FAIL() << "expected an error";
  } catch (const kiln::Error& e) {  // DataError is a kiln::Error
    EXPECT_THAT(e.what(), HasSubstr(path + ": no column named 'Birthrate'; the columns are "
                                           "'Country', 'Birth rate', 'Life expectancy'"));
  }
  EXPECT_THROW(t.numeric_column("life expectancy"), DataError);
}

TEST_F(CsvTest, EmptyAndMalformedFilesAreErrors) {
  EXPECT_THAT(read_error(""), HasSubstr("x.txt: the file is empty; expected a header row"));
  EXPECT_THAT(read_error("\n\r\n\n"), HasSubstr("x.txt: the file is empty"));
  EXPECT_THAT(read_error("a,b\n1,\"2\n3,4\n"),
              HasSubstr("x.txt:2: field 2 opens a quote that is never closed"));
  EXPECT_THAT(read_error("a,b\n\"1\"x,2\n"),
              HasSubstr("x.txt:2: unexpected 'x' after the closing quote of field 1"));
  EXPECT_THAT(read_error("a,b,a\n1,2,3\n"),
              HasSubstr("x.txt:1: column name 'a' appears twice (fields 1 and 3)"));
}

TEST_F(CsvTest, ParseTableNamesItsSourceInErrors) {
  Table t = parse_table("a,b\n1,2\n", "inline");
  EXPECT_EQ(t.source(), "inline");
  try {
    parse_table("a,b\n1\n", "inline");
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("inline:2: expected 2 fields, found 1"));
  }
}

// ---------------------------------------------------------------------------
// Birth rate / life expectancy: a generated look-alike always, the real file when present.

void expect_birth_life_table(const Table& t, int64_t rows, const std::string& first_country,
                             float first_birth, float first_life, const std::string& last_country,
                             float last_birth, float last_life) {
  ASSERT_EQ(t.column_names(),
            (std::vector<std::string>{"Country", "Birth rate", "Life expectancy"}));
  ASSERT_EQ(t.num_rows(), rows);
  std::vector<float> birth = t.numeric_column("Birth rate").to_vector<float>();
  std::vector<float> life = t.numeric_column("Life expectancy").to_vector<float>();
  const std::vector<std::string>& country = t.column("Country");
  EXPECT_EQ(country.front(), first_country);
  EXPECT_FLOAT_EQ(birth.front(), first_birth);
  EXPECT_FLOAT_EQ(life.front(), first_life);
  EXPECT_EQ(country.back(), last_country);
  EXPECT_FLOAT_EQ(birth.back(), last_birth);
  EXPECT_FLOAT_EQ(life.back(), last_life);
}

TEST_F(CsvTest, ReadsAGeneratedBirthLifeFile) {
  std::string text = "Country\tBirth rate\tLife expectancy\n";
  for (int i = 0; i < 190; ++i) {
    char row[96];
    std::snprintf(row, sizeof row, "Land %d, Republic of\t%.3f\t%.9f\n", i, 1.0 + i * 0.03,
                  80.0 - i * 0.15);
    text += row;
  }
  expect_birth_life_table(read_table(write("birth_life.txt", text)), 190, "Land 0, Republic of",
                          1.0f, 80.0f, "Land 189, Republic of", 1.0f + 189 * 0.03f,
                          80.0f - 189 * 0.15f);
}

fs::path shared_data_dir() {
  const char* env = std::getenv("KILN_SOURCE_DIR");
#ifdef KILN_SOURCE_DIR
  std::string root = env ? env : KILN_SOURCE_DIR;
#else
  std::string root = env ? env : ".";
#endif
  return fs::path(root) / ".." / "shared" / "data";
}

TEST_F(CsvTest, ReadsTheRealBirthLifeFile) {
  fs::path data = shared_data_dir();
  if (!fs::is_directory(data))
    GTEST_SKIP() << "the shared data folder " << data << " is absent (a fresh clone); "
                 << "ReadsAGeneratedBirthLifeFile covers the same format";
  Table t = read_table((data / "birth_life_2010.txt").string());
  expect_birth_life_table(t, 190, "Vietnam", 1.822f, 74.828243902f, "Angola", 5.443f,
                          50.653658537f);
  const std::vector<std::string>& country = t.column("Country");
  EXPECT_NE(std::find(country.begin(), country.end(), "Macao SAR, China"), country.end());
  EXPECT_DOUBLE_EQ(t.numeric_column("Life expectancy", f64).to_vector<double>()[0], 74.828243902);
}

}  // namespace
}  // namespace kiln::data
