// kiln::viz::SummaryWriter: scalar summaries as TensorBoard event files, written by hand
// (protobuf wire format inside TFRecord framing), so training can be watched in TensorBoard
// without linking protobuf or TensorFlow.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "kiln/error.h"

namespace kiln::viz {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord framing uses it.
// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view data);
// TFRecord's "masked" CRC: rotated right by 15 bits plus a constant, so that a CRC stored
// inside checksummed data does not checksum to a fixed value.
uint32_t masked_crc32c(std::string_view data);

// Writes one event file, `<logdir>/events.out.tfevents.<unix seconds>.<hostname>`:
//
//   viz::SummaryWriter writer("runs/cs20");
//   writer.add_scalar("loss", 65.3, /*step=*/4999);
//   writer.flush();  // TensorBoard sees everything added so far
//
// The first record is an Event with file_version "brain.Event:2"; each add_scalar appends an
// Event{wall_time, step, summary{value{tag, simple_value}}}. Values are stored as float32,
// as TensorBoard's simple_value is. The destructor flushes (errors there are swallowed, so
// call flush() to see them). Not thread-safe: use one writer per thread or lock around it.
// Errors (directory not creatable, file not writable, write failures) are kiln::Error naming
// the path.
class SummaryWriter {
 public:
  explicit SummaryWriter(const std::string& logdir, const Loc& loc = Loc::current());
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  void add_scalar(const std::string& tag, double value, int64_t step,
                  const Loc& loc = Loc::current());
  void flush(const Loc& loc = Loc::current());

  // The event file being written.
  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& event, const char* op);

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace kiln::viz
