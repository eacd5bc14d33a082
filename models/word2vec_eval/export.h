// Writing a run's vectors for other tools: the original word2vec tool's text and binary
// formats (read by gensim's KeyedVectors.load_word2vec_format and most NLP libraries), and
// the files of TensorBoard's embedding projector, as the CS20 lecture exports them. Every file
// is replaced atomically (temporary file, fsync, rename): a reader sees the old file or the new
// one. Failures throw InputError naming the path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "word2vec_eval/embeddings.h"

namespace word2vec {

// "V D\n", then per word "word v1 ... vD\n", each value the shortest text that reads back
// as the same float. The first `limit` words (all when limit exceeds the vocabulary).
void export_word2vec_text(const Embeddings& embeddings, const std::string& path, int64_t limit);

// "V D\n", then per word "word " + D little-endian float32 + "\n", as word2vec.c writes with
// -binary 1.
void export_word2vec_binary(const Embeddings& embeddings, const std::string& path, int64_t limit);

// The directory `dir` (created if missing) with vectors.tsv (one row of D tab-separated
// values per word), metadata.tsv (one word per line; a single column has no header) and
// projector_config.pbtxt pointing the projector at both. Returns the paths written.
std::vector<std::string> export_projector(const Embeddings& embeddings, const std::string& dir,
                                          int64_t limit);

// The first `limit` words as a 2-D map (kiln::viz::map_embeddings: PCA and t-SNE): a
// self-contained HTML page at `path` (hover labels, search, nearest neighbours on click) and
// the t-SNE layout as an SVG beside it (`path` with its extension replaced by .svg).
// Returns the SVG's path.
std::string export_html(const Embeddings& embeddings, const std::string& path, int64_t limit);

}  // namespace word2vec
