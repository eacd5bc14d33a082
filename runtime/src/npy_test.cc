// Tests of the .npy reader/writer and the literal parser: round trips, files written and read
// by real NumPy, and one malformed case per validation rule with its message.
#include "runtime/src/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/src/status.h"

namespace kiln::rt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh folder under the system's temporary directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kiln-npy-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::string bytes(fs::file_size(path), '\0');
  std::ifstream(path, std::ios::binary)
      .read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

template <typename T>
std::vector<T> values(const HostTensor& t) {
  std::vector<T> out(t.bytes.size() / sizeof(T));
  std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
  return out;
}

// The message of the Error that `body` throws ("" if it throws none).
template <typename F>
std::string error_of(F&& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A .npy file with `header` (padded to 64 bytes and ended with '\n' unless `raw`), format
// version `major`.0, followed by `payload`.
std::string npy_bytes(std::string header, const std::string& payload, int major = 1,
                      bool raw = false) {
  size_t length_bytes = major == 1 ? 2 : 4;
  if (!raw) {
    while ((8 + length_bytes + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
  }
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < length_bytes; ++i) out += static_cast<char>(header.size() >> (8 * i));
  return out + header + payload;
}

HostTensor parse(const std::string& bytes, const std::string& origin = "in.npy") {
  return parse_npy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), origin);
}

std::string parse_error(const std::string& bytes) {
  return error_of([&] { parse(bytes); });
}

// ---- round trips --------------------------------------------------------------------------

HostTensor make_tensor(kiln_dtype dtype, std::vector<int64_t> shape) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.resize(static_cast<size_t>(t.element_count()) * kiln_dtype_size(dtype));
  for (size_t i = 0; i < t.bytes.size(); ++i) {
    t.bytes[i] =
        dtype == KILN_BOOL ? static_cast<uint8_t>(i % 3 == 0) : static_cast<uint8_t>(i * 37 + 11);
  }
  return t;
}

TEST(Npy, RoundTripsEveryDtypeAndRank) {
  TempDir dir;
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {1}, {5}, {2, 3}, {2, 0, 4}, {2, 1, 3, 1}, {1, 2, 1, 2, 1, 2, 1, 2}};
  for (kiln_dtype dtype : {KILN_F32, KILN_F64, KILN_I32, KILN_I64, KILN_BOOL}) {
    for (const auto& shape : shapes) {
      SCOPED_TRACE(std::string(kiln_dtype_name(dtype)) + " rank " + std::to_string(shape.size()));
      HostTensor t = make_tensor(dtype, shape);
      std::string path = dir.file("t.npy");
      write_npy(path, t.view());
      std::string file = slurp(path);
      // NumPy's layout: header ends in '\n' and the data starts at a 64-byte boundary.
      size_t data_start = file.size() - t.bytes.size();
      EXPECT_EQ(data_start % 64, 0u);
      EXPECT_EQ(file[data_start - 1], '\n');
      HostTensor back = read_npy(path);
      EXPECT_EQ(back.dtype, dtype);
      EXPECT_EQ(back.shape, shape);
      EXPECT_TRUE(back.bytes == t.bytes);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(back.bytes.data()) % 64, 0u);
    }
  }
}

TEST(Npy, ViewDescribesTheTensor) {
  HostTensor t = make_tensor(KILN_I32, {2, 3});
  kiln_tensor_view v = t.view();
  EXPECT_EQ(v.dtype, KILN_I32);
  EXPECT_EQ(v.rank, 2);
  EXPECT_EQ(v.shape[0], 2);
  EXPECT_EQ(v.shape[1], 3);
  EXPECT_EQ(v.data, t.bytes.data());
  EXPECT_EQ(t.element_count(), 6);
}

TEST(Npy, WriteRejectsBadViews) {
  TempDir dir;
  kiln_tensor_view v{};
  v.dtype = KILN_F32;
  v.rank = 9;
  EXPECT_THAT(error_of([&] { write_npy(dir.file("a.npy"), v); }), HasSubstr("rank 9"));
  v.rank = 1;
  v.shape[0] = 4;
  EXPECT_THAT(error_of([&] { write_npy(dir.file("a.npy"), v); }), HasSubstr("data is NULL"));
  v.shape[0] = -1;
  EXPECT_THAT(error_of([&] { write_npy(dir.file("a.npy"), v); }), HasSubstr("shape [-1]"));
  EXPECT_FALSE(fs::exists(dir.file("a.npy")));
}

TEST(Npy, WriteNamesAnUnwritablePath) {
  HostTensor t = make_tensor(KILN_F32, {2});
  EXPECT_THAT(error_of([&] { write_npy("/nonexistent-kiln-dir/out.npy", t.view()); }),
              HasSubstr("/nonexistent-kiln-dir/out.npy"));
}

// ---- header syntax ------------------------------------------------------------------------

TEST(Npy, HeaderKeysInAnyOrderWithAnySpacing) {
  std::string payload(8, '\0');
  for (const char* header : {
           "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
           "{'shape': (2,), 'fortran_order': False, 'descr': '<i4'}",
           "{ \"fortran_order\" :False,\"shape\":( 2 , ),'descr':\"<i4\" ,}",
           "{'descr':'<i4','fortran_order':False,'shape':(2L,)}",
       }) {
    SCOPED_TRACE(header);
    HostTensor t = parse(npy_bytes(header, payload));
    EXPECT_EQ(t.dtype, KILN_I32);
    EXPECT_EQ(t.shape, (std::vector<int64_t>{2}));
  }
}

TEST(Npy, ReadsVersions2And3) {
  std::string payload(24, '\0');
  for (int major : {2, 3}) {
    HostTensor t =
        parse(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", payload, major));
    EXPECT_EQ(t.dtype, KILN_F64);
    EXPECT_EQ(t.shape, (std::vector<int64_t>{3}));
  }
}

// ---- one case per validation rule ---------------------------------------------------------

std::string with_header(const std::string& dict, const std::string& payload = "") {
  return npy_bytes(dict, payload);
}

TEST(NpyMalformed, EachRuleHasItsMessage) {
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  std::string ok = with_header(ok_dict, std::string(8, '\0'));
  std::string v9 = ok;
  v9[6] = 9;
  const std::vector<Case> cases = {
      {"empty", "", "not a .npy file"},
      {"bad magic", "\x93NUMPZ\x01\x00\x10\x00", "not a .npy file"},
      {"bad version", v9, "unsupported .npy format version 9.0"},
      {"short preamble", ok.substr(0, 9), "less than the 10-byte preamble"},
      {"header past the end", ok.substr(0, 40), "truncated .npy header: it claims 118 bytes"},
      {"no newline", npy_bytes(ok_dict, "", 1, /*raw=*/true), "does not end in a newline"},
      {"not a dict", with_header("['descr']"), "expected '{'"},
      {"unterminated string", with_header("{'descr: '<f4'}"), "malformed .npy header"},
      {"missing descr", with_header("{'fortran_order': False, 'shape': ()}"), "has no 'descr'"},
      {"missing order", with_header("{'descr': '<f4', 'shape': ()}"), "has no 'fortran_order'"},
      {"missing shape", with_header("{'descr': '<f4', 'fortran_order': False}"), "has no 'shape'"},
      {"unknown key", with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}"),
       "unexpected key 'x'"},
      {"duplicate key",
       with_header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}"),
       "duplicate key 'descr'"},
      {"text after dict", with_header("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x"),
       "unexpected text after the header dict"},
      {"structured", with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}"),
       "structured dtypes"},
      {"u1", with_header("{'descr': '|u1', 'fortran_order': False, 'shape': ()}", "\x01"),
       "unsupported dtype '|u1'"},
      {"i2",
       with_header("{'descr': '<i2', 'fortran_order': False, 'shape': ()}", std::string(2, '\0')),
       "unsupported dtype '<i2'"},
      {"big-endian", with_header("{'descr': '>f4', 'fortran_order': False, 'shape': ()}"),
       "dtype '>f4' is big-endian"},
      {"fortran", with_header("{'descr': '<f4', 'fortran_order': True, 'shape': ()}"),
       "fortran_order is True"},
      {"order not bool", with_header("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}"),
       "expected True or False"},
      {"rank 9",
       with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}"),
       "rank 9"},
      {"negative dim", with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"),
       "non-negative integer"},
      {"dim too large",
       with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}"),
       "dimension too large"},
      {"one dim without comma",
       with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}"),
       "expected ',' after the only dimension"},
      {"size overflow",
       with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}"),
       "too large to address"},
      {"truncated data", with_header(ok_dict, std::string(7, '\0')),
       "truncated data: shape [2] of f32 needs 8 bytes but the file has 7"},
      {"trailing data", with_header(ok_dict, std::string(9, '\0')),
       "trailing bytes: shape [2] of f32 needs 8 bytes but the file has 9"},
      {"bool not 0 or 1",
       with_header("{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}",
                   std::string("\x01\x00\x07", 3)),
       "bool element 2 is 7"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string message = parse_error(c.bytes);
    EXPECT_THAT(message, HasSubstr(c.message));
    EXPECT_THAT(message, HasSubstr("in.npy: "));  // every error names the file
  }
}

TEST(NpyMalformed, MissingFileIsNamed) {
  EXPECT_THAT(error_of([] { read_npy("/nonexistent-kiln-dir/x.npy"); }),
              HasSubstr("/nonexistent-kiln-dir/x.npy"));
}

TEST(NpyMalformed, ErrorsAreBadInput) {
  try {
    parse("nonsense");
    FAIL() << "parse_npy accepted nonsense";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT);
  }
}

// ---- literals -----------------------------------------------------------------------------

TEST(Literal, Scalars) {
  HostTensor f = parse_literal("1.5", KILN_F32, "x");
  EXPECT_TRUE(f.shape.empty());
  EXPECT_EQ(values<float>(f), std::vector<float>{1.5f});
  EXPECT_EQ(values<double>(parse_literal("  -2.5e-3 ", KILN_F64, "x")),
            std::vector<double>{-2.5e-3});
  EXPECT_EQ(values<int32_t>(parse_literal("+7", KILN_I32, "x")), std::vector<int32_t>{7});
  EXPECT_EQ(values<int64_t>(parse_literal("-9223372036854775808", KILN_I64, "x")),
            std::vector<int64_t>{INT64_MIN});
  EXPECT_EQ(values<uint8_t>(parse_literal("true", KILN_BOOL, "x")), std::vector<uint8_t>{1});
}

TEST(Literal, NestedLists) {
  HostTensor v = parse_literal("[1.8,3.9]", KILN_F32, "x");
  EXPECT_EQ(v.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(values<float>(v), (std::vector<float>{1.8f, 3.9f}));

  HostTensor m = parse_literal(" [ [1, 2] ,\n [3,4] ] ", KILN_I64, "x");
  EXPECT_EQ(m.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<int64_t>(m), (std::vector<int64_t>{1, 2, 3, 4}));

  HostTensor b = parse_literal("[[true],[false]]", KILN_BOOL, "x");
  EXPECT_EQ(b.shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(values<uint8_t>(b), (std::vector<uint8_t>{1, 0}));

  HostTensor ints_as_floats = parse_literal("[1, 2]", KILN_F64, "x");
  EXPECT_EQ(values<double>(ints_as_floats), (std::vector<double>{1.0, 2.0}));

  HostTensor deep = parse_literal("[[[[[[[[1]]]]]]]]", KILN_I32, "x");
  EXPECT_EQ(deep.shape, std::vector<int64_t>(8, 1));
}

TEST(Literal, EmptyLists) {
  HostTensor e = parse_literal("[]", KILN_F32, "x");
  EXPECT_EQ(e.shape, (std::vector<int64_t>{0}));
  EXPECT_TRUE(e.bytes.empty());
  HostTensor e2 = parse_literal("[[], []]", KILN_I32, "x");
  EXPECT_EQ(e2.shape, (std::vector<int64_t>{2, 0}));
}

TEST(Literal, RoundsFloatsCorrectly) {
  // 0.1 to the nearest float and double, independent of the locale.
  EXPECT_EQ(values<float>(parse_literal("0.1", KILN_F32, "x"))[0], 0.1f);
  EXPECT_EQ(values<double>(parse_literal("0.1", KILN_F64, "x"))[0], 0.1);
}

TEST(Literal, ErrorsNameTheOriginAndPosition) {
  struct Case {
    const char* text;
    kiln_dtype dtype;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"", KILN_F32, "--input x: empty value"},
      {"[[1,2],[3]]", KILN_I32,
       "--input x: at character 8: ragged list: this list has 1 elements but the first list at "
       "the same depth has 2"},
      {"[1,[2]]", KILN_I32, "at character 4: ragged list"},
      {"[[1],2]", KILN_I32, "at character 6: ragged list: values nested 1 deep here but 2"},
      {"[[1],[]]", KILN_I32, "at character 6: ragged list"},
      {"2147483648", KILN_I32, "'2147483648' is out of range for i32 [-2147483648, 2147483647]"},
      {"[0, -9223372036854775809]", KILN_I64, "at character 5: '-9223372036854775809' is out of"},
      {"1e39", KILN_F32, "'1e39' is out of range for f32"},
      {"1.5", KILN_I32, "'1.5' is not an integer (the value is i32)"},
      {"abc", KILN_F64, "'abc' is not a number (the value is f64)"},
      {"1", KILN_BOOL, "'1' is not true or false"},
      {"[1,]", KILN_F32, "at character 4: expected a number or a list"},
      {"[1 2]", KILN_F32, "at character 4: expected ',' or ']'"},
      {"[1,2", KILN_F32, "unterminated list"},
      {"[1] x", KILN_F32, "at character 5: unexpected 'x' after the value"},
      {"[[[[[[[[[1]]]]]]]]]", KILN_F32, "more than 8 nested lists"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(error_of([&] { parse_literal(c.text, c.dtype, "--input x"); }),
                HasSubstr(c.message));
  }
}

TEST(InputValue, LiteralsTakeTheExpectedDtype) {
  HostTensor t = parse_input_value("[1, 2]", KILN_F32, "--input x");
  EXPECT_EQ(t.dtype, KILN_F32);
  EXPECT_EQ(values<float>(t), (std::vector<float>{1.0f, 2.0f}));
}

TEST(InputValue, ReadsNpyFilesOfTheExpectedDtypeOnly) {
  TempDir dir;
  std::string path = dir.file("x.npy");
  write_npy(path, make_tensor(KILN_F64, {3}).view());
  HostTensor t = parse_input_value("@" + path, KILN_F64, "--input x");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{3}));
  EXPECT_THAT(error_of([&] { parse_input_value("@" + path, KILN_F32, "--input x"); }),
              HasSubstr("--input x: " + path + " holds f64 values but f32 is expected"));
  EXPECT_THAT(error_of([] { parse_input_value("@", KILN_F32, "--input x"); }),
              HasSubstr("--input x: expected a file name after '@'"));
  EXPECT_THAT(
      error_of([&] { parse_input_value("@" + dir.file("none.npy"), KILN_F32, "--input x"); }),
      HasSubstr("--input x: " + dir.file("none.npy")));
}

// ---- interoperability with NumPy ----------------------------------------------------------

// Runs `script` with /usr/bin/python3 and returns its exit status. Fails the test, telling
// what to install, when that python has no NumPy: these checks must not pass by skipping.
int run_python(const std::string& script, const std::string& dir) {
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
    ADD_FAILURE() << "/usr/bin/python3 cannot import numpy; install python3-numpy "
                     "(scripts/install-deps.sh does)";
    return -1;
  }
  std::string script_path = dir + "/script.py";
  spit(script_path, script);
  std::string command = "/usr/bin/python3 " + script_path + " " + dir;
  return std::system(command.c_str());
}

TEST(NpyInterop, ReadsWhatNumPyWrites) {
  TempDir dir;
  const std::string script = R"(
import sys
import numpy as np
d = sys.argv[1]
np.save(d + '/f4.npy', np.array([1.5, -2.25, 3.0], dtype='<f4'))
np.save(d + '/f8.npy', np.arange(6, dtype='<f8').reshape(2, 3) / 4)
np.save(d + '/i4.npy', np.array([[-1, 2], [3, 2147483647]], dtype='<i4'))
np.save(d + '/i8.npy', np.array([-(2**63), 2**63 - 1], dtype='<i8'))
np.save(d + '/b1.npy', np.array([True, False, True]))
np.save(d + '/scalar.npy', np.float32(7.5))
np.save(d + '/r3.npy', np.arange(24, dtype='<i8').reshape(2, 3, 4))
np.save(d + '/empty.npy', np.zeros((0, 3), dtype='<f4'))
with open(d + '/v2.npy', 'wb') as f:
    np.lib.format.write_array(f, np.array([1, 2, 3], dtype='<i4'), version=(2, 0))
np.save(d + '/u1.npy', np.array([1], dtype='u1'))
np.save(d + '/be.npy', np.array([1], dtype='>f4'))
np.save(d + '/fortran.npy', np.asfortranarray(np.zeros((2, 2), dtype='<f4')))
)";
  ASSERT_EQ(run_python(script, dir.file("")), 0);

  HostTensor f4 = read_npy(dir.file("f4.npy"));
  EXPECT_EQ(f4.dtype, KILN_F32);
  EXPECT_EQ(values<float>(f4), (std::vector<float>{1.5f, -2.25f, 3.0f}));

  HostTensor f8 = read_npy(dir.file("f8.npy"));
  EXPECT_EQ(f8.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<double>(f8), (std::vector<double>{0, 0.25, 0.5, 0.75, 1, 1.25}));

  HostTensor i4 = read_npy(dir.file("i4.npy"));
  EXPECT_EQ(i4.dtype, KILN_I32);
  EXPECT_EQ(values<int32_t>(i4), (std::vector<int32_t>{-1, 2, 3, 2147483647}));

  HostTensor i8 = read_npy(dir.file("i8.npy"));
  EXPECT_EQ(values<int64_t>(i8), (std::vector<int64_t>{INT64_MIN, INT64_MAX}));

  HostTensor b1 = read_npy(dir.file("b1.npy"));
  EXPECT_EQ(b1.dtype, KILN_BOOL);
  EXPECT_EQ(values<uint8_t>(b1), (std::vector<uint8_t>{1, 0, 1}));

  HostTensor scalar = read_npy(dir.file("scalar.npy"));
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(values<float>(scalar), std::vector<float>{7.5f});

  HostTensor r3 = read_npy(dir.file("r3.npy"));
  EXPECT_EQ(r3.shape, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(values<int64_t>(r3)[23], 23);

  HostTensor empty = read_npy(dir.file("empty.npy"));
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 3}));

  HostTensor v2 = read_npy(dir.file("v2.npy"));
  EXPECT_EQ(values<int32_t>(v2), (std::vector<int32_t>{1, 2, 3}));

  EXPECT_THAT(error_of([&] { read_npy(dir.file("u1.npy")); }),
              HasSubstr("u1.npy: unsupported dtype '|u1'"));
  EXPECT_THAT(error_of([&] { read_npy(dir.file("be.npy")); }), HasSubstr("big-endian"));
  EXPECT_THAT(error_of([&] { read_npy(dir.file("fortran.npy")); }),
              HasSubstr("fortran_order is True"));
}

TEST(NpyInterop, NumPyReadsWhatKilnWrites) {
  TempDir dir;
  HostTensor f4 = parse_literal("[[1.5, -2], [0.1, 1e30]]", KILN_F32, "f4");
  write_npy(dir.file("f4.npy"), f4.view());
  HostTensor f8 = parse_literal("[0.1, -0.0, 1e300]", KILN_F64, "f8");
  write_npy(dir.file("f8.npy"), f8.view());
  HostTensor i4 = parse_literal("[[[1], [-2147483648]]]", KILN_I32, "i4");
  write_npy(dir.file("i4.npy"), i4.view());
  HostTensor i8 = parse_literal("-5", KILN_I64, "i8");
  write_npy(dir.file("i8.npy"), i8.view());
  HostTensor b1 = parse_literal("[true, false]", KILN_BOOL, "b1");
  write_npy(dir.file("b1.npy"), b1.view());
  HostTensor empty = parse_literal("[]", KILN_F32, "empty");
  write_npy(dir.file("empty.npy"), empty.view());

  // Each file must load with NumPy, with exactly this dtype, shape and values.
  const std::string script = R"(
import sys
import numpy as np
d = sys.argv[1]
expected = {
    'f4': np.array([[1.5, -2], [0.1, 1e30]], dtype='<f4'),
    'f8': np.array([0.1, -0.0, 1e300], dtype='<f8'),
    'i4': np.array([[[1], [-2147483648]]], dtype='<i4'),
    'i8': np.array(-5, dtype='<i8'),
    'b1': np.array([True, False]),
    'empty': np.zeros((0,), dtype='<f4'),
}
ok = True
for name, want in expected.items():
    got = np.load(d + '/' + name + '.npy', allow_pickle=False)
    if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got, want):
        print(name, 'differs:', got.dtype, got.shape, got, 'expected', want.dtype, want.shape, want)
        ok = False
sys.exit(0 if ok else 1)
)";
  EXPECT_EQ(run_python(script, dir.file("")), 0);
}

}  // namespace
}  // namespace kiln::rt
