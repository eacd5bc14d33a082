// Reading delimited text tables (CSV, TSV) into columns of strings and numeric tensors.
// Bad input raises a DataError that names the data file, its line and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiln/dtype.h"
#include "kiln/error.h"
#include "kiln/tensor.h"

namespace kiln::data {

// A problem with a data file: the message names the file and line, e.g.
//   read_table: birth_life.txt:17: expected 3 fields, found 2 — at huber.cpp:20 in read_table
// It is a kiln::Error, so file()/line() are the user's C++ call site as for every other error;
// data_path()/data_line() say where in the data the problem is (line 0: the file as a whole).
class DataError : public kiln::Error {
 public:
  DataError(const std::string& op, const std::string& problem, std::string data_path,
            int64_t data_line);
  const std::string& data_path() const { return data_path_; }
  int64_t data_line() const { return data_line_; }

 private:
  std::string data_path_;
  int64_t data_line_;
};

// How to read a table. Chained setters: ReadTableOptions().delimiter(',').
class ReadTableOptions {
 public:
  // The field separator; '\0' (the default) picks tab if the header line contains a tab,
  // otherwise comma.
  ReadTableOptions& delimiter(char d) {
    delimiter_ = d;
    return *this;
  }
  char delimiter() const { return delimiter_; }

 private:
  char delimiter_ = '\0';
};

// A table of text cells: a header row of column names, then rows of equally many cells.
class Table {
 public:
  Table(std::string source, std::vector<std::string> names,
        std::vector<std::vector<std::string>> columns, std::vector<int64_t> row_lines);

  const std::vector<std::string>& column_names() const { return names_; }
  int64_t num_rows() const { return static_cast<int64_t>(row_lines_.size()); }
  int64_t num_columns() const { return static_cast<int64_t>(names_.size()); }
  bool has_column(std::string_view name) const;
  // Where the data came from (the path given to read_table) and the line each row starts on
  // (1-based; the header is line 1).
  const std::string& source() const { return source_; }
  int64_t row_line(int64_t row) const { return row_lines_.at(static_cast<size_t>(row)); }

  // The raw cells of a column, unquoted. Unknown names raise DataError listing the known ones.
  const std::vector<std::string>& column(std::string_view name,
                                         const Loc& loc = Loc::current()) const;
  // A column parsed as numbers into a tensor of shape (num_rows,). Each cell must be exactly
  // one number (surrounding spaces allowed): float dtypes accept decimal and exponent forms,
  // "inf" and "nan"; integer dtypes accept only integers. Values that do not fit the dtype are
  // errors, not silently rounded to infinity or wrapped.
  Tensor numeric_column(std::string_view name, DType dtype = f32,
                        const Loc& loc = Loc::current()) const;

 private:
  size_t column_index(std::string_view name, const char* op) const;

  std::string source_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::string>> columns_;  // columns_[c][row]
  std::vector<int64_t> row_lines_;
};

// Reads a delimited text file whose first row names the columns. Follows RFC 4180: fields may
// be quoted with double quotes (which then may hold delimiters, newlines and "" for a quote);
// LF or CRLF line endings; a leading UTF-8 byte order mark is ignored; empty lines (such as
// trailing blank lines) are skipped. Every row must have as many fields as the header.
Table read_table(const std::string& path, const ReadTableOptions& options = {},
                 const Loc& loc = Loc::current());

// The same, for text already in memory; `source` names it in error messages.
Table parse_table(std::string_view text, const std::string& source,
                  const ReadTableOptions& options = {}, const Loc& loc = Loc::current());

}  // namespace kiln::data
