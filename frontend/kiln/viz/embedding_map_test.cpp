// Tests for embedding maps: PCA against NumPy's SVD, t-SNE keeping clusters apart,
// cosine neighbours, the HTML page's contents, the SVG, and the page rendered in headless
// Chromium (screenshot decoded and checked, DOM dumped to see that its script ran).
#include "kiln/viz/embedding_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace kiln::viz {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path fresh_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("kiln_map_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string source_dir() {
  const char* env = std::getenv("KILN_SOURCE_DIR");
  return env ? env : KILN_SOURCE_DIR;
}

// `clusters` well-separated Gaussian blobs of `per_cluster` points in `d` dimensions, with
// per-axis scales that differ, so the covariance has distinct eigenvalues.
std::vector<float> blobs(int clusters, int per_cluster, int d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> centers(static_cast<size_t>(clusters * d));
  for (auto& c : centers) c = 8 * normal(rng);
  std::vector<float> out;
  for (int c = 0; c < clusters; ++c)
    for (int i = 0; i < per_cluster; ++i)
      for (int k = 0; k < d; ++k)
        out.push_back(centers[static_cast<size_t>(c * d + k)] +
                      normal(rng) / static_cast<float>(1 + k % 4));
  return out;
}

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

TEST(MapEmbeddings, PcaMatchesNumpySvdUpToSign) {
  const int n = 60, d = 7;
  std::vector<float> values = blobs(3, 20, d, 1);
  fs::path dir = fresh_dir("pca");
  {
    std::ofstream out(dir / "x.txt");
    out.precision(9);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < d; ++k) out << values[static_cast<size_t>(i * d + k)] << ' ';
      out << '\n';
    }
  }
  std::string script = "import numpy as np; x = np.loadtxt('" + (dir / "x.txt").string() +
                       "', dtype=np.float32).astype(np.float64); x -= x.mean(0); "
                       "u, s, vt = np.linalg.svd(x, full_matrices=False); "
                       "np.savetxt('" +
                       (dir / "y.txt").string() + "', x @ vt[:2].T, fmt='%.17g')";
  ASSERT_EQ(std::system(("/usr/bin/python3 -c \"" + script + "\"").c_str()), 0)
      << "NumPy (/usr/bin/python3 with python3-numpy, from scripts/install-deps.sh) is needed";
  std::ifstream expected_in(dir / "y.txt");
  std::vector<double> expected((std::istream_iterator<double>(expected_in)),
                               std::istream_iterator<double>());
  ASSERT_EQ(expected.size(), 2u * n);

  EmbeddingMap map = map_embeddings(constant(values, Shape({n, d})), numbered("w", n),
                                    MapOptions().set_tsne(false));
  EXPECT_TRUE(map.tsne.empty());
  ASSERT_EQ(map.pca.size(), static_cast<size_t>(n));
  for (int axis = 0; axis < 2; ++axis) {
    double sign = map.pca[0][axis] * expected[axis] < 0 ? -1 : 1;
    for (int i = 0; i < n; ++i)
      EXPECT_NEAR(map.pca[i][axis], sign * expected[static_cast<size_t>(2 * i + axis)],
                  1e-6 * (1 + std::abs(expected[static_cast<size_t>(2 * i + axis)])))
          << "point " << i << " axis " << axis;
  }
  fs::remove_all(dir);
}

// The fraction of points whose nearest neighbour in the layout is in the same blob.
double same_blob_neighbor_share(const std::vector<std::array<double, 2>>& layout, int per_cluster) {
  int same = 0;
  for (size_t i = 0; i < layout.size(); ++i) {
    size_t best = i;
    double best_d = INFINITY;
    for (size_t j = 0; j < layout.size(); ++j) {
      double dx = layout[i][0] - layout[j][0], dy = layout[i][1] - layout[j][1];
      if (j != i && dx * dx + dy * dy < best_d) best = j, best_d = dx * dx + dy * dy;
    }
    same += static_cast<int>(best) / per_cluster == static_cast<int>(i) / per_cluster;
  }
  return static_cast<double>(same) / static_cast<double>(layout.size());
}

TEST(MapEmbeddings, TsneKeepsClustersApartAndIsSeeded) {
  const int clusters = 4, per = 30, d = 12, n = clusters * per;
  Tensor vectors = constant(blobs(clusters, per, d, 2), Shape({n, d}));
  MapOptions options = MapOptions().set_perplexity(10).set_tsne_iterations(300).set_seed(7);
  EmbeddingMap map = map_embeddings(vectors, numbered("w", n), options);
  ASSERT_EQ(map.tsne.size(), static_cast<size_t>(n));
  EXPECT_GE(same_blob_neighbor_share(map.tsne, per), 0.98);
  for (const auto& p : map.tsne) EXPECT_TRUE(std::isfinite(p[0]) && std::isfinite(p[1]));

  EmbeddingMap again = map_embeddings(vectors, numbered("w", n), options);
  EXPECT_EQ(again.tsne, map.tsne);
  EmbeddingMap other = map_embeddings(vectors, numbered("w", n), options.set_seed(8));
  EXPECT_NE(other.tsne, map.tsne);
}

TEST(MapEmbeddings, RejectsBadInput) {
  Tensor vectors = constant(blobs(1, 5, 3, 3), Shape({5, 3}));
  auto error_of = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(error_of([&] { map_embeddings(vectors, numbered("w", 4)); }),
              HasSubstr("vectors has 5 rows but there are 4 words"));
  EXPECT_THAT(error_of([&] { map_embeddings(vectors, numbered("w", 5)); }),
              HasSubstr("perplexity 30.000000 is not in (0, 4)"));
  EXPECT_THAT(error_of([&] {
                map_embeddings(constant<float>({1, 2, 3}), numbered("w", 3));
              }),
              HasSubstr("must be f32[N, D]"));
  std::vector<float> nan_values(6, 1.0f);
  nan_values[4] = NAN;
  EXPECT_THAT(error_of([&] {
                map_embeddings(constant(nan_values, Shape({3, 2})), numbered("w", 3));
              }),
              HasSubstr("vectors[2, 0] = nan is not finite"));
}

TEST(NearestNeighbors, ByCosineBestFirst) {
  // Row 3 is row 0 scaled: cosine 1 despite the distance. Row 4 is zero: no neighbours.
  Tensor vectors = constant<float>({{1, 0}, {0, 1}, {1, 1}, {5, 0}, {0, 0}});
  std::vector<std::vector<int32_t>> got = nearest_neighbors(vectors, /*k=*/2);
  std::vector<std::vector<int32_t>> want = {{3, 2}, {2, 0}, {0, 1}, {0, 2}, {}};
  EXPECT_EQ(got, want);
}

// A word map small enough for the browser tests, with words that try to break the page.
struct PageCase {
  Tensor vectors;
  EmbeddingMap map;
};
PageCase page_case() {
  const int clusters = 3, per = 40, d = 8, n = clusters * per;
  std::vector<std::string> words = numbered("word", n);
  words[5] = "</script><b>x";
  words[6] = "a\"quote'\\";
  words[7] = "naïve";
  Tensor vectors = constant(blobs(clusters, per, d, 4), Shape({n, d}));
  return {vectors, map_embeddings(vectors, words, MapOptions().set_perplexity(15))};
}

TEST(EmbeddingHtml, SelfContained) {
  PageCase c = page_case();
  fs::path dir = fresh_dir("html");
  std::string path = (dir / "map.html").string();
  write_embedding_html(path, c.map, c.vectors, HtmlOptions().set_title("Test <map>"));
  std::string html = read_file(path);
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr(" src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, HasSubstr("<title>Test &lt;map&gt;</title>"));
  EXPECT_THAT(html, HasSubstr("<\\/script><b>x"));  // the word, unable to end the script
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_THAT(html, HasSubstr("\"neighbors\":[["));

  Tensor wrong = constant(blobs(1, 3, 8, 5), Shape({3, 8}));
  try {
    write_embedding_html(path, c.map, wrong);
    ADD_FAILURE() << "no error for vectors that do not match the map";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("vectors has 3 rows"));
  }
  std::string missing = (dir / "no" / "map.html").string();
  try {
    write_embedding_html(missing, c.map, c.vectors);
    ADD_FAILURE() << "no error for a missing directory";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(missing));
  }
  fs::remove_all(dir);
}

TEST(EmbeddingSvg, LabelsEveryWord) {
  PageCase c = page_case();
  fs::path dir = fresh_dir("svg");
  for (MapLayout which : {MapLayout::kPca, MapLayout::kTsne}) {
    std::string path = (dir / "map.svg").string();
    write_embedding_svg(path, c.map, which);
    std::string svg = read_file(path);
    EXPECT_THAT(svg, HasSubstr(which == MapLayout::kPca ? "PCA" : "t-SNE"));
    EXPECT_THAT(svg, HasSubstr(">word119</text>"));
    EXPECT_THAT(svg, HasSubstr("&lt;/script&gt;&lt;b&gt;x"));
    EXPECT_GT(std::count(svg.begin(), svg.end(), '\n'), 120);  // a line per point at least
  }
  EmbeddingMap pca_only = c.map;
  pca_only.tsne.clear();
  EXPECT_THROW(write_embedding_svg((dir / "t.svg").string(), pca_only, MapLayout::kTsne), Error);
  fs::remove_all(dir);
}

// Runs a shell command and returns its standard output; fails the test on a non-zero status.
std::string run(const std::string& command, const std::string& why) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run: " << command;
    return out;
  }
  char buf[4096];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, got);
  int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << why << "\n  command: " << command;
  return out;
}

// Debian's chromium renders the page headless: the DOM after its script ran, and a PNG
// screenshot that must show the dots and, for "#word3", the highlighted word's colours.
TEST(EmbeddingHtml, RendersInHeadlessChromium) {
  ASSERT_EQ(std::system("command -v chromium >/dev/null"), 0)
      << "chromium is not installed: run scripts/install-deps.sh (apt-get install chromium)";
  PageCase c = page_case();
  fs::path dir = fresh_dir("chromium");
  std::string path = (dir / "map.html").string();
  write_embedding_html(path, c.map, c.vectors, HtmlOptions().set_neighbors(5));
  // A private profile and no first-run work keep runs independent and quick; the virtual
  // time budget lets the page's script finish before the dump or the screenshot.
  std::string chromium = "cd '" + dir.string() +
                         "' && timeout 120 chromium --headless --disable-gpu --no-sandbox "
                         "--disable-dev-shm-usage --no-first-run --user-data-dir='" +
                         (dir / "profile").string() +
                         "' --virtual-time-budget=5000 --window-size=1200,900 ";
  std::string url = "'file://" + path + "#word3'";

  std::string dom = run(chromium + "--dump-dom " + url + " 2>/dev/null", "chromium --dump-dom");
  EXPECT_THAT(dom, HasSubstr("<span id=\"count\">120</span>"));
  std::vector<std::vector<int32_t>> near = nearest_neighbors(c.vectors, 5);
  std::string list = "<div style=\"font-weight: bold;\">word3</div><ol>";
  for (int32_t j : near[3]) {
    // The DOM serializer escapes &, < and > in text (quotes stay as they are).
    std::string text;
    for (char ch : c.map.words[static_cast<size_t>(j)])
      text += ch == '&' ? "&amp;" : ch == '<' ? "&lt;" : ch == '>' ? "&gt;" : std::string(1, ch);
    list += "<li>" + text + "</li>";
  }
  EXPECT_THAT(dom, HasSubstr(list + "</ol>"));

  run(chromium + "--screenshot='" + (dir / "map.png").string() + "' " + url + " 2>/dev/null",
      "chromium --screenshot");
  // The selected word is drawn #d62728 and its neighbours #ff7f0e.
  std::istringstream stats(run("python3 '" + source_dir() + "/tests/viz/png_colors.py' '" +
                                   (dir / "map.png").string() + "' d62728 ff7f0e",
                               "png_colors.py"));
  int width = 0, height = 0, colors = 0, selected = 0, neighbors = 0;
  double inked = 0;
  stats >> width >> height >> colors >> inked >> selected >> neighbors;
  EXPECT_EQ(width, 1200);
  EXPECT_EQ(height, 900);
  EXPECT_GE(colors, 20) << "a page of dots and text has many anti-aliased shades";
  EXPECT_GE(inked, 0.01) << "too little drawn: the map looks blank";
  EXPECT_GE(selected, 20) << "the searched word is not highlighted";
  EXPECT_GE(neighbors, 5 * 20) << "its neighbours are not highlighted";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kiln::viz
