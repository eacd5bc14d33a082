// Files the runtime reads and writes: a read-only mapping of a whole file, and an atomic
// write (temporary file, fsync, rename, fsync of the directory) used for checkpoints and
// artifacts. Failures throw kiln::rt::Error naming the path and the system's reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln::rt {

// The bytes of a file, mapped read-only (private) or, for an empty file, which cannot be
// mapped, an empty buffer. Movable, not copyable; unmaps on destruction.
class MappedFile {
 public:
  // Opens and maps `path`. `populate` asks the kernel to fault every page in now
  // (MAP_POPULATE), which is faster than taking the faults one by one while reading it all.
  static MappedFile open(const std::string& path, bool populate = true);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  void reset() noexcept;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::string path_;
};

// Writes `size` bytes to `fd`, retrying short writes and EINTR; throws naming `path`.
void write_all(int fd, const void* data, size_t size, const std::string& path);

// Replaces `path` atomically: `write_contents` writes the new contents to a temporary file in
// the same directory (with write_all), which is then fsynced and renamed over `path`, and the
// directory fsynced. Readers see the old file or the new one, never a mix, even if the process
// or the machine dies. On any failure (including an exception from write_contents) the
// temporary is removed, `path` is left as it was, and an Error naming the path is thrown.
// Temporaries are named "<path>.tmp-XXXXXX"; a process killed mid-save can leave one behind.
void write_file_atomically(const std::string& path,
                           const std::function<void(int fd)>& write_contents);

}  // namespace kiln::rt
