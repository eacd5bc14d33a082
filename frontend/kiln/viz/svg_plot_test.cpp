// Tests for the SVG plot writer: well-formed output with tick labels, gridlines and legend,
// escaping, per-point labels, and the atomic save.
#include "kiln/viz/svg_plot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::viz {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// "" when every element is closed in order and only the elements Plot emits appear;
// otherwise the first problem.
std::string check_well_formed(const std::string& svg) {
  static const std::set<std::string> known = {"svg", "rect", "defs",   "clipPath", "text",
                                              "g",   "line", "circle", "polyline"};
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = svg.find('<', i)) != std::string::npos) {
    size_t j = svg.find('>', i);
    if (j == std::string::npos) return "unterminated tag at " + std::to_string(i);
    std::string tag = svg.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '?') continue;  // the XML declaration
    bool closing = tag[0] == '/', self_closing = tag.back() == '/';
    std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", 1) - (closing ? 1 : 0));
    if (!known.count(name)) return "unexpected element <" + name + ">";
    if (closing) {
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  for (size_t a = svg.find('&'); a != std::string::npos; a = svg.find('&', a + 1)) {
    bool entity = false;
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      entity = entity || svg.compare(a, std::strlen(e), e) == 0;
    if (!entity) return "an unescaped & at " + std::to_string(a);
  }
  return "";
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t i = haystack.find(needle); i != std::string::npos; i = haystack.find(needle, i + 1))
    ++n;
  return n;
}

TEST(XmlEscapeTest, EscapesSpecialCharactersAndDropsForbiddenControls) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(xml_escape(std::string("x\x01y\tz", 5)), "xy\tz");
  EXPECT_EQ(xml_escape("caf\xC3\xA9"), "caf\xC3\xA9");  // UTF-8 passes through
}

TEST(PlotTest, ProducesAWellFormedChartWithTicksGridAndLegend) {
  Plot plot;
  plot.title("Birth rate vs life expectancy")
      .xlabel("Birth rate")
      .ylabel("Life expectancy")
      .xlim(0, 10)
      .ylim(40, 90)
      .scatter({1, 2, 3}, {80, 70, 60}, "countries")
      .line({0, 10}, {85, 25}, "Huber fit", "#d62728")
      .text(5, 85, "w = -6.27");
  std::string svg = plot.to_svg();
  EXPECT_EQ(check_well_formed(svg), "");
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  for (const char* label : {">0<", ">2<", ">10<", ">40<", ">90<"})
    EXPECT_THAT(svg, HasSubstr(label));
  EXPECT_THAT(svg, HasSubstr(">Birth rate vs life expectancy</text>"));
  EXPECT_THAT(svg, HasSubstr(">countries</text>"));
  EXPECT_THAT(svg, HasSubstr(">Huber fit</text>"));
  EXPECT_THAT(svg, HasSubstr(">w = -6.27</text>"));
  EXPECT_THAT(svg, HasSubstr("stroke=\"#d62728\""));
  EXPECT_THAT(svg, HasSubstr("rotate(-90"));
  EXPECT_EQ(count(svg, "<circle"), 3u + 1u);  // three points and a legend marker
  EXPECT_EQ(count(svg, "<polyline"), 1u);
  EXPECT_GE(count(svg, "<line"), 2u * (6 + 6));  // gridline and tick mark per tick
}

TEST(PlotTest, EscapesEveryUserText) {
  Plot plot;
  plot.title("Huber <fit> & \"OLS\"").xlabel("a<b").ylabel("c&d");
  plot.scatter({0, 1}, {0, 1}, "<series>", "", {"it's", "x&y"}).text(0.5, 0.5, "</svg>");
  std::string svg = plot.to_svg();
  EXPECT_EQ(check_well_formed(svg), "");
  EXPECT_THAT(svg, HasSubstr("Huber &lt;fit&gt; &amp; &quot;OLS&quot;"));
  EXPECT_THAT(svg, HasSubstr(">it&apos;s</text>"));
  EXPECT_THAT(svg, HasSubstr(">x&amp;y</text>"));
  EXPECT_THAT(svg, HasSubstr(">&lt;/svg&gt;</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("<fit>")));
}

TEST(PlotTest, DrawsPerPointLabelsForEmbeddings) {
  std::vector<double> xs, ys;
  std::vector<std::string> words = {"king", "queen", "man", "woman", "paris", "france"};
  for (size_t i = 0; i < words.size(); ++i) {
    xs.push_back(std::cos(static_cast<double>(i)));
    ys.push_back(std::sin(static_cast<double>(i)));
  }
  std::string svg = Plot().scatter(xs, ys, "", "", words).to_svg();
  EXPECT_EQ(check_well_formed(svg), "");
  for (const auto& w : words) EXPECT_THAT(svg, HasSubstr(">" + w + "</text>"));
  EXPECT_EQ(count(svg, "<circle"), words.size());  // no legend without labels
}

TEST(PlotTest, SkipsNonFinitePointsAndBreaksLinesAtThem) {
  double nan = std::nan("");
  std::string svg =
      Plot().scatter({0, nan, 2}, {0, 1, 2}).line({0, 1, nan, 3, 4}, {0, 1, 2, 3, 4}).to_svg();
  EXPECT_EQ(check_well_formed(svg), "");
  EXPECT_EQ(count(svg, "<circle"), 2u);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
}

TEST(PlotTest, ATensorSeriesAndAnEmptyPlotBothRender) {
  std::string svg = Plot().scatter(constant({1.f, 2.f}), constant({3.0, 4.0})).to_svg();
  EXPECT_EQ(count(svg, "<circle"), 2u);
  EXPECT_EQ(check_well_formed(Plot().to_svg()), "");
}

TEST(PlotTest, RejectsMismatchedSeries) {
  try {
    Plot().scatter({1, 2, 3}, {1, 2});
    FAIL() << "expected an error";
  } catch (const kiln::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("xs has 3 values but ys has 2"));
    EXPECT_THAT(e.what(), HasSubstr("svg_plot_test.cpp"));
  }
  EXPECT_THROW(Plot().scatter({1, 2}, {1, 2}, "", "", {"one"}), kiln::Error);
  EXPECT_THROW(Plot().xlim(1, 1), kiln::Error);
  EXPECT_THROW(Plot().line(constant({{1.f, 2.f}}), constant({1.f, 2.f})), kiln::Error);
}

class PlotSaveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kiln_plot_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(PlotSaveTest, WritesTheSvgAndLeavesNoTemporaryFile) {
  Plot plot;
  plot.title("t").scatter({1, 2}, {3, 4}, "s");
  std::string path = (dir_ / "plot.svg").string();
  plot.save(path);
  plot.save(path);  // replacing an existing file works too
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), plot.to_svg());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(PlotSaveTest, AMissingDirectoryIsAClearError) {
  std::string path = (dir_ / "nope" / "plot.svg").string();
  try {
    Plot().save(path);
    FAIL() << "expected an error";
  } catch (const kiln::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot write '" + path + "': directory '" +
                                    (dir_ / "nope").string() + "' does not exist"));
  }
}

}  // namespace
}  // namespace kiln::viz
