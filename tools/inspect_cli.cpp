// kiln-inspect's command line: which kind of Kiln file FILE is, decided by its first bytes.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>

// GCC's -Wnull-dereference flags std::string moves inlined into CLI11's split() (a false
// positive in a system header that the usual system-header exemption misses).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop

#include "tools/inspect.h"

namespace kiln::tools {
namespace {

// "KILNCKPT..." as printable text, other bytes as \xNN.
std::string printable(const char* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      s += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    }
  }
  return s;
}

}  // namespace

int run_inspect_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app(
      "Prints a Kiln checkpoint (.kckpt: tensors, shapes, dtypes, checksums, metadata) or a\n"
      "Kiln artifact (.kiln: functions, signatures, variables, target, build info), after\n"
      "verifying all of it as the runtime does.",
      "kiln-inspect");
  std::string path;
  bool json = false;
  app.add_option("FILE", path, "The checkpoint or artifact")->required();
  app.add_flag("--json", json, "Print one JSON object on stdout instead of text");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "kiln-inspect: " << e.what() << "\nRun 'kiln-inspect --help' for the flags.\n";
    return 2;
  }

  // A checkpoint starts with its magic; an artifact is a FlatBuffer whose identifier sits at
  // bytes 4..8.
  char head[8] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "kiln-inspect: " << path << ": cannot open: " << std::strerror(errno) << "\n";
    return 1;
  }
  in.read(head, sizeof head);
  size_t got = static_cast<size_t>(in.gcount());
  if (got == sizeof head && std::memcmp(head, "KILNCKPT", 8) == 0)
    return inspect_checkpoint(path, json, out, err);
  if (got == sizeof head && std::memcmp(head + 4, "KILN", 4) == 0)
    return inspect_artifact(path, json, out, err);
  err << "kiln-inspect: " << path << ": not a Kiln checkpoint or artifact (starts with \""
      << printable(head, got) << "\")\n";
  return 1;
}

}  // namespace kiln::tools
