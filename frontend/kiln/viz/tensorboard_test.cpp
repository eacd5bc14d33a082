// Tests for the TensorBoard event writer: CRC-32C check vectors, a C++ parse of the records
// (framing CRCs, protobuf fields), and a read-back with TensorBoard's own reader from PyPI.
#include "kiln/viz/tensorboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::viz {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A fresh empty directory under the test's temporary directory.
fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kiln_tb_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// What the writer puts in one Event; fields it never writes are left default.
struct ParsedEvent {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version, tag;
  float simple_value = 0;
  bool has_value = false;
};

// A minimal protobuf reader over one message; failures are gtest failures via ok=false.
struct Reader {
  std::string_view bytes;
  size_t pos = 0;
  bool ok = true;

  bool done() const { return pos >= bytes.size() || !ok; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.size()) break;
      auto b = static_cast<unsigned char>(bytes[pos++]);
      v |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::string_view take(size_t n) {
    if (bytes.size() - pos < n) {
      ok = false;
      return {};
    }
    std::string_view out = bytes.substr(pos, n);
    pos += n;
    return out;
  }
  template <class T>
  T fixed() {
    T value{};
    std::string_view raw = take(sizeof(T));
    if (ok) std::memcpy(&value, raw.data(), sizeof(T));
    return value;
  }
};

ParsedEvent parse_event(std::string_view bytes) {
  ParsedEvent event;
  Reader r{bytes};
  while (!r.done()) {
    uint64_t key = r.varint();
    switch (key) {
      case 1 << 3 | 1:
        event.wall_time = r.fixed<double>();
        break;
      case 2 << 3 | 0:
        event.step = static_cast<int64_t>(r.varint());
        break;
      case 3 << 3 | 2:
        event.file_version = r.take(r.varint());
        break;
      case 5 << 3 | 2: {
        Reader summary{r.take(r.varint())};
        EXPECT_EQ(summary.varint(), uint64_t{1 << 3 | 2}) << "Summary.value";
        Reader value{summary.take(summary.varint())};
        EXPECT_TRUE(summary.done() && summary.ok) << "one value per summary";
        EXPECT_EQ(value.varint(), uint64_t{1 << 3 | 2}) << "Summary.Value.tag";
        event.tag = value.take(value.varint());
        EXPECT_EQ(value.varint(), uint64_t{2 << 3 | 5}) << "Summary.Value.simple_value";
        event.simple_value = value.fixed<float>();
        EXPECT_TRUE(value.ok && value.done());
        event.has_value = true;
        break;
      }
      default:
        ADD_FAILURE() << "unexpected key " << key;
        return event;
    }
  }
  EXPECT_TRUE(r.ok) << "truncated event";
  return event;
}

// Splits a TFRecord file, checking both masked CRCs of every record.
std::vector<ParsedEvent> parse_records(const std::string& file) {
  std::vector<ParsedEvent> events;
  Reader r{file};
  while (!r.done()) {
    std::string_view length_bytes = r.take(8);
    uint64_t length = 0;
    if (r.ok) std::memcpy(&length, length_bytes.data(), 8);
    uint32_t length_crc = r.fixed<uint32_t>();
    EXPECT_EQ(length_crc, masked_crc32c(length_bytes)) << "length CRC of record " << events.size();
    std::string_view data = r.take(length);
    uint32_t data_crc = r.fixed<uint32_t>();
    if (!r.ok) break;
    EXPECT_EQ(data_crc, masked_crc32c(data)) << "data CRC of record " << events.size();
    events.push_back(parse_event(data));
  }
  EXPECT_TRUE(r.ok) << "truncated record after " << events.size() << " records";
  return events;
}

TEST(Crc32c, CheckVectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);    // RFC 3720 B.4
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);  // RFC 3720 B.4
  uint32_t crc = crc32c("123456789");
  EXPECT_EQ(masked_crc32c("123456789"), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(SummaryWriter, RecordsParseBack) {
  fs::path dir = fresh_dir("parse");
  std::string path;
  {
    SummaryWriter writer(dir.string() + "/run1");  // creates missing parents
    path = writer.path();
    writer.add_scalar("loss", 65.3, 4999);
    writer.add_scalar("train/words_per_second", 1.5e6, 5000);
    writer.add_scalar("loss", -0.25, -3);            // negative step: a 10-byte varint
    writer.add_scalar("lr", 1.0, int64_t{1} << 40);  // step past 32 bits
  }                                                  // the destructor flushes
  EXPECT_THAT(fs::path(path).filename().string(), StartsWith("events.out.tfevents."));
  EXPECT_EQ(fs::path(path).parent_path(), dir / "run1");
  std::vector<ParsedEvent> events = parse_records(read_file(path));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_FALSE(events[0].has_value);
  double now = static_cast<double>(std::time(nullptr));
  EXPECT_NEAR(events[0].wall_time, now, 60);
  struct Expected {
    const char* tag;
    int64_t step;
    float value;
  } expected[] = {{"loss", 4999, 65.3f},
                  {"train/words_per_second", 5000, 1.5e6f},
                  {"loss", -3, -0.25f},
                  {"lr", int64_t{1} << 40, 1.0f}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(events[i + 1].tag, expected[i].tag);
    EXPECT_EQ(events[i + 1].step, expected[i].step);
    EXPECT_EQ(events[i + 1].simple_value, expected[i].value);
    EXPECT_GE(events[i + 1].wall_time, events[0].wall_time);
  }
  fs::remove_all(dir);
}

TEST(SummaryWriter, FlushMakesRecordsVisible) {
  fs::path dir = fresh_dir("flush");
  SummaryWriter writer(dir.string());
  writer.add_scalar("x", 1, 1);
  writer.flush();
  EXPECT_EQ(parse_records(read_file(writer.path())).size(), 2u);
  fs::remove_all(dir);
}

TEST(SummaryWriter, ErrorNamesThePath) {
  fs::path dir = fresh_dir("error");
  fs::create_directories(dir);
  std::ofstream(dir / "file") << "not a directory";
  std::string logdir = (dir / "file" / "run").string();
  try {
    SummaryWriter writer(logdir);
    ADD_FAILURE() << "no error for a log directory under a file";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(logdir));
  }
  fs::remove_all(dir);
}

// The real check: TensorBoard's EventAccumulator (PyPI package `tensorboard`) reads what we
// wrote. Without the package the script exits non-zero with an install hint: a failure,
// never a skip.
TEST(SummaryWriter, TensorBoardReadsTheScalars) {
  fs::path dir = fresh_dir("tensorboard");
  {
    SummaryWriter writer(dir.string());
    for (int64_t step = 0; step < 300; step += 10) {
      writer.add_scalar("loss", 100.0 / static_cast<double>(step + 1), step);
      writer.add_scalar("learning_rate", 1.0 - static_cast<double>(step) / 1000, step);
    }
  }
  const char* env = std::getenv("KILN_SOURCE_DIR");
  std::string root = env ? env : KILN_SOURCE_DIR;
  fs::path output = dir / "scalars.txt";
  std::string command = "python3 '" + root + "/tests/viz/read_tensorboard_scalars.py' '" +
                        dir.string() + "' > '" + output.string() + "'";
  int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << "TensorBoard's reader failed (see its message above): " << command;

  std::ostringstream expected;
  for (const char* tag : {"learning_rate", "loss"}) {
    for (int64_t step = 0; step < 300; step += 10) {
      double value = std::string(tag) == "loss" ? 100.0 / static_cast<double>(step + 1)
                                                : 1.0 - static_cast<double>(step) / 1000;
      // TensorBoard widens simple_value (float32) to a Python float: print that exactly.
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(static_cast<float>(value)));
      expected << tag << "\t" << step << "\t" << buf << "\n";
    }
  }
  // Python's repr is the shortest round-trip form; compare numerically, line by line.
  std::istringstream got(read_file(output)), want(expected.str());
  std::string got_line, want_line;
  int lines = 0;
  while (std::getline(want, want_line)) {
    ASSERT_TRUE(std::getline(got, got_line)) << "TensorBoard returned only " << lines << " scalars";
    std::string got_head = got_line.substr(0, got_line.rfind('\t'));
    std::string want_head = want_line.substr(0, want_line.rfind('\t'));
    EXPECT_EQ(got_head, want_head);
    EXPECT_EQ(std::stod(got_line.substr(got_line.rfind('\t') + 1)),
              std::stod(want_line.substr(want_line.rfind('\t') + 1)))
        << got_line;
    ++lines;
  }
  EXPECT_FALSE(std::getline(got, got_line)) << "extra scalar: " << got_line;
  EXPECT_EQ(lines, 60);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kiln::viz
