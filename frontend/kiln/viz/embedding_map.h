// kiln::viz embedding maps: 2-D layouts of word vectors (PCA and t-SNE), written as one
// self-contained interactive HTML page (no network) and as a static SVG.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kiln/error.h"
#include "kiln/tensor.h"

namespace kiln::viz {

// How map_embeddings lays the words out.
struct MapOptions {
  double perplexity = 30;  // t-SNE's effective number of neighbours per point
  int tsne_iterations = 500;
  uint64_t seed = 0;  // t-SNE's initial layout; the same seed gives the same map
  bool tsne = true;   // false leaves `tsne` empty (PCA only, for quick looks at large N)

  MapOptions& set_perplexity(double v) {
    perplexity = v;
    return *this;
  }
  MapOptions& set_tsne_iterations(int v) {
    tsne_iterations = v;
    return *this;
  }
  MapOptions& set_seed(uint64_t v) {
    seed = v;
    return *this;
  }
  MapOptions& set_tsne(bool v) {
    tsne = v;
    return *this;
  }
};

// One 2-D position per word, in both layouts (row i of each belongs to words[i]).
struct EmbeddingMap {
  std::vector<std::string> words;
  std::vector<std::array<double, 2>> pca, tsne;
};

// Lays out the rows of `vectors` (f32[N, D], one row per word, N == words.size()):
// `pca` projects the centred vectors on the two leading principal axes (the sign of each
// axis is chosen so its largest-magnitude coordinate is positive, to be deterministic);
// `tsne` is exact t-SNE (O(N²) per iteration: meant for N up to a few thousand words).
// Errors: wrong rank or dtype, N != words.size(), N < 2, non-finite values, perplexity not
// in (0, N-1).
EmbeddingMap map_embeddings(const Tensor& vectors, std::vector<std::string> words,
                            const MapOptions& options = {}, const Loc& loc = Loc::current());

// The k nearest rows of each row by cosine similarity (itself excluded), best first; rows
// of zero length have no neighbours. What the HTML page highlights on a click.
std::vector<std::vector<int32_t>> nearest_neighbors(const Tensor& vectors, int k,
                                                    const Loc& loc = Loc::current());

// Which layout a static picture shows.
enum class MapLayout { kPca, kTsne };

struct HtmlOptions {
  std::string title = "Word embedding";
  int neighbors = 10;  // k nearest neighbours highlighted when a word is clicked

  HtmlOptions& set_title(std::string v) {
    title = std::move(v);
    return *this;
  }
  HtmlOptions& set_neighbors(int v) {
    neighbors = v;
    return *this;
  }
};

// One HTML file with inline CSS and JavaScript and no external references: a canvas
// scatter of the words with labels, a PCA/t-SNE toggle, hover labels, a search box that
// highlights a word, and click-to-highlight of the word's nearest neighbours (computed
// here from `vectors` and embedded as JSON, so the page does no vector math). The page
// writes the number of plotted points into the element with id "count". Written atomically
// (temporary file, then rename); a missing directory is an error naming it.
void write_embedding_html(const std::string& path, const EmbeddingMap& map, const Tensor& vectors,
                          const HtmlOptions& options = {}, const Loc& loc = Loc::current());

// A static SVG scatter of the chosen layout with each point labelled by its word
// (drawn with kiln::viz::Plot).
void write_embedding_svg(const std::string& path, const EmbeddingMap& map, MapLayout which,
                         const Loc& loc = Loc::current());

}  // namespace kiln::viz
