// Test-only helpers shared by the front end's unit tests: catching the kiln::Error a
// call throws, and comparing a tensor's values with a float64 reference the test computed.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "kiln/error.h"
#include "kiln/shape.h"
#include "kiln/tensor.h"

namespace kiln::testing {

// The kiln::Error that f() throws; records a test failure (and returns an empty Error)
// when it throws nothing.
template <class F>
Error error_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a kiln::Error, none was thrown";
  return Error("", "", "", 0, "");
}

// error_of(f) and the line `line` (pass __LINE__), for checking that an error names the
// test's own line. Write the whole statement on one line of at most 100 columns, so that
// clang-format keeps the call and __LINE__ together:
//   auto [e, line] = error_and_line([&] { gather(p, idx); }, __LINE__);
template <class F>
std::pair<Error, int> error_and_line(F&& f, int line) {
  return {error_of(std::forward<F>(f)), line};
}

// The location part of a message for a call on `line` of this test file in `api`.
// Runs f, which must throw a kiln::Error whose message contains `text` and which points at
// `file`, at a statement starting within three lines after `line`.
template <class F>
void expect_error_at(F&& f, const std::string& file, int line, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no kiln::Error thrown";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << text;
    EXPECT_EQ(e.file(), file) << e.what();
    EXPECT_GT(e.line(), static_cast<unsigned>(line)) << e.what();
    EXPECT_LE(e.line(), static_cast<unsigned>(line + 3)) << e.what();
  }
}

inline std::string at(const char* file, int line, const std::string& api) {
  std::string f(file);
  auto slash = f.find_last_of('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return " \u2014 at " + f + ":" + std::to_string(line) + " in " + api;
}

// Checks shape and every element of t against `want` (row-major): |got - want| <= atol +
// rtol |want|; NaNs must match NaNs and infinities must be equal.
inline ::testing::AssertionResult values_near(const Tensor& t, const Shape& shape,
                                              const std::vector<double>& want, double rtol,
                                              double atol = 0) {
  if (!t.defined()) return ::testing::AssertionFailure() << "tensor is undefined";
  if (!(t.shape() == shape))
    return ::testing::AssertionFailure()
           << "shape " << t.shape().str() << ", expected " << shape.str();
  std::vector<double> got = t.to_vector<double>();
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << got.size() << " elements, reference has " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    double g = got[i], w = want[i];
    bool ok = std::isnan(w)   ? std::isnan(g)
              : std::isinf(w) ? g == w
                              : std::abs(g - w) <= atol + rtol * std::abs(w);
    if (!ok)
      return ::testing::AssertionFailure() << "element " << i << " is " << g << ", expected " << w
                                           << " (rtol " << rtol << ", atol " << atol << ")";
  }
  return ::testing::AssertionSuccess();
}

// Exact comparison (integers, bools, and float results that must be bit-equal).
inline ::testing::AssertionResult values_equal(const Tensor& t, const Shape& shape,
                                               const std::vector<double>& want) {
  return values_near(t, shape, want, 0, 0);
}

}  // namespace kiln::testing
