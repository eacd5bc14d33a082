// Embedding maps: PCA (Jacobi eigenvectors of the covariance) and exact t-SNE layouts of word
// vectors, cosine nearest neighbours, and the self-contained HTML page and static SVG.
#include "kiln/viz/embedding_map.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string_view>

#include "kiln/viz/svg_plot.h"
#include "runtime/src/file_util.h"

namespace kiln::viz {
namespace {

// Rows of a checked f32[N, D] tensor, widened to double: the layouts accumulate sums over
// thousands of terms, where float32 would lose the small differences that matter.
struct Rows {
  int64_t n = 0, d = 0;
  std::vector<double> values;  // row-major [n, d]
  const double* row(int64_t i) const { return values.data() + i * d; }
};

Rows checked_rows(const Tensor& vectors, const char* op) {
  if (!vectors.defined()) detail::fail(op, "vectors is an undefined tensor");
  if (vectors.rank() != 2 || vectors.dtype() != f32)
    detail::fail(op, "vectors must be f32[N, D], got " + std::string(dtype_name(vectors.dtype())) +
                         vectors.shape().str());
  Rows rows{vectors.dim(0), vectors.dim(1), {}};
  if (rows.d < 1) detail::fail(op, "vectors must have at least one column, got D = 0");
  const float* data = vectors.data<float>();
  rows.values.assign(data, data + rows.n * rows.d);
  for (int64_t i = 0; i < rows.n * rows.d; ++i)
    if (!std::isfinite(rows.values[i]))
      detail::fail(op, "vectors[" + std::to_string(i / rows.d) + ", " + std::to_string(i % rows.d) +
                           "] = " + std::to_string(rows.values[i]) + " is not finite");
  return rows;
}

// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: slow (O(D³) per
// sweep) but unconditionally convergent and accurate, which power iteration is not when the
// top eigenvalues are close. Returns the eigenvectors as columns of `vectors`, unsorted,
// with the eigenvalues on the diagonal of `a`.
void jacobi_eigen(std::vector<double>* a_ptr, int64_t d, std::vector<double>* vectors) {
  std::vector<double>& a = *a_ptr;
  vectors->assign(d * d, 0.0);
  for (int64_t i = 0; i < d; ++i) (*vectors)[i * d + i] = 1;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, total = 0;
    for (int64_t p = 0; p < d; ++p)
      for (int64_t q = 0; q < d; ++q) (p == q ? total : off) += a[p * d + q] * a[p * d + q];
    if (off <= 1e-30 * (total + off) || off == 0) return;
    for (int64_t p = 0; p < d; ++p) {
      for (int64_t q = p + 1; q < d; ++q) {
        double apq = a[p * d + q];
        if (apq == 0) continue;
        // The rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
        double theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        double t = std::copysign(1.0, theta) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < d; ++k) {  // columns p and q
          double akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < d; ++k) {  // rows p and q
          double apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (int64_t k = 0; k < d; ++k) {
          double vkp = (*vectors)[k * d + p], vkq = (*vectors)[k * d + q];
          (*vectors)[k * d + p] = c * vkp - s * vkq;
          (*vectors)[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
}

std::vector<std::array<double, 2>> pca_layout(const Rows& x) {
  std::vector<double> mean(x.d, 0.0);
  for (int64_t i = 0; i < x.n; ++i)
    for (int64_t j = 0; j < x.d; ++j) mean[j] += x.row(i)[j];
  for (double& m : mean) m /= static_cast<double>(x.n);
  std::vector<double> centered(x.values.size());
  for (int64_t i = 0; i < x.n; ++i)
    for (int64_t j = 0; j < x.d; ++j) centered[i * x.d + j] = x.row(i)[j] - mean[j];
  std::vector<double> cov(x.d * x.d, 0.0);
  for (int64_t i = 0; i < x.n; ++i) {
    const double* r = centered.data() + i * x.d;
    for (int64_t p = 0; p < x.d; ++p)
      for (int64_t q = p; q < x.d; ++q) cov[p * x.d + q] += r[p] * r[q];
  }
  for (int64_t p = 0; p < x.d; ++p)
    for (int64_t q = 0; q < p; ++q) cov[p * x.d + q] = cov[q * x.d + p];
  std::vector<double> eigvecs;
  jacobi_eigen(&cov, x.d, &eigvecs);
  std::vector<int64_t> order(x.d);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return cov[a * x.d + a] > cov[b * x.d + b]; });

  std::vector<std::array<double, 2>> out(x.n, {0.0, 0.0});
  for (int axis = 0; axis < 2 && axis < x.d; ++axis) {
    int64_t col = order[axis];
    double largest = 0;
    for (int64_t i = 0; i < x.n; ++i) {
      double v = 0;
      for (int64_t j = 0; j < x.d; ++j) v += centered[i * x.d + j] * eigvecs[j * x.d + col];
      out[i][axis] = v;
      if (std::abs(v) > std::abs(largest)) largest = v;
    }
    if (largest < 0)  // an eigenvector's sign is arbitrary; fix it so maps are reproducible
      for (auto& p : out) p[axis] = -p[axis];
  }
  return out;
}

// Row i of P_{j|i} for squared distances `dist` (dist[i] ignored): the Gaussian bandwidth is
// found by bisection on beta = 1/(2σ²) so that the entropy equals log(perplexity).
void conditional_row(const double* dist, int64_t n, int64_t i, double perplexity, double* p) {
  const double target = std::log(perplexity);
  double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
  double min_dist = std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < n; ++j)
    if (j != i) min_dist = std::min(min_dist, dist[j]);
  for (int iter = 0; iter < 200; ++iter) {
    // Shifting by the nearest distance keeps the largest term at 1, so no underflow to 0/0.
    double sum = 0, weighted = 0;
    for (int64_t j = 0; j < n; ++j) {
      p[j] = j == i ? 0 : std::exp(-beta * (dist[j] - min_dist));
      sum += p[j];
      weighted += p[j] * (dist[j] - min_dist);
    }
    double entropy = std::log(sum) + beta * weighted / sum;
    for (int64_t j = 0; j < n; ++j) p[j] /= sum;
    if (std::abs(entropy - target) < 1e-5) return;
    if (entropy > target) {
      lo = beta;
      beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
}

// Exact t-SNE (van der Maaten & Hinton 2008) with the usual schedule: early exaggeration
// 12 and momentum 0.5 for the first quarter of the iterations, then momentum 0.8, with
// per-coordinate adaptive gains, and scikit-learn's "auto" learning rate max(N / 48, 50)
// (Belkina et al. 2019): a fixed 200 flings points of small maps out of their clusters.
std::vector<std::array<double, 2>> tsne_layout(const Rows& x, const MapOptions& options) {
  const int64_t n = x.n;
  std::vector<double> dist(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      double s = 0;
      for (int64_t k = 0; k < x.d; ++k) {
        double diff = x.row(i)[k] - x.row(j)[k];
        s += diff * diff;
      }
      dist[i * n + j] = dist[j * n + i] = s;
    }
  std::vector<double> p(n * n);
  for (int64_t i = 0; i < n; ++i)
    conditional_row(dist.data() + i * n, n, i, options.perplexity, p.data() + i * n);
  // Symmetrize into the joint P (stored over dist, which is no longer needed).
  std::vector<double>& joint = dist;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      joint[i * n + j] =
          std::max((p[i * n + j] + p[j * n + i]) / (2.0 * static_cast<double>(n)), 1e-12);
  p.clear();
  p.shrink_to_fit();

  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> normal(0.0, 1e-4);
  std::vector<std::array<double, 2>> y(n), velocity(n, {0.0, 0.0}), gains(n, {1.0, 1.0}), grad(n);
  for (auto& point : y) point = {normal(rng), normal(rng)};

  const int exaggeration_iterations = options.tsne_iterations / 4;
  const double learning_rate = std::max(50.0, static_cast<double>(n) / 48.0);
  std::vector<double> q(n * n);
  for (int iter = 0; iter < options.tsne_iterations; ++iter) {
    const double exaggeration = iter < exaggeration_iterations ? 12.0 : 1.0;
    const double momentum = iter < exaggeration_iterations ? 0.5 : 0.8;
    // Student-t kernel, computed once per pair.
    double z = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j) {
        double dx = y[i][0] - y[j][0], dy = y[i][1] - y[j][1];
        double k = 1 / (1 + dx * dx + dy * dy);
        q[i * n + j] = q[j * n + i] = k;
        z += 2 * k;
      }
    for (int64_t i = 0; i < n; ++i) {
      double gx = 0, gy = 0;
      const double* pi = joint.data() + i * n;
      const double* qi = q.data() + i * n;
      for (int64_t j = 0; j < n; ++j) {
        if (j == i) continue;
        double m = (exaggeration * pi[j] - qi[j] / z) * qi[j];
        gx += m * (y[i][0] - y[j][0]);
        gy += m * (y[i][1] - y[j][1]);
      }
      grad[i] = {4 * gx, 4 * gy};
    }
    std::array<double, 2> mean{0.0, 0.0};
    for (int64_t i = 0; i < n; ++i) {
      for (int c = 0; c < 2; ++c) {
        // Grow the step where the gradient keeps its direction, shrink it where it flips.
        bool same_sign = (grad[i][c] > 0) == (velocity[i][c] > 0);
        gains[i][c] = std::max(same_sign ? gains[i][c] * 0.8 : gains[i][c] + 0.2, 0.01);
        velocity[i][c] = momentum * velocity[i][c] - learning_rate * gains[i][c] * grad[i][c];
        y[i][c] += velocity[i][c];
        mean[c] += y[i][c];
      }
    }
    for (auto& point : y)  // the objective ignores translation; keep the map centred
      for (int c = 0; c < 2; ++c) point[c] -= mean[c] / static_cast<double>(n);
  }
  return y;
}

std::vector<std::vector<int32_t>> cosine_neighbors(const Rows& x, int k) {
  std::vector<double> unit(x.values.size());
  std::vector<bool> zero(x.n);
  for (int64_t i = 0; i < x.n; ++i) {
    double norm = 0;
    for (int64_t j = 0; j < x.d; ++j) norm += x.row(i)[j] * x.row(i)[j];
    norm = std::sqrt(norm);
    zero[i] = norm == 0;
    for (int64_t j = 0; j < x.d; ++j) unit[i * x.d + j] = zero[i] ? 0 : x.row(i)[j] / norm;
  }
  std::vector<std::vector<int32_t>> out(x.n);
  std::vector<std::pair<double, int32_t>> scored;
  for (int64_t i = 0; i < x.n; ++i) {
    if (zero[i]) continue;
    scored.clear();
    for (int64_t j = 0; j < x.n; ++j) {
      if (j == i || zero[j]) continue;
      double dot = 0;
      for (int64_t c = 0; c < x.d; ++c) dot += unit[i * x.d + c] * unit[j * x.d + c];
      scored.emplace_back(-dot,
                          static_cast<int32_t>(j));  // ties go to the lower (more frequent) row
    }
    size_t take = std::min(scored.size(), static_cast<size_t>(k));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                      scored.end());
    for (size_t r = 0; r < take; ++r) out[i].push_back(scored[r].second);
  }
  return out;
}

// Coordinates scaled into [0, 1] (aspect kept) and rounded to 1e-4: finer than a pixel on
// any screen, and a third of the bytes of full doubles in the page.
nlohmann::json unit_square(const std::vector<std::array<double, 2>>& layout) {
  double lo[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  double hi[2] = {-lo[0], -lo[1]};
  for (const auto& p : layout)
    for (int c = 0; c < 2; ++c) lo[c] = std::min(lo[c], p[c]), hi[c] = std::max(hi[c], p[c]);
  double span = std::max({hi[0] - lo[0], hi[1] - lo[1], 1e-300});
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : layout) {
    nlohmann::json xy = nlohmann::json::array();
    for (int c = 0; c < 2; ++c)
      xy.push_back(std::round((p[c] - lo[c] + (span - (hi[c] - lo[c])) / 2) / span * 1e4) / 1e4);
    out.push_back(std::move(xy));
  }
  return out;
}

void write_text_file(const std::string& path, const std::string& text, const char* op) {
  try {
    rt::write_file_atomically(path,
                              [&](int fd) { rt::write_all(fd, text.data(), text.size(), path); });
  } catch (const std::exception& e) {
    detail::fail(op, e.what());
  }
}

// The page: a canvas scatter drawn from the embedded JSON. Everything is inline and nothing
// is fetched, so the file works offline and from file://.
constexpr std::string_view kPageHead = R"page(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)page";

constexpr std::string_view kPageStyle = R"page(</title>
<style>
body { margin: 0; font: 14px system-ui, sans-serif; color: #222; background: #fff; }
header { display: flex; gap: 12px; align-items: center; padding: 8px 12px;
         border-bottom: 1px solid #ddd; flex-wrap: wrap; }
h1 { font-size: 16px; margin: 0 12px 0 0; }
button { padding: 4px 10px; border: 1px solid #999; background: #f4f4f4; cursor: pointer; }
button.active { background: #1f77b4; color: #fff; border-color: #1f77b4; }
button:disabled { opacity: 0.4; cursor: default; }
#search { padding: 4px 6px; width: 180px; }
#info { color: #555; }
main { display: flex; }
canvas { flex: 1; cursor: crosshair; }
aside { width: 220px; padding: 8px 12px; border-left: 1px solid #ddd; overflow: auto; }
aside ol { padding-left: 22px; margin: 4px 0; }
#tip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 2px 6px;
       border-radius: 3px; font-size: 13px; display: none; }
</style></head><body>
<header><h1>)page";

constexpr std::string_view kPageBody = R"page(</h1>
<button id="pca">PCA</button><button id="tsne">t-SNE</button>
<input id="search" type="search" placeholder="Search a word" autocomplete="off">
<span id="info"><span id="count"></span> words plotted</span>
</header>
<main><canvas id="map"></canvas>
<aside><b>Nearest neighbours</b><div id="neighbors">Click a word or search for one.</div></aside>
</main><div id="tip"></div>
<script id="data" type="application/json">)page";

constexpr std::string_view kPageScript = R"page(</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const canvas = document.getElementById("map");
const ctx = canvas.getContext("2d");
const tip = document.getElementById("tip");
const index = new Map(data.words.map((w, i) => [w.toLowerCase(), i]));
let layout = data.tsne.length ? "tsne" : "pca";
let selected = -1;
const LABELS = 150;  // the most frequent words get a permanent label; others on hover
const PAD = 24;

function size() {
  const ratio = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const height = Math.max(200, window.innerHeight - rect.top);
  canvas.style.height = height + "px";
  canvas.width = Math.max(1, Math.round(rect.width * ratio));
  canvas.height = Math.round(height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
}
function screen(i) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.width / ratio - 2 * PAD, h = canvas.height / ratio - 2 * PAD;
  const s = Math.min(w, h);
  const p = data[layout][i];
  return [PAD + (w - s) / 2 + p[0] * s, PAD + (h - s) / 2 + (1 - p[1]) * s];
}
function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const near = new Set(selected >= 0 ? data.neighbors[selected] : []);
  ctx.font = "11px system-ui, sans-serif";
  // Highlighted words last, so no plain dot covers them.
  const order = [...data.words.keys()].filter((i) => i !== selected && !near.has(i));
  order.push(...near);
  if (selected >= 0) order.push(selected);
  for (const i of order) {
    const [x, y] = screen(i);
    const on = i === selected || near.has(i);
    ctx.fillStyle = i === selected ? "#d62728" : on ? "#ff7f0e" :
                    selected >= 0 ? "rgba(31, 119, 180, 0.3)" : "#1f77b4";
    ctx.beginPath();
    ctx.arc(x, y, on ? 5 : 2.5, 0, 2 * Math.PI);
    ctx.fill();
    if (on || (selected < 0 && i < LABELS)) {
      ctx.fillStyle = on ? "#000" : "#555";
      ctx.fillText(data.words[i], x + 6, y - 4);
    }
  }
  document.getElementById("count").textContent = String(data.words.length);
}
function select(i) {
  selected = i;
  const panel = document.getElementById("neighbors");
  panel.textContent = "";
  if (i >= 0) {
    const head = document.createElement("div");
    head.textContent = data.words[i];
    head.style.fontWeight = "bold";
    const list = document.createElement("ol");
    for (const j of data.neighbors[i]) {
      const item = document.createElement("li");
      item.textContent = data.words[j];
      list.appendChild(item);
    }
    panel.append(head, list);
  }
  draw();
}
function search(text) {
  const i = index.get(text.trim().toLowerCase());
  document.getElementById("search").style.background =
      text.trim() && i === undefined ? "#fdd" : "";
  select(i === undefined ? -1 : i);
}
function nearest(event) {
  const rect = canvas.getBoundingClientRect();
  const mx = event.clientX - rect.left, my = event.clientY - rect.top;
  let best = -1, bestDistance = 64;  // within 8 pixels
  for (let i = 0; i < data.words.length; i++) {
    const [x, y] = screen(i);
    const d = (x - mx) ** 2 + (y - my) ** 2;
    if (d < bestDistance) { best = i; bestDistance = d; }
  }
  return best;
}
function show(which) {
  layout = which;
  document.getElementById("pca").classList.toggle("active", which === "pca");
  document.getElementById("tsne").classList.toggle("active", which === "tsne");
  draw();
}
canvas.addEventListener("mousemove", (event) => {
  const i = nearest(event);
  tip.style.display = i >= 0 ? "block" : "none";
  if (i >= 0) {
    tip.textContent = data.words[i];
    tip.style.left = (event.clientX + 12) + "px";
    tip.style.top = (event.clientY + 12) + "px";
  }
});
canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
canvas.addEventListener("click", (event) => select(nearest(event)));
document.getElementById("search").addEventListener("input", (e) => search(e.target.value));
document.getElementById("pca").addEventListener("click", () => show("pca"));
document.getElementById("tsne").addEventListener("click", () => show("tsne"));
document.getElementById("tsne").disabled = !data.tsne.length;
window.addEventListener("resize", () => { size(); draw(); });
size();
show(layout);
// "#word" in the address opens the page with that word searched (links, screenshot tests).
if (location.hash.length > 1) {
  const word = decodeURIComponent(location.hash.slice(1));
  document.getElementById("search").value = word;
  search(word);
}
</script>
</body></html>
)page";

}  // namespace

EmbeddingMap map_embeddings(const Tensor& vectors, std::vector<std::string> words,
                            const MapOptions& options, const Loc& loc) {
  detail::ApiScope scope("map_embeddings", loc);
  const char* op = "map_embeddings";
  Rows rows = checked_rows(vectors, op);
  if (static_cast<int64_t>(words.size()) != rows.n)
    detail::fail(op, "vectors has " + std::to_string(rows.n) + " rows but there are " +
                         std::to_string(words.size()) + " words");
  if (rows.n < 2) detail::fail(op, "need at least 2 words to map, got " + std::to_string(rows.n));
  if (options.tsne) {
    if (!(options.perplexity > 0 && options.perplexity < static_cast<double>(rows.n - 1)))
      detail::fail(op, "perplexity " + std::to_string(options.perplexity) + " is not in (0, " +
                           std::to_string(rows.n - 1) + ") for " + std::to_string(rows.n) +
                           " words");
    if (options.tsne_iterations < 1)
      detail::fail(
          op, "tsne_iterations must be positive, got " + std::to_string(options.tsne_iterations));
  }
  EmbeddingMap map;
  map.words = std::move(words);
  map.pca = pca_layout(rows);
  if (options.tsne) map.tsne = tsne_layout(rows, options);
  return map;
}

std::vector<std::vector<int32_t>> nearest_neighbors(const Tensor& vectors, int k, const Loc& loc) {
  detail::ApiScope scope("nearest_neighbors", loc);
  if (k < 0) detail::fail("nearest_neighbors", "k must be >= 0, got " + std::to_string(k));
  return cosine_neighbors(checked_rows(vectors, "nearest_neighbors"), k);
}

void write_embedding_html(const std::string& path, const EmbeddingMap& map, const Tensor& vectors,
                          const HtmlOptions& options, const Loc& loc) {
  detail::ApiScope scope("write_embedding_html", loc);
  const char* op = "write_embedding_html";
  Rows rows = checked_rows(vectors, op);
  if (rows.n != static_cast<int64_t>(map.words.size()) || map.pca.size() != map.words.size() ||
      (!map.tsne.empty() && map.tsne.size() != map.words.size()))
    detail::fail(op, "the map has " + std::to_string(map.words.size()) + " words, " +
                         std::to_string(map.pca.size()) + " PCA and " +
                         std::to_string(map.tsne.size()) + " t-SNE points, and vectors has " +
                         std::to_string(rows.n) + " rows; they must agree");
  if (options.neighbors < 0)
    detail::fail(op, "neighbors must be >= 0, got " + std::to_string(options.neighbors));
  nlohmann::json data = {
      {"words", map.words},
      {"pca", unit_square(map.pca)},
      {"tsne", map.tsne.empty() ? nlohmann::json::array() : unit_square(map.tsne)},
      {"neighbors", cosine_neighbors(rows, options.neighbors)}};
  // Invalid UTF-8 in a word becomes U+FFFD rather than an exception: the page still works.
  std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // "</" inside a string would end the <script> element early; "<\/" is the same JSON string.
  for (size_t at = 0; (at = json.find("</", at)) != std::string::npos; at += 3)
    json.replace(at, 2, "<\\/");
  std::string title = xml_escape(options.title);
  std::string page;
  page.reserve(json.size() + 8192);
  page.append(kPageHead).append(title).append(kPageStyle).append(title).append(kPageBody);
  page.append(json).append(kPageScript);
  write_text_file(path, page, op);
}

void write_embedding_svg(const std::string& path, const EmbeddingMap& map, MapLayout which,
                         const Loc& loc) {
  detail::ApiScope scope("write_embedding_svg", loc);
  const auto& layout = which == MapLayout::kPca ? map.pca : map.tsne;
  if (layout.size() != map.words.size())
    detail::fail("write_embedding_svg",
                 std::string("the map has ") + std::to_string(map.words.size()) + " words but " +
                     std::to_string(layout.size()) +
                     (which == MapLayout::kPca ? " PCA" : " t-SNE") + " points");
  std::vector<double> xs, ys;
  for (const auto& p : layout) xs.push_back(p[0]), ys.push_back(p[1]);
  Plot plot(1000, 800);
  plot.title(which == MapLayout::kPca ? "Word embedding: PCA" : "Word embedding: t-SNE")
      .xlabel(which == MapLayout::kPca ? "principal component 1" : "t-SNE 1")
      .ylabel(which == MapLayout::kPca ? "principal component 2" : "t-SNE 2")
      .scatter(std::move(xs), std::move(ys), "", "#1f77b4", map.words);
  plot.save(path);
}

}  // namespace kiln::viz
