// Run-time errors inside the runtime: C++ code throws kiln::rt::Error; every C API entry
// point catches it (and std::bad_alloc, and anything else) and returns a kiln_status.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "kiln/runtime.h"

struct kiln_status_s {
  kiln_status_code code;
  std::string message;
};

namespace kiln::rt {

class Error : public std::exception {
 public:
  Error(kiln_status_code code, std::string message) : code_(code), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  kiln_status_code code() const { return code_; }

 private:
  kiln_status_code code_;
  std::string message_;
};

[[noreturn]] inline void bad_input(std::string message) {
  throw Error(KILN_BAD_INPUT, std::move(message));
}
[[noreturn]] inline void usage_error(std::string message) {
  throw Error(KILN_USAGE, std::move(message));
}
[[noreturn]] inline void internal_error(std::string message) {
  throw Error(KILN_INTERNAL, std::move(message));
}

// A new status (nullptr only if even that allocation fails).
inline kiln_status make_status(kiln_status_code code, std::string message) noexcept {
  try {
    return new kiln_status_s{code, std::move(message)};
  } catch (...) {
    return nullptr;
  }
}

// Runs `body` and turns what it throws into a status; nullptr when it returns normally.
template <typename F>
kiln_status guard(F&& body) noexcept {
  try {
    body();
    return nullptr;
  } catch (const Error& e) {
    return make_status(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return make_status(KILN_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return make_status(KILN_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return make_status(KILN_INTERNAL, "internal error");
  }
}

}  // namespace kiln::rt
