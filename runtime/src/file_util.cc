// Mapping files read-only and replacing them atomically, with POSIX calls only.
#include "runtime/src/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "runtime/src/status.h"

namespace kiln::rt {
namespace {

// A file the caller named that cannot be used is bad input; anything else (a full disk, an
// I/O error) is a system failure.
[[noreturn]] void fail_io(const std::string& path, const std::string& what, int err) {
  std::string message = path + ": " + what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case ENAMETOOLONG:
    case ELOOP:
      bad_input(std::move(message));
    default:
      internal_error(std::move(message));
  }
}

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error: close can report a failed delayed write.
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

MappedFile MappedFile::open(const std::string& path, bool populate) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_io(path, "cannot open", errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) fail_io(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) bad_input(path + ": not a regular file");
  MappedFile file;
  file.path_ = path;
  file.size_ = static_cast<size_t>(st.st_size);
  if (file.size_ == 0) return file;  // mmap rejects length 0; there is nothing to read anyway
  int flags = MAP_PRIVATE | (populate ? MAP_POPULATE : 0);
  void* p = ::mmap(nullptr, file.size_, PROT_READ, flags, fd.get(), 0);
  if (p == MAP_FAILED) fail_io(path, "cannot map " + std::to_string(file.size_) + " bytes", errno);
  file.data_ = static_cast<const uint8_t*>(p);
  file.mapped_ = true;
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
    path_ = std::move(other.path_);
  }
  return *this;
}

MappedFile::~MappedFile() { reset(); }

void MappedFile::reset() noexcept {
  if (mapped_) ::munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

void write_all(int fd, const void* data, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io(path, "cannot write", errno);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void write_file_atomically(const std::string& path,
                           const std::function<void(int fd)>& write_contents) {
  std::string temp = path + ".tmp-XXXXXX";
  Fd fd(::mkstemp(temp.data()));
  if (fd.get() < 0) fail_io(path, "cannot create a temporary file in " + directory_of(path), errno);
  try {
    // mkstemp creates the file 0600; a replacement keeps the old file's mode, a new file
    // gets the usual 0644.
    struct stat st;
    mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    if (::fchmod(fd.get(), mode) != 0) fail_io(temp, "cannot set the mode", errno);
    write_contents(fd.get());
    if (::fsync(fd.get()) != 0) fail_io(temp, "cannot fsync", errno);
    if (fd.close() != 0) fail_io(temp, "cannot close", errno);
    if (::rename(temp.c_str(), path.c_str()) != 0)
      fail_io(path, "cannot rename " + temp + " to it", errno);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  // The rename is durable only once the directory entry is on disk.
  std::string dir = directory_of(path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) fail_io(dir, "cannot open the directory to fsync it", errno);
  if (::fsync(dir_fd.get()) != 0) fail_io(dir, "cannot fsync the directory", errno);
}

}  // namespace kiln::rt
