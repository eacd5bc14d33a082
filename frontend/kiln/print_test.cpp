// Tests that tensors print as NumPy's str() and TensorFlow's repr do. Every expected
// string below was produced by NumPy 1.24 (str(np.array(...))) and copied here; the
// test itself runs no Python.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "kiln/ops/shape_ops.h"
#include "kiln/tensor.h"

namespace kiln {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

TEST(Print, OneByOneMatrixLikeTensorFlow) {
  EXPECT_EQ(constant({{4.f}}).str(), "kiln.Tensor([[4.]], shape=(1, 1), dtype=float32)");
  std::ostringstream os;
  os << constant({{4.f}});
  EXPECT_EQ(os.str(), "kiln.Tensor([[4.]], shape=(1, 1), dtype=float32)");
}

TEST(Print, ScalarsPrintLikeNumPyScalars) {
  EXPECT_EQ(constant(4.f).str(), "kiln.Tensor(4.0, shape=(), dtype=float32)");
  EXPECT_EQ(constant(0.5f).str(), "kiln.Tensor(0.5, shape=(), dtype=float32)");
  EXPECT_EQ(constant(-0.25f).values_str(), "-0.25");
  EXPECT_EQ(constant(4.0).str(), "kiln.Tensor(4.0, shape=(), dtype=float64)");
  EXPECT_EQ(constant(7).str(), "kiln.Tensor(7, shape=(), dtype=int32)");
  EXPECT_EQ(constant(int64_t{-3}).str(), "kiln.Tensor(-3, shape=(), dtype=int64)");
  EXPECT_EQ(constant(true).str(), "kiln.Tensor(True, shape=(), dtype=bool)");
  EXPECT_EQ(constant(false).values_str(), "False");
  EXPECT_EQ(constant(std::nan("")).values_str(), "nan");
  // Every digit of the shortest repr, and Python's switch to scientific notation.
  EXPECT_EQ(constant(1.0 / 3.0).values_str(), "0.3333333333333333");
  EXPECT_EQ(constant(1.f / 3.f).values_str(), "0.33333334");
  EXPECT_EQ(constant(0.1f).values_str(), "0.1");
  EXPECT_EQ(constant(123456789.0).values_str(), "123456789.0");
  EXPECT_EQ(constant(-0.0).values_str(), "-0.0");
  EXPECT_EQ(constant(1e-5).values_str(), "1e-05");
  EXPECT_EQ(constant(1.5e-5f).values_str(), "1.5e-05");
  EXPECT_EQ(constant(1e20).values_str(), "1e+20");
  EXPECT_EQ(constant(1e16f).values_str(), "1e+16");
  EXPECT_EQ(constant(HUGE_VAL).values_str(), "inf");
}

TEST(Print, MixedDecimalsAlignOnThePoint) {
  Tensor t = constant({{1.f, 2.5f}, {3.f, 4.f}});
  EXPECT_EQ(t.values_str(), "[[1.  2.5]\n [3.  4. ]]");
  // Continuation lines are indented under the first bracket, past "kiln.Tensor(".
  EXPECT_EQ(t.str(),
            "kiln.Tensor([[1.  2.5]\n"
            "             [3.  4. ]], shape=(2, 2), dtype=float32)");
  EXPECT_EQ(constant({0.5f, -0.f}).values_str(), "[ 0.5 -0. ]");
}

TEST(Print, NegativeNumbers) {
  EXPECT_EQ(constant({{-1.5f, 2.f}, {3.25f, -4.f}}).values_str(),
            "[[-1.5   2.  ]\n [ 3.25 -4.  ]]");
  EXPECT_EQ(constant({-1.f, 0.f, 1.f}).values_str(), "[-1.  0.  1.]");
  EXPECT_EQ(constant({3, -12, 100}).values_str(), "[  3 -12 100]");
  EXPECT_EQ(constant({2147483647, -2147483647 - 1}).values_str(), "[ 2147483647 -2147483648]");
  // int64 extremes print exactly (not through a double).
  EXPECT_EQ(constant({std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()})
                .values_str(),
            "[ 9223372036854775807 -9223372036854775808]");
}

TEST(Print, EachFloatUsesItsOwnShortestDigits) {
  // Shortest round-trip digits per element (float32 unique repr), at most 8.
  EXPECT_EQ(constant({0.3f, 1.f / 3.f}).values_str(), "[0.3        0.33333334]");
  EXPECT_EQ(constant({0.1f * 3, 0.2f * 3, 0.3f * 3, 0.4f * 3}).values_str(),
            "[0.3        0.6        0.90000004 1.2       ]");
  EXPECT_EQ(constant({123456.7f}).values_str(), "[123456.7]");
}

TEST(Print, Float64) {
  EXPECT_EQ(constant({0.1, 0.25}).str(), "kiln.Tensor([0.1  0.25], shape=(2,), dtype=float64)");
  EXPECT_EQ(constant({1.0 / 3.0}).values_str(), "[0.33333333]");  // 8 digits at most
  EXPECT_EQ(constant({0.1, 0.2, 0.1 + 0.2}).values_str(), "[0.1 0.2 0.3]");
  EXPECT_EQ(constant({-0.5, 0.25}).values_str(), "[-0.5   0.25]");
}

TEST(Print, IntegersAndBools) {
  EXPECT_EQ(constant({{1, 2, 3}}).str(), "kiln.Tensor([[1 2 3]], shape=(1, 3), dtype=int32)");
  EXPECT_EQ(constant({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}).values_str(),
            "[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]");
  EXPECT_EQ(constant({true, false}).str(), "kiln.Tensor([ True False], shape=(2,), dtype=bool)");
}

TEST(Print, NanAndInfinity) {
  EXPECT_EQ(constant({1.f, kNaN, kInf}).values_str(), "[ 1. nan inf]");
  EXPECT_EQ(constant({1.5f, -kInf, kNaN}).values_str(), "[ 1.5 -inf  nan]");
  EXPECT_EQ(constant({std::nan(""), -HUGE_VAL}).values_str(), "[ nan -inf]");
  EXPECT_EQ(constant({1e-5f, kNaN}).values_str(), "[1.e-05    nan]");
}

TEST(Print, ScientificNotationFollowsNumPysRule) {
  // NumPy switches when max >= 1e8, min < 1e-4, or max / min > 1e3 (nonzero finite |x|),
  // and then gives every mantissa the same number of digits.
  EXPECT_EQ(constant({1.f, 10000.f}).values_str(), "[1.e+00 1.e+04]");
  EXPECT_EQ(constant({1e-5f, 1.5e-5f}).values_str(), "[1.0e-05 1.5e-05]");
  EXPECT_EQ(constant({-1e-5f, 2.5e-5f}).values_str(), "[-1.0e-05  2.5e-05]");
  EXPECT_EQ(constant({1e7f, 1.f}).values_str(), "[1.e+07 1.e+00]");
  EXPECT_EQ(constant({100.f, 0.001f}).values_str(), "[1.e+02 1.e-03]");
  EXPECT_EQ(constant({0.0001f, 1.f}).values_str(), "[1.e-04 1.e+00]");
  EXPECT_EQ(constant({123456789.0}).values_str(), "[1.23456789e+08]");
  EXPECT_EQ(constant({1e-5, 1e100}).values_str(), "[1.e-005 1.e+100]");  // one exponent width
  // 0.30000000000000004 rounds to 8 digits, then its trailing zeros go.
  EXPECT_EQ(constant({0.1 + 0.2, 1e-5}).values_str(), "[3.e-01 1.e-05]");
  EXPECT_EQ(constant({0.1 + 0.2, 1.5e-5}).values_str(), "[3.0e-01 1.5e-05]");
  EXPECT_EQ(constant({0.f, 0.f}).values_str(), "[0. 0.]");
}

TEST(Print, EmptyTensors) {
  EXPECT_EQ(zeros({0}).str(), "kiln.Tensor([], shape=(0,), dtype=float32)");
  EXPECT_EQ(zeros({2, 0}).values_str(), "[]");
  EXPECT_EQ(Tensor().str(), "kiln.Tensor(<undefined>)");
}

TEST(Print, SummarizesOverAThousandElements) {
  EXPECT_EQ(constant(iota(2000)).values_str(), "[   0    1    2 ... 1997 1998 1999]");
  EXPECT_EQ(constant(iota(1001)).values_str(), "[   0    1    2 ...  998  999 1000]");
  // Exactly 1000 elements print in full.
  EXPECT_EQ(constant(iota(1000)).values_str().find("..."), std::string::npos);
}

TEST(Print, SummarizesEveryAxis) {
  EXPECT_EQ(constant(iota(10000), Shape{100, 100}).values_str(),
            "[[   0    1    2 ...   97   98   99]\n"
            " [ 100  101  102 ...  197  198  199]\n"
            " [ 200  201  202 ...  297  298  299]\n"
            " ...\n"
            " [9700 9701 9702 ... 9797 9798 9799]\n"
            " [9800 9801 9802 ... 9897 9898 9899]\n"
            " [9900 9901 9902 ... 9997 9998 9999]]");
  EXPECT_EQ(constant(iota(3000), Shape{2, 3, 500}).values_str(),
            "[[[   0    1    2 ...  497  498  499]\n"
            "  [ 500  501  502 ...  997  998  999]\n"
            "  [1000 1001 1002 ... 1497 1498 1499]]\n"
            "\n"
            " [[1500 1501 1502 ... 1997 1998 1999]\n"
            "  [2000 2001 2002 ... 2497 2498 2499]\n"
            "  [2500 2501 2502 ... 2997 2998 2999]]]");
}

TEST(Print, SummarizedMiddleAxis) {
  EXPECT_EQ(constant(iota(1200), Shape{3, 20, 20}).values_str(),
            "[[[   0    1    2 ...   17   18   19]\n"
            "  [  20   21   22 ...   37   38   39]\n"
            "  [  40   41   42 ...   57   58   59]\n"
            "  ...\n"
            "  [ 340  341  342 ...  357  358  359]\n"
            "  [ 360  361  362 ...  377  378  379]\n"
            "  [ 380  381  382 ...  397  398  399]]\n"
            "\n"
            " [[ 400  401  402 ...  417  418  419]\n"
            "  [ 420  421  422 ...  437  438  439]\n"
            "  [ 440  441  442 ...  457  458  459]\n"
            "  ...\n"
            "  [ 740  741  742 ...  757  758  759]\n"
            "  [ 760  761  762 ...  777  778  779]\n"
            "  [ 780  781  782 ...  797  798  799]]\n"
            "\n"
            " [[ 800  801  802 ...  817  818  819]\n"
            "  [ 820  821  822 ...  837  838  839]\n"
            "  [ 840  841  842 ...  857  858  859]\n"
            "  ...\n"
            "  [1140 1141 1142 ... 1157 1158 1159]\n"
            "  [1160 1161 1162 ... 1177 1178 1179]\n"
            "  [1180 1181 1182 ... 1197 1198 1199]]]");
}

TEST(Print, SummarizedOuterAxisOfARank3TensorKeepsBlankLines) {
  EXPECT_EQ(constant(iota(1600), Shape{8, 2, 100}).values_str(),
            "[[[   0    1    2 ...   97   98   99]\n"
            "  [ 100  101  102 ...  197  198  199]]\n"
            "\n"
            " [[ 200  201  202 ...  297  298  299]\n"
            "  [ 300  301  302 ...  397  398  399]]\n"
            "\n"
            " [[ 400  401  402 ...  497  498  499]\n"
            "  [ 500  501  502 ...  597  598  599]]\n"
            "\n"
            " ...\n"
            "\n"
            " [[1000 1001 1002 ... 1097 1098 1099]\n"
            "  [1100 1101 1102 ... 1197 1198 1199]]\n"
            "\n"
            " [[1200 1201 1202 ... 1297 1298 1299]\n"
            "  [1300 1301 1302 ... 1397 1398 1399]]\n"
            "\n"
            " [[1400 1401 1402 ... 1497 1498 1499]\n"
            "  [1500 1501 1502 ... 1597 1598 1599]]]");
}

TEST(Print, SummarizedWidthsComeFromEveryShownElement) {
  // The widest shown value sits at the end of the first row, not at either end of the
  // flat buffer.
  std::vector<float> v(2500, 1.f);
  v[49] = 0.5f;
  // (Formatting from the flat ends alone printed 0.5 as "0.".)
  EXPECT_EQ(constant(v, Shape{50, 50}).values_str(),
            "[[1.  1.  1.  ... 1.  1.  0.5]\n"
            " [1.  1.  1.  ... 1.  1.  1. ]\n"
            " [1.  1.  1.  ... 1.  1.  1. ]\n"
            " ...\n"
            " [1.  1.  1.  ... 1.  1.  1. ]\n"
            " [1.  1.  1.  ... 1.  1.  1. ]\n"
            " [1.  1.  1.  ... 1.  1.  1. ]]");
}

TEST(Print, SummarizedFloatsCanSwitchToScientific) {
  std::vector<double> v(2000);
  for (int i = 0; i < 2000; ++i) v[static_cast<size_t>(i)] = i;
  EXPECT_EQ(constant(v).values_str(),
            "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]");
}

}  // namespace
}  // namespace kiln
