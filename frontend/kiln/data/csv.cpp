// The RFC 4180 record parser behind read_table, and numeric column conversion.
#include "kiln/data/csv.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <system_error>
#include <utility>

namespace kiln::data {
namespace {

std::string call_site_file() {
  const detail::CallSite& s = detail::current_call_site();
  if (s.api == nullptr) return "";
  std::string_view p = s.loc.file_name();
  size_t slash = p.find_last_of('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

unsigned call_site_line() {
  const detail::CallSite& s = detail::current_call_site();
  return s.api == nullptr ? 0 : s.loc.line();
}

std::string call_site_api() {
  const detail::CallSite& s = detail::current_call_site();
  return s.api == nullptr ? "" : s.api;
}

// "x.txt:17: problem", or "x.txt: problem" for the file as a whole (line 0).
[[noreturn]] void fail_at(const char* op, const std::string& source, int64_t line,
                          const std::string& problem) {
  std::string where = line > 0 ? source + ":" + std::to_string(line) : source;
  throw DataError(op, where + ": " + problem, source, line);
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// One row of fields and the line it starts on.
struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;
  bool blank = false;  // an empty line: one unquoted empty field
};

// Splits text into records, one call at a time. Lines are counted as they are consumed, so a
// quoted field holding newlines moves later records' line numbers as a text editor would.
class RecordReader {
 public:
  RecordReader(std::string_view text, char delimiter, const std::string& source)
      : text_(text), delim_(delimiter), source_(source) {}

  bool next(Record* r) {
    if (pos_ >= text_.size()) return false;
    r->fields.clear();
    r->line = line_;
    bool any_quoted = false;
    while (true) {
      std::string field;
      if (peek() == '"') {
        any_quoted = true;
        read_quoted(r->fields.size() + 1, &field);
      } else {
        read_unquoted(&field);
      }
      r->fields.push_back(std::move(field));
      if (pos_ >= text_.size()) break;
      if (text_[pos_] == delim_) {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '\r') ++pos_;  // CRLF after a quoted field
      ++pos_;                           // the '\n'
      ++line_;
      break;
    }
    r->blank = !any_quoted && r->fields.size() == 1 && r->fields[0].empty();
    return true;
  }

 private:
  int peek() const { return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : -1; }

  bool at_line_end(size_t i) const {
    return i >= text_.size() || text_[i] == '\n' ||
           (text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] == '\n'));
  }

  void read_unquoted(std::string* field) {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n') ++pos_;
    size_t end = pos_;
    if (end > start && text_[end - 1] == '\r' && (pos_ == text_.size() || text_[pos_] == '\n'))
      --end;  // CRLF line ending
    field->assign(text_.substr(start, end - start));
  }

  void read_quoted(size_t field_number, std::string* field) {
    int64_t open_line = line_;
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size())
        fail_at("read_table", source_, open_line,
                "field " + std::to_string(field_number) +
                    " opens a quote that is never closed (a quoted field ends with '\"')");
      char c = text_[pos_++];
      if (c == '"') {
        if (peek() != '"') break;
        field->push_back('"');  // "" inside quotes is one quote
        ++pos_;
        continue;
      }
      if (c == '\n') ++line_;
      field->push_back(c);
    }
    if (pos_ < text_.size() && text_[pos_] != delim_ && !at_line_end(pos_))
      fail_at("read_table", source_, line_,
              "unexpected " + in_quotes(std::string(1, text_[pos_])) +
                  " after the closing quote of field " + std::to_string(field_number) +
                  " (a quote inside a quoted field is written \"\")");
  }

  std::string_view text_;
  char delim_;
  const std::string& source_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw DataError("read_table", "cannot open " + in_quotes(path) + ": " + std::strerror(EISDIR),
                    path, 0);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    int err = errno;
    throw DataError("read_table", "cannot open " + in_quotes(path) + ": " + std::strerror(err),
                    path, 0);
  }
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
  if (std::ferror(f.get())) {
    int err = errno;
    throw DataError("read_table", "cannot read " + in_quotes(path) + ": " + std::strerror(err),
                    path, 0);
  }
  return text;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

enum class ParseStatus { kOk, kEmpty, kNotNumber, kOutOfRange };

// Parses all of `cell` as one T; from_chars is locale-independent and exact.
template <class T>
ParseStatus parse_cell(std::string_view cell, T* out) {
  std::string_view s = trim(cell);
  if (s.empty()) return ParseStatus::kEmpty;
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  const char* end = s.data() + s.size();
  T v{};
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec == std::errc::invalid_argument || p != end) return ParseStatus::kNotNumber;
  if (ec == std::errc::result_out_of_range) {
    if constexpr (std::is_floating_point_v<T>) {
      // Underflow rounds to zero or a subnormal, as strtod does; only overflow is an error.
      long double d = std::strtold(std::string(s).c_str(), nullptr);
      if (std::isinf(d) || std::fabs(d) > std::numeric_limits<T>::max())
        return ParseStatus::kOutOfRange;
      v = static_cast<T>(d);
    } else {
      return ParseStatus::kOutOfRange;
    }
  }
  *out = v;
  return ParseStatus::kOk;
}

}  // namespace

DataError::DataError(const std::string& op, const std::string& problem, std::string data_path,
                     int64_t data_line)
    : kiln::Error(op, problem, call_site_file(), call_site_line(), call_site_api()),
      data_path_(std::move(data_path)),
      data_line_(data_line) {}

Table::Table(std::string source, std::vector<std::string> names,
             std::vector<std::vector<std::string>> columns, std::vector<int64_t> row_lines)
    : source_(std::move(source)),
      names_(std::move(names)),
      columns_(std::move(columns)),
      row_lines_(std::move(row_lines)) {
  if (columns_.size() != names_.size())
    throw DataError("Table",
                    source_ + ": " + std::to_string(names_.size()) + " names for " +
                        std::to_string(columns_.size()) + " columns",
                    source_, 0);
  for (const auto& c : columns_)
    if (c.size() != row_lines_.size())
      throw DataError("Table",
                      source_ + ": a column has " + std::to_string(c.size()) + " cells, expected " +
                          std::to_string(row_lines_.size()),
                      source_, 0);
}

bool Table::has_column(std::string_view name) const {
  for (const auto& n : names_)
    if (n == name) return true;
  return false;
}

size_t Table::column_index(std::string_view name, const char* op) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return i;
  std::string known;
  for (const auto& n : names_) known += (known.empty() ? "" : ", ") + in_quotes(n);
  fail_at(op, source_, 0,
          "no column named " + in_quotes(name) + "; the columns are " +
              (known.empty() ? std::string("(none)") : known));
}

const std::vector<std::string>& Table::column(std::string_view name, const Loc& loc) const {
  detail::ApiScope scope("column", loc);
  return columns_[column_index(name, "column")];
}

Tensor Table::numeric_column(std::string_view name, DType dtype, const Loc& loc) const {
  detail::ApiScope scope("numeric_column", loc);
  if (dtype == boolean)
    detail::fail("numeric_column",
                 "dtype bool is not numeric; read the column as int32 or use "
                 "column() for the raw text");
  size_t c = column_index(name, "numeric_column");
  const std::vector<std::string>& cells = columns_[c];
  Tensor out = Tensor::empty(Shape{num_rows()}, dtype);
  visit_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same_v<T, bool>) {
      T* p = out.mutable_data<T>();
      for (size_t r = 0; r < cells.size(); ++r) {
        ParseStatus st = parse_cell(cells[r], &p[r]);
        if (st == ParseStatus::kOk) continue;
        std::string problem = "column " + in_quotes(names_[c]) + ": ";
        if (st == ParseStatus::kEmpty)
          problem += "the cell is empty, expected a number";
        else if (st == ParseStatus::kOutOfRange)
          problem += in_quotes(cells[r]) + " is out of range for " + std::string(dtype_name(dtype));
        else
          problem += in_quotes(cells[r]) +
                     (is_integer(dtype)
                          ? " is not an integer (reading as " + std::string(dtype_name(dtype)) + ")"
                          : " is not a number");
        fail_at("numeric_column", source_, row_lines_[r], problem);
      }
    }
  });
  return out;
}

Table parse_table(std::string_view text, const std::string& source, const ReadTableOptions& options,
                  const Loc& loc) {
  detail::ApiScope scope("parse_table", loc);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  char delim = options.delimiter();
  if (delim == '\0') {
    std::string_view rest = text.substr(std::min(text.find_first_not_of("\r\n"), text.size()));
    std::string_view first_line = rest.substr(0, rest.find('\n'));
    delim = first_line.find('\t') != std::string_view::npos ? '\t' : ',';
  }
  if (delim == '"' || delim == '\n' || delim == '\r')
    detail::fail("read_table", "the delimiter cannot be a quote or a line break");

  RecordReader reader(text, delim, source);
  Record rec;
  bool have_header = false;
  while (!have_header && reader.next(&rec)) have_header = !rec.blank;
  if (!have_header)
    fail_at("read_table", source, 0, "the file is empty; expected a header row of column names");
  std::vector<std::string> names = std::move(rec.fields);
  int64_t header_line = rec.line;
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (names[i] == names[j])
        fail_at("read_table", source, header_line,
                "column name " + in_quotes(names[i]) + " appears twice (fields " +
                    std::to_string(j + 1) + " and " + std::to_string(i + 1) + ")");

  std::vector<std::vector<std::string>> columns(names.size());
  std::vector<int64_t> row_lines;
  while (reader.next(&rec)) {
    if (rec.blank) continue;
    if (rec.fields.size() != names.size())
      fail_at("read_table", source, rec.line,
              "expected " + std::to_string(names.size()) + " fields, found " +
                  std::to_string(rec.fields.size()));
    for (size_t c = 0; c < names.size(); ++c) columns[c].push_back(std::move(rec.fields[c]));
    row_lines.push_back(rec.line);
  }
  return Table(source, std::move(names), std::move(columns), std::move(row_lines));
}

Table read_table(const std::string& path, const ReadTableOptions& options, const Loc& loc) {
  detail::ApiScope scope("read_table", loc);
  return parse_table(read_file(path), path, options, loc);
}

}  // namespace kiln::data
