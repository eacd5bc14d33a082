// Test support for the text pipeline's tests: where text8-head.txt is (the shared data folder,
// found as models/huber finds its data), and temporary corpus files.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace kiln::data::testing {

// text8-head.txt in $KILN_DATA_DIR if set (only there), else in <source>/../shared/data, else in
// ../shared/data; nullopt when absent, and the tests then run on synthetic_corpus() instead.
inline std::optional<std::string> find_text8_head() {
  namespace fs = std::filesystem;
  auto in = [](const fs::path& dir) -> std::optional<std::string> {
    fs::path p = dir / "text8-head.txt";
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
    return std::nullopt;
  };
  if (const char* env = std::getenv("KILN_DATA_DIR"); env != nullptr && *env != '\0')
    return in(env);
#ifdef KILN_SOURCE_DIR
  if (auto p = in(fs::path(KILN_SOURCE_DIR) / ".." / "shared" / "data")) return p;
#endif
  return in(fs::path("..") / "shared" / "data");
}

// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln_text_XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& content) const {
    std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace kiln::data::testing
