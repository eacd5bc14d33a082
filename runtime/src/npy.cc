// The .npy reader and writer (format described in numpy/lib/format.py) and the literal
// parser behind command-line inputs.
#include "runtime/src/npy.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "runtime/src/file_util.h"
#include "runtime/src/status.h"

namespace kiln::rt {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// NumPy pads the header so that the data starts at a multiple of this.
constexpr size_t kHeaderAlignment = 64;

[[noreturn]] void fail(const std::string& origin, const std::string& problem) {
  bad_input(origin + ": " + problem);
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// product(shape) * element_size, or nullopt when it does not fit in size_t.
std::optional<size_t> byte_count(const std::vector<int64_t>& shape, size_t element_size) {
  size_t bytes = element_size;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes)) {
      return std::nullopt;
    }
  }
  return bytes;
}

// The NumPy type strings Kiln reads and writes, all little-endian (bool has no byte order).
struct DescrName {
  kiln_dtype dtype;
  const char* descr;
};
constexpr DescrName kDescrs[] = {
    {KILN_F32, "<f4"}, {KILN_F64, "<f8"}, {KILN_I32, "<i4"}, {KILN_I64, "<i8"}, {KILN_BOOL, "|b1"},
};

const char* descr_of(kiln_dtype dtype) {
  for (const DescrName& d : kDescrs) {
    if (d.dtype == dtype) return d.descr;
  }
  return nullptr;
}

kiln_dtype dtype_of_descr(const std::string& descr, const std::string& origin) {
  for (const DescrName& d : kDescrs) {
    if (descr == d.descr) return d.dtype;
  }
  if (!descr.empty() && descr[0] == '>') {
    fail(origin, "dtype '" + descr +
                     "' is big-endian; only little-endian data is supported (save it with "
                     "arr.astype(arr.dtype.newbyteorder('<')))");
  }
  fail(origin, "unsupported dtype '" + descr + "' (supported: <f4, <f8, <i4, <i8, |b1)");
}

// A parser for the header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// that accepts what Python's ast.literal_eval would for the values NumPy writes: any key
// order, either quote, any whitespace, an optional trailing comma in the dict and tuple.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& origin) : s_(text), origin_(origin) {}

  struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<int64_t> shape;
  };

  Header parse() {
    Header h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!consume('}')) {
      std::string key = string_literal("a key");
      expect(':');
      if (key == "descr") {
        once(&seen_descr, key);
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == '[') {
          fail(origin_, "structured dtypes (a list in 'descr') are not supported");
        }
        h.descr = string_literal("the 'descr' string");
      } else if (key == "fortran_order") {
        once(&seen_order, key);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        once(&seen_shape, key);
        h.shape = tuple();
      } else {
        fail(origin_, "unexpected key '" + key + "' in the .npy header");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) error("unexpected text after the header dict");
    if (!seen_descr) fail(origin_, "the .npy header has no 'descr'");
    if (!seen_order) fail(origin_, "the .npy header has no 'fortran_order'");
    if (!seen_shape) fail(origin_, "the .npy header has no 'shape'");
    return h;
  }

 private:
  [[noreturn]] void error(const std::string& problem) {
    fail(origin_, "malformed .npy header at character " + std::to_string(pos_ + 1) + ": " +
                      problem + " in \"" + printable(s_) + "\"");
  }

  // The header as text for a message: control and non-ASCII bytes escaped, long ones cut.
  static std::string printable(std::string_view s) {
    constexpr size_t kMax = 200;
    std::string out;
    for (size_t i = 0; i < s.size() && i < kMax; ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c == '\n') {
        out += "\\n";
      } else if (c < 0x20 || c >= 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    if (s.size() > kMax) out += "...";
    return out;
  }

  void once(bool* seen, const std::string& key) {
    if (*seen) error("duplicate key '" + key + "'");
    *seen = true;
  }

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) error(std::string("expected '") + c + "'");
  }

  // A quoted string without escapes (NumPy's keys and type strings have none).
  std::string string_literal(const char* what) {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) {
      error(std::string("expected ") + what);
    }
    char quote = s_[pos_++];
    size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) error("unterminated string");
    std::string value(s_.substr(pos_, end - pos_));
    if (value.find('\\') != std::string::npos) error("escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }

  bool boolean() {
    skip_space();
    for (auto [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      size_t n = std::strlen(word);
      if (s_.substr(pos_, n) == word) {
        pos_ += n;
        return value;
      }
    }
    error("expected True or False for 'fortran_order'");
  }

  // A tuple of non-negative integers: (), (3,), (2, 3) or (2, 3,).
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (!consume(')')) {
      skip_space();
      int64_t d = 0;
      auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), d);
      if (ec == std::errc::result_out_of_range) error("dimension too large");
      if (ec != std::errc() || d < 0) error("expected a non-negative integer in 'shape'");
      pos_ = static_cast<size_t>(end - s_.data());
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2's long suffix: (3L,)
      dims.push_back(d);
      if (!consume(',')) {
        // A one-element tuple needs its comma; (3) is just the number 3.
        if (dims.size() == 1) error("expected ',' after the only dimension");
        expect(')');
        break;
      }
    }
    return dims;
  }

  std::string_view s_;
  const std::string& origin_;
  size_t pos_ = 0;
};

uint32_t read_le(const uint8_t* p, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

// The literal grammar: value := number | true | false | '[' [value (',' value)*] ']'.
// Shapes are found while parsing: the first list closed at each depth fixes that dimension,
// and every scalar must sit at the same depth.
class LiteralParser {
 public:
  LiteralParser(const std::string& text, kiln_dtype dtype, const std::string& origin)
      : s_(text), dtype_(dtype), origin_(origin) {}

  HostTensor parse() {
    skip_space();
    if (pos_ == s_.size()) fail(origin_, "empty value (expected a number or a list)");
    value(0);
    skip_space();
    if (pos_ != s_.size()) error("unexpected '" + std::string(1, s_[pos_]) + "' after the value");
    HostTensor t;
    t.dtype = dtype_;
    // A list whose elements were never seen (`[]`, `[[], []]`) ends one level below them.
    size_t rank = leaf_depth_ >= 0 ? static_cast<size_t>(leaf_depth_) : dims_.size();
    t.shape.assign(dims_.begin(), dims_.begin() + static_cast<std::ptrdiff_t>(rank));
    t.bytes = std::move(bytes_);
    return t;
  }

 private:
  [[noreturn]] void error(const std::string& problem) { error_at(pos_, problem); }
  [[noreturn]] void error_at(size_t pos, const std::string& problem) {
    fail(origin_, "at character " + std::to_string(pos + 1) + ": " + problem);
  }

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Recursion is bounded: list() refuses to nest deeper than KILN_MAX_RANK.
  void value(size_t depth) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '[') {
      list(depth);
    } else {
      scalar(depth);
    }
  }

  void list(size_t depth) {
    size_t start = pos_;
    if (leaf_depth_ >= 0 && depth >= static_cast<size_t>(leaf_depth_)) {
      error("ragged list: expected a number here, as at the same depth before");
    }
    if (depth >= KILN_MAX_RANK) {
      error("more than " + std::to_string(KILN_MAX_RANK) + " nested lists");
    }
    ++pos_;  // '['
    int64_t count = 0;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      // An empty list's elements would have been scalars one level down.
      set_leaf_depth(depth + 1, start);
    } else {
      while (true) {
        value(depth + 1);
        ++count;
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          break;
        }
        error(pos_ == s_.size() ? "unterminated list (expected ']')" : "expected ',' or ']'");
      }
    }
    if (depth >= dims_.size()) dims_.resize(depth + 1, -1);
    if (dims_[depth] < 0) {
      dims_[depth] = count;
    } else if (dims_[depth] != count) {
      error_at(start, "ragged list: this list has " + std::to_string(count) +
                          " elements but the first list at the same depth has " +
                          std::to_string(dims_[depth]));
    }
  }

  void set_leaf_depth(size_t depth, size_t pos) {
    if (leaf_depth_ < 0) {
      leaf_depth_ = static_cast<int>(depth);
    } else if (static_cast<size_t>(leaf_depth_) != depth) {
      error_at(pos, "ragged list: values nested " + std::to_string(depth) + " deep here but " +
                        std::to_string(leaf_depth_) + " deep before");
    }
  }

  void scalar(size_t depth) {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != '[' &&
           s_[pos_] != ' ' && s_[pos_] != '\t' && s_[pos_] != '\n' && s_[pos_] != '\r') {
      ++pos_;
    }
    std::string_view token(s_.data() + start, pos_ - start);
    if (token.empty()) error_at(start, "expected a number or a list");
    set_leaf_depth(depth, start);
    // Every dimension above a scalar is fixed by the lists that have closed, or will be; the
    // element count is simply the number of scalars.
    switch (dtype_) {
      case KILN_F32:
        append(number<float>(token, start));
        break;
      case KILN_F64:
        append(number<double>(token, start));
        break;
      case KILN_I32:
        append(number<int32_t>(token, start));
        break;
      case KILN_I64:
        append(number<int64_t>(token, start));
        break;
      case KILN_BOOL:
        append(static_cast<uint8_t>(boolean(token, start)));
        break;
    }
  }

  template <typename T>
  void append(T v) {
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    bytes_.insert(bytes_.end(), raw, raw + sizeof(T));
  }

  bool boolean(std::string_view token, size_t start) {
    if (token == "true") return true;
    if (token == "false") return false;
    error_at(start, "'" + std::string(token) + "' is not true or false (the value is bool)");
  }

  // from_chars is locale-independent and exact (correctly rounded for floats, range-checked
  // for integers); a leading '+' is allowed as people write it.
  template <typename T>
  T number(std::string_view token, size_t start) {
    std::string_view digits = token;
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
    T v{};
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    const char* name = kiln_dtype_name(dtype_);
    std::string quoted = "'" + std::string(token) + "'";
    if (ec == std::errc::result_out_of_range) {
      if constexpr (std::is_integral_v<T>) {
        error_at(start, quoted + " is out of range for " + name + " [" +
                            std::to_string(std::numeric_limits<T>::min()) + ", " +
                            std::to_string(std::numeric_limits<T>::max()) + "]");
      } else {
        error_at(start, quoted + " is out of range for " + name);
      }
    }
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      error_at(start, quoted + " is not " +
                          (std::is_integral_v<T> ? std::string("an integer") : "a number") +
                          " (the value is " + name + ")");
    }
    return v;
  }

  const std::string& s_;
  kiln_dtype dtype_;
  const std::string& origin_;
  size_t pos_ = 0;
  std::vector<int64_t> dims_;  // the length of the lists at each depth, once known
  int leaf_depth_ = -1;        // how deep the scalars are; -1 until one (or `[]`) is seen
  AlignedBytes bytes_;
};

}  // namespace

int64_t HostTensor::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

kiln_tensor_view HostTensor::view() {
  kiln_tensor_view v{};
  v.dtype = dtype;
  v.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) v.shape[i] = shape[i];
  v.data = bytes.data();
  return v;
}

HostTensor parse_npy(const uint8_t* data, size_t size, const std::string& origin) {
  if (size < kMagicSize + 2 || std::memcmp(data, kMagic, kMagicSize) != 0) {
    fail(origin, R"(not a .npy file (it does not start with "\x93NUMPY"))");
  }
  uint8_t major = data[kMagicSize], minor = data[kMagicSize + 1];
  // 1.0 has a 2-byte header length; 2.0 a 4-byte one; 3.0 is 2.0 with a UTF-8 header.
  size_t length_bytes;
  if (major == 1 && minor == 0) {
    length_bytes = 2;
  } else if ((major == 2 || major == 3) && minor == 0) {
    length_bytes = 4;
  } else {
    fail(origin, "unsupported .npy format version " + std::to_string(major) + "." +
                     std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  }
  size_t prefix = kMagicSize + 2 + length_bytes;
  if (size < prefix) {
    fail(origin, "truncated .npy file: " + std::to_string(size) + " bytes, less than the " +
                     std::to_string(prefix) + "-byte preamble");
  }
  size_t header_length = read_le(data + kMagicSize + 2, length_bytes);
  if (header_length > size - prefix) {
    fail(origin, "truncated .npy header: it claims " + std::to_string(header_length) +
                     " bytes but only " + std::to_string(size - prefix) + " follow");
  }
  std::string_view header(reinterpret_cast<const char*>(data + prefix), header_length);
  if (header.empty() || header.back() != '\n') {
    fail(origin, "malformed .npy header: it does not end in a newline");
  }
  HeaderParser::Header h = HeaderParser(header, origin).parse();

  HostTensor t;
  t.dtype = dtype_of_descr(h.descr, origin);
  if (h.fortran_order) {
    fail(origin,
         "fortran_order is True; only C-order arrays are supported (save "
         "np.ascontiguousarray(a))");
  }
  if (h.shape.size() > KILN_MAX_RANK) {
    fail(origin, "rank " + std::to_string(h.shape.size()) + " (shape " + shape_string(h.shape) +
                     ") is more than the supported " + std::to_string(KILN_MAX_RANK));
  }
  t.shape = std::move(h.shape);
  std::optional<size_t> expected = byte_count(t.shape, kiln_dtype_size(t.dtype));
  if (!expected) {
    fail(origin, "shape " + shape_string(t.shape) + " of " + kiln_dtype_name(t.dtype) +
                     " is too large to address");
  }
  size_t actual = size - prefix - header_length;
  if (actual != *expected) {
    fail(origin, std::string(actual < *expected ? "truncated data" : "trailing bytes") +
                     ": shape " + shape_string(t.shape) + " of " + kiln_dtype_name(t.dtype) +
                     " needs " + std::to_string(*expected) + " bytes but the file has " +
                     std::to_string(actual));
  }
  const uint8_t* payload = data + prefix + header_length;
  if (t.dtype == KILN_BOOL) {
    // Kiln's bools are 0 or 1; NumPy writes nothing else, so anything else is damage.
    for (size_t i = 0; i < actual; ++i) {
      if (payload[i] > 1) {
        fail(origin, "bool element " + std::to_string(i) + " is " + std::to_string(payload[i]) +
                         " (expected 0 or 1)");
      }
    }
  }
  t.bytes.assign(payload, payload + actual);
  return t;
}

HostTensor read_npy(const std::string& path) {
  MappedFile file = MappedFile::open(path);
  return parse_npy(file.data(), file.size(), path);
}

void write_npy(const std::string& path, const kiln_tensor_view& tensor) {
  const char* descr = descr_of(tensor.dtype);
  if (descr == nullptr) {
    usage_error(path + ": cannot write unknown dtype " + std::to_string(tensor.dtype));
  }
  if (tensor.rank < 0 || tensor.rank > KILN_MAX_RANK) {
    usage_error(path + ": cannot write a tensor of rank " + std::to_string(tensor.rank));
  }
  std::vector<int64_t> shape(tensor.shape, tensor.shape + tensor.rank);
  std::optional<size_t> bytes = byte_count(shape, kiln_dtype_size(tensor.dtype));
  if (!bytes) usage_error(path + ": cannot write a tensor of shape " + shape_string(shape));
  if (*bytes > 0 && tensor.data == nullptr) usage_error(path + ": tensor data is NULL");

  // Python's repr of the shape tuple: (), (3,), (2, 3).
  std::string dims = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) dims += ", ";
    dims += std::to_string(shape[i]);
  }
  if (shape.size() == 1) dims += ",";
  dims += ")";
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
  size_t prefix = kMagicSize + 2 + 2;
  // Spaces, then '\n', up to the next 64-byte boundary.
  size_t unpadded = prefix + header.size() + 1;
  header.append((kHeaderAlignment - unpadded % kHeaderAlignment) % kHeaderAlignment, ' ');
  header += '\n';

  std::string preamble(kMagic, kMagicSize);
  preamble += '\x01';
  preamble += '\x00';
  preamble += static_cast<char>(header.size() & 0xff);
  preamble += static_cast<char>(header.size() >> 8);
  write_file_atomically(path, [&](int fd) {
    write_all(fd, preamble.data(), preamble.size(), path);
    write_all(fd, header.data(), header.size(), path);
    if (*bytes > 0) write_all(fd, tensor.data, *bytes, path);
  });
}

HostTensor parse_literal(const std::string& text, kiln_dtype dtype, const std::string& origin) {
  if (kiln_dtype_size(dtype) == 0) {
    usage_error(origin + ": unknown dtype " + std::to_string(dtype));
  }
  return LiteralParser(text, dtype, origin).parse();
}

HostTensor parse_input_value(const std::string& text, kiln_dtype expected,
                             const std::string& origin) {
  if (text.empty() || text[0] != '@') return parse_literal(text, expected, origin);
  std::string path = text.substr(1);
  if (path.empty()) fail(origin, "expected a file name after '@' (as in @x.npy)");
  HostTensor t;
  try {
    t = read_npy(path);
  } catch (const Error& e) {
    throw Error(e.code(), origin + ": " + e.what());
  }
  if (t.dtype != expected) {
    fail(origin, path + " holds " + kiln_dtype_name(t.dtype) + " values but " +
                     kiln_dtype_name(expected) +
                     " is expected (Kiln does not cast inputs; convert it with "
                     "numpy's astype)");
  }
  return t;
}

}  // namespace kiln::rt
