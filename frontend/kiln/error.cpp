// Error formatting and the per-thread record of the user's current call site.
#include "kiln/error.h"

#include <string_view>

namespace kiln {
namespace {

thread_local detail::CallSite t_site;
thread_local int t_depth = 0;

std::string base_name(const char* path) {
  std::string_view p(path ? path : "");
  auto slash = p.find_last_of('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

std::string format(const std::string& op, const std::string& detail, const std::string& file,
                   unsigned line, const std::string& api) {
  std::string s = op + ": " + detail;
  if (!file.empty()) s += " \u2014 at " + file + ":" + std::to_string(line);
  if (!api.empty()) s += " in " + api;
  return s;
}

}  // namespace

Error::Error(std::string op, std::string detail, std::string file, unsigned line, std::string api)
    : std::runtime_error(format(op, detail, file, line, api)),
      op_(std::move(op)),
      detail_(std::move(detail)),
      file_(std::move(file)),
      line_(line),
      api_(std::move(api)) {}

namespace detail {

ApiScope::ApiScope(const char* api, const Loc& loc) noexcept : outermost_(t_depth == 0) {
  ++t_depth;
  if (outermost_) t_site = CallSite{api, loc};
}

ApiScope::~ApiScope() {
  --t_depth;
  if (outermost_) t_site = CallSite{};
}

const CallSite& current_call_site() { return t_site; }

SiteOverride::SiteOverride(const CallSite& site) noexcept : saved_(t_site) {
  if (site.api) t_site = site;
}
SiteOverride::~SiteOverride() { t_site = saved_; }

void fail(const char* op, std::string detail) {
  const CallSite& s = t_site;
  if (s.api == nullptr) throw Error(op, std::move(detail), "", 0, "");
  std::string api = s.api;
  if (s.backward) api += " (gradient)";
  throw Error(op, std::move(detail), base_name(s.loc.file_name()), s.loc.line(), api);
}

}  // namespace detail
}  // namespace kiln
