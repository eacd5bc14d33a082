// TensorBoard event files by hand: a few protobuf fields in wire format (varints, fixed64
// doubles, fixed32 floats, length-delimited strings and messages) inside TFRecord framing.
#include "kiln/viz/tensorboard.h"

#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace kiln::viz {
namespace {

// The reflected table for polynomial 0x82F63B78, built once at compile time.
constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0u);
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc32c_table();

// Protobuf wire format: each field is a varint key (field number << 3 | wire type).
enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void put_key(std::string* out, uint32_t field, WireType type) {
  put_varint(out, field << 3 | type);
}

template <class T>
void put_little_endian(std::string* out, T value) {
  static_assert(std::endian::native == std::endian::little, "event files are little-endian");
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

void put_bytes(std::string* out, uint32_t field, std::string_view bytes) {
  put_key(out, field, kLengthDelimited);
  put_varint(out, bytes.size());
  out->append(bytes);
}

// Event fields 1 (wall_time, double) and 2 (step, int64): the prefix of every event.
std::string event_header(int64_t step) {
  double wall_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string event;
  put_key(&event, 1, kFixed64);
  put_little_endian(&event, wall_time);
  put_key(&event, 2, kVarint);
  put_varint(&event, static_cast<uint64_t>(step));  // int64 negatives take 10 bytes, as in protobuf
  return event;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

uint32_t crc32c(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (char c : data) crc = kCrc32cTable[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(std::string_view data) {
  uint32_t crc = crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

SummaryWriter::SummaryWriter(const std::string& logdir, const Loc& loc) {
  detail::ApiScope scope("SummaryWriter", loc);
  std::error_code ec;
  std::filesystem::create_directories(logdir, ec);
  if (ec)
    detail::fail("SummaryWriter", "cannot create log directory '" + logdir + "': " + ec.message());
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  path_ = (std::filesystem::path(logdir) /
           ("events.out.tfevents." + std::to_string(seconds) + "." + host_name()))
              .string();
  // "a": a second writer in the same second appends to the same file rather than
  // truncating events another writer already wrote; TensorBoard reads the records in order.
  file_ = std::fopen(path_.c_str(), "ab");
  if (!file_) {
    int err = errno;
    detail::fail("SummaryWriter", "cannot open '" + path_ + "': " + std::strerror(err));
  }
  std::string event = event_header(0);
  put_bytes(&event, 3, "brain.Event:2");  // Event.file_version
  write_record(event, "SummaryWriter");
}

SummaryWriter::~SummaryWriter() {
  // Errors cannot be thrown from here; flush() reports them to callers who want them.
  std::fclose(file_);
}

void SummaryWriter::add_scalar(const std::string& tag, double value, int64_t step, const Loc& loc) {
  detail::ApiScope scope("SummaryWriter::add_scalar", loc);
  std::string summary_value;
  put_bytes(&summary_value, 1, tag);  // Summary.Value.tag
  put_key(&summary_value, 2, kFixed32);
  put_little_endian(&summary_value, static_cast<float>(value));  // Summary.Value.simple_value
  std::string summary;
  put_bytes(&summary, 1, summary_value);  // Summary.value (repeated)
  std::string event = event_header(step);
  put_bytes(&event, 5, summary);  // Event.summary
  write_record(event, "add_scalar");
}

void SummaryWriter::flush(const Loc& loc) {
  detail::ApiScope scope("SummaryWriter::flush", loc);
  if (std::fflush(file_) != 0) {
    int err = errno;
    detail::fail("flush", "cannot write '" + path_ + "': " + std::strerror(err));
  }
}

// TFRecord: uint64 length, masked CRC of those 8 bytes, the data, masked CRC of the data.
void SummaryWriter::write_record(const std::string& event, const char* op) {
  std::string record;
  put_little_endian(&record, static_cast<uint64_t>(event.size()));
  put_little_endian(&record, masked_crc32c(record));
  record += event;
  put_little_endian(&record, masked_crc32c(event));
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size()) {
    int err = errno;
    detail::fail(op, "cannot write '" + path_ + "': " + std::strerror(err));
  }
}

}  // namespace kiln::viz
