// Support for the runtime's unit tests: scratch directories, and running a check as an
// unprivileged user. Root ignores directory permissions, so tests of "a read-only
// directory" would prove nothing when the suite runs as root (as CI does); there the check
// runs in a child process that drops to nobody.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "runtime/src/status.h"

namespace kiln::rt::test_support {

// A fresh directory under the system's temporary folder, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiln_runtime_test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline constexpr uid_t kNobody = 65534;

// The message of the kiln::rt::Error `f` throws ("" when it throws none), with `f` run as
// the calling user, or as nobody when that is root. Returns "<child failed>" when the child
// could not drop its privileges or died.
inline std::string error_message_unprivileged(const std::function<void()>& f) {
  auto run = [&]() -> std::string {
    try {
      f();
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  };
  if (geteuid() != 0) return run();
  int fds[2];
  if (pipe(fds) != 0) return "<child failed>";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(3);
    std::string message = run();
    ssize_t written = write(fds[1], message.data(), message.size());
    _exit(written == static_cast<ssize_t>(message.size()) ? 0 : 4);
  }
  close(fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) message.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "<child failed>";
  return message;
}

}  // namespace kiln::rt::test_support
