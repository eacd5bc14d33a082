// MappedFile and write_file_atomically: contents, empty files, and that a failed write
// leaves the target as it was and no temporary behind.
#include "runtime/src/file_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/src/status.h"
#include "runtime/src/test_util.h"

namespace kiln::rt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kiln_file_util_test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  size_t entries() const {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  std::string dir_;
};

TEST_F(FileUtilTest, MapsAFile) {
  std::ofstream(path("a")) << "hello";
  MappedFile f = MappedFile::open(path("a"));
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.data()), f.size()), "hello");
  MappedFile moved = std::move(f);
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_EQ(f.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
}

TEST_F(FileUtilTest, EmptyFileIsAnEmptyBuffer) {
  std::ofstream(path("empty")).flush();
  MappedFile f = MappedFile::open(path("empty"));
  EXPECT_EQ(f.size(), 0u);
}

TEST_F(FileUtilTest, MissingFileAndDirectoryAreNamed) {
  try {
    MappedFile::open(path("missing"));
    FAIL() << "opened a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT);
    EXPECT_EQ(std::string(e.what()), path("missing") + ": cannot open: No such file or directory");
  }
  try {
    MappedFile::open(dir_);
    FAIL() << "mapped a directory";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir_ + ": not a regular file");
  }
}

TEST_F(FileUtilTest, WritesAtomicallyAndReplaces) {
  std::string target = path("t");
  write_file_atomically(target, [&](int fd) { write_all(fd, "first", 5, target); });
  EXPECT_EQ(read(target), "first");
  write_file_atomically(target, [&](int fd) { write_all(fd, "second!", 7, target); });
  EXPECT_EQ(read(target), "second!");
  EXPECT_EQ(entries(), 1u);  // no temporaries left
  struct stat st;
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(FileUtilTest, FailingWriterLeavesTargetAndNoTemporary) {
  std::string target = path("t");
  std::ofstream(target) << "old";
  EXPECT_THROW(write_file_atomically(target,
                                     [&](int fd) {
                                       write_all(fd, "partial", 7, target);
                                       throw std::runtime_error("stop");
                                     }),
               std::runtime_error);
  EXPECT_EQ(read(target), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(FileUtilTest, MissingDirectoryIsNamed) {
  std::string target = path("no-such-dir/t");
  try {
    write_file_atomically(target, [](int) {});
    FAIL() << "wrote into a missing directory";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), KILN_BAD_INPUT);
    EXPECT_EQ(std::string(e.what()), target + ": cannot create a temporary file in " +
                                         path("no-such-dir") + ": No such file or directory");
  }
}

TEST_F(FileUtilTest, RenameFailureRemovesTheTemporary) {
  // A target that is a non-empty directory makes rename fail after the data is written.
  std::string target = path("d");
  fs::create_directory(target);
  std::ofstream(path("d/inside")) << "x";
  try {
    write_file_atomically(target, [&](int fd) { write_all(fd, "data", 4, target); });
    FAIL() << "renamed over a directory";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(target + ": cannot rename " + target + ".tmp-"));
  }
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(FileUtilTest, ReadOnlyDirectoryFailsAndLeavesTarget) {
  std::string target = path("t");
  std::ofstream(target) << "old";
  // Readable and searchable by everyone (the unprivileged child included), writable by none.
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  std::string message = test_support::error_message_unprivileged(
      [&] { write_file_atomically(target, [&](int fd) { write_all(fd, "new", 3, target); }); });
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_THAT(message, HasSubstr(target + ": cannot create a temporary file in " + dir_ +
                                 ": Permission denied"));
  EXPECT_EQ(read(target), "old");
  EXPECT_EQ(entries(), 1u);
}

}  // namespace
}  // namespace kiln::rt
