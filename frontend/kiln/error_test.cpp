// Tests that errors name the op, the offending values and the user's own file:line
// (this file's, __LINE__ taken in the statement of the call), report the outer
// API for composite ops, and leave tapes and variables usable.
#include "kiln/error.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "kiln/kiln.h"
#include "kiln/testing/expect.h"

namespace kiln {
namespace {

using ::kiln::testing::at;
using ::kiln::testing::error_and_line;
using ::kiln::testing::error_of;
using ::kiln::testing::values_equal;

TEST(Error, CarriesOpDetailFileLineAndApi) {
  Tensor params = zeros({128, 8});
  Tensor ids = constant({3081, 5});
  auto [e, line] = error_and_line([&] { embedding_lookup(params, ids); }, __LINE__);
  EXPECT_EQ(e.op(), "gather");
  EXPECT_EQ(e.detail(), "indices[0] = 3081 is not in [0, 128)");
  EXPECT_EQ(e.file(), "error_test.cpp");  // the base name only
  EXPECT_EQ(e.line(), static_cast<unsigned>(line));
  EXPECT_EQ(e.api(), "embedding_lookup");
  EXPECT_EQ(std::string(e.what()),
            "gather: indices[0] = 3081 is not in [0, 128) \u2014 at error_test.cpp:" +
                std::to_string(line) + " in embedding_lookup");
  // It is a std::runtime_error for code that does not know kiln.
  EXPECT_THROW(gather(params, ids), std::runtime_error);
}

TEST(Error, ShapeMismatchNamesTheShapes) {
  Tensor a = zeros({2, 3}), b = zeros({3, 2});
  auto [e, line] = error_and_line([&] { multiply(a, b); }, __LINE__);
  EXPECT_EQ(std::string(e.what()), "multiply: shapes (2, 3) and (3, 2) are not broadcastable" +
                                       at(__FILE__, line, "multiply"));
}

TEST(Error, DTypeMismatchNamesTheDtypes) {
  auto [e, line] = error_and_line([] { subtract(zeros({2}, i32), zeros({2}, i64)); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "subtract: dtype mismatch: int32 and int64 (kiln does not convert implicitly; cast "
            "one operand)" +
                at(__FILE__, line, "subtract"));
}

TEST(Error, BadAxisNamesTheAxisAndRank) {
  Tensor x = zeros({4, 5});
  auto [e, line] = error_and_line([&] { max(x, {2}); }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "max: axis 2 is out of range for a tensor of rank 2 (shape (4, 5))" +
                at(__FILE__, line, "max"));
  auto [t, l2] = error_and_line([&] { transpose(x, {0, 2}); }, __LINE__);
  EXPECT_EQ(std::string(t.what()),
            "transpose: axis 2 is out of range for rank 2" + at(__FILE__, l2, "transpose"));
}

TEST(Error, OperatorsReportTheLineOfTheExpression) {
  Tensor a = zeros({2, 3}), b = zeros({4});
  auto [e, line] = error_and_line([&] { return a + b; }, __LINE__);
  EXPECT_EQ(std::string(e.what()),
            "add: shapes (2, 3) and (4,) are not broadcastable" + at(__FILE__, line, "add"));
  auto [s, l2] = error_and_line([&] { return a * 2.0 - b; }, __LINE__);
  EXPECT_EQ(s.line(), static_cast<unsigned>(l2));
  EXPECT_EQ(s.api(), "subtract");
  auto [c, l3] = error_and_line([&] { return a < b; }, __LINE__);
  EXPECT_EQ(c.line(), static_cast<unsigned>(l3));
  EXPECT_EQ(c.op(), "less");
  Variable v("v", zeros({3}));
  auto [ve, l4] = error_and_line([&] { return v * b; }, __LINE__);
  EXPECT_EQ(std::string(ve.what()),
            "multiply: shapes (3,) and (4,) are not broadcastable" + at(__FILE__, l4, "multiply"));
  EXPECT_EQ(std::string(ve.what()).find("math.h"), std::string::npos);
}

TEST(Error, CompositeOpsReportTheOuterApi) {
  Tensor y = zeros({3}), p = zeros({4});
  auto [e, line] = error_and_line([&] { huber_loss(y, p); }, __LINE__);
  EXPECT_EQ(std::string(e.what()), "subtract: shapes (3,) and (4,) are not broadcastable" +
                                       at(__FILE__, line, "huber_loss"));
  EXPECT_EQ(e.op(), "subtract");  // the primitive that failed
  auto [s, l2] = error_and_line([&] { softmax(zeros({2, 3}), /*axis=*/2); }, __LINE__);
  EXPECT_EQ(std::string(s.what()),
            "max: axis 2 is out of range for a tensor of rank 2 (shape (2, 3))" +
                at(__FILE__, l2, "softmax"));
  auto [m, l3] = error_and_line([&] { mean(zeros({2}), {1}); }, __LINE__);
  EXPECT_EQ(m.line(), static_cast<unsigned>(l3));
  EXPECT_EQ(m.api(), "mean");
  auto [st, l4] = error_and_line([&] { stack({zeros({2}), zeros({3})}); }, __LINE__);
  EXPECT_EQ(st.line(), static_cast<unsigned>(l4));
  EXPECT_EQ(st.api(), "stack");
  EXPECT_EQ(st.op(), "concat");
}

TEST(Error, TheNextCallReportsItsOwnSite) {
  // The failed composite must not leave its call site behind.
  EXPECT_EQ(error_of([] { huber_loss(zeros({3}), zeros({4})); }).api(), "huber_loss");
  auto [e, line] = error_and_line([] { add(zeros({3}), zeros({4})); }, __LINE__);
  EXPECT_EQ(e.api(), "add");
  EXPECT_EQ(e.line(), static_cast<unsigned>(line));
}

TEST(Error, EachThreadHasItsOwnCallSite) {
  std::string message;
  int line = 0;
  std::thread worker([&] {
    auto [e, l] = error_and_line([] { gather(zeros({2, 2}), constant({7})); }, __LINE__);
    message = e.what();
    line = l;
  });
  worker.join();
  EXPECT_EQ(message, "gather: indices[0] = 7 is not in [0, 2)" + at(__FILE__, line, "gather"));
}

TEST(Error, LeavesTapeAndVariablesUsable) {
  Variable w("model/w", constant({1.0, 2.0, 3.0}));
  Variable emb("model/emb", constant({{1.0}, {2.0}}));
  GradientTape tape;
  Tensor h = w * 2.0;  // recorded
  // Failures while recording: a bad gather, a bad op, bad variable updates.
  EXPECT_EQ(error_of([&] { gather(emb, constant({5})); }).op(), "gather");
  EXPECT_EQ(error_of([&] { return h + zeros({2}, f64); }).op(), "add");
  EXPECT_EQ(error_of([&] { w.assign(constant({1.0})); }).op(), "assign");
  EXPECT_EQ(error_of([&] { emb.scatter_sub(constant({2}), constant({{1.0}})); }).op(),
            "scatter_sub");
  EXPECT_TRUE(values_equal(w, {3}, {1, 2, 3}));
  EXPECT_TRUE(values_equal(emb, {2, 1}, {1, 2}));
  // Recording goes on and the gradient is right.
  Tensor loss = sum(h * h) + sum(gather(emb, constant({1, 1})));
  auto g = tape.gradient(loss, {w, emb});
  EXPECT_TRUE(values_equal(g[0], {3}, {8, 16, 24}));  // d/dw 4 w^2
  EXPECT_TRUE(values_equal(g[1], {2, 1}, {0, 2}));
  // And a fresh tape works after an error inside gradient() itself.
  GradientTape t2;
  Tensor z = w * w;
  EXPECT_EQ(error_of([&] { t2.gradient(cast(z, i32), {w}); }).op(), "gradient");
  GradientTape t3;
  Tensor z3 = sum(w * w);
  EXPECT_TRUE(values_equal(t3.gradient(z3, {w})[0], {3}, {2, 4, 6}));
}

}  // namespace
}  // namespace kiln
