// Errors that point at the user's code.
//
// Every public op captures std::source_location at its call site and opens an
// ApiScope. Scopes nest: the outermost one is the user's call, so an error raised
// deep inside huber_loss() still reports the user's file:line and "in huber_loss".
// Messages read:  gather: indices[0] = 3081 is not in [0, 128) — at word2vec.cpp:51 in embedding_lookup
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace kiln {

using Loc = std::source_location;

// The error every kiln op throws on bad input. The tape and variables are left as
// they were before the failing call.
class Error : public std::runtime_error {
 public:
  Error(std::string op, std::string detail, std::string file, unsigned line, std::string api);
  const std::string& op() const { return op_; }          // the primitive that failed
  const std::string& detail() const { return detail_; }  // what was wrong, with the values
  const std::string& file() const { return file_; }      // the user's file (base name)
  unsigned line() const { return line_; }
  const std::string& api() const { return api_; }  // the user-facing function called

 private:
  std::string op_, detail_, file_;
  unsigned line_;
  std::string api_;
};

namespace detail {

// Marks entry into a public API function. Only the outermost scope on a thread counts.
class ApiScope {
 public:
  ApiScope(const char* api, const Loc& loc) noexcept;
  ~ApiScope();
  ApiScope(const ApiScope&) = delete;
  ApiScope& operator=(const ApiScope&) = delete;

 private:
  bool outermost_;
};

// The user's call site and API name of the current (outermost) scope.
struct CallSite {
  const char* api = nullptr;
  Loc loc;
  bool backward = false;  // an op of the gradient of `api`, run by GradientTape
};
const CallSite& current_call_site();

// While in scope, the current call site is `site` (the tape runs each gradient rule
// under the call site of the forward op it differentiates).
class SiteOverride {
 public:
  explicit SiteOverride(const CallSite& site) noexcept;
  ~SiteOverride();
  SiteOverride(const SiteOverride&) = delete;
  SiteOverride& operator=(const SiteOverride&) = delete;

 private:
  CallSite saved_;
};

// Throws kiln::Error for `op` at the current call site.
[[noreturn]] void fail(const char* op, std::string detail);

}  // namespace detail
}  // namespace kiln
