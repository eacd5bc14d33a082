// The word2vec and projector file formats, each written atomically.
#include "word2vec_eval/export.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <filesystem>

#include "kiln/viz/embedding_map.h"
#include "runtime/src/file_util.h"
#include "runtime/src/status.h"

namespace word2vec {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the word2vec binary format stores little-endian floats; add a byte swap here");

// Builds the whole file in memory and hands it to the runtime's atomic writer; the largest
// export (50,000 x 128 as text) is ~60 MB, small beside the model itself.
void write_atomically(const std::string& path, const std::string& bytes) {
  try {
    kiln::rt::write_file_atomically(
        path, [&](int fd) { kiln::rt::write_all(fd, bytes.data(), bytes.size(), path); });
  } catch (const kiln::rt::Error& e) {
    throw InputError(e.what());
  }
}

void append_float(std::string& out, float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

int64_t rows_to_write(const Embeddings& e, int64_t limit) { return std::min(limit, e.rows()); }

std::string header(int64_t rows, int64_t dim) {
  return std::to_string(rows) + " " + std::to_string(dim) + "\n";
}

}  // namespace

void export_word2vec_text(const Embeddings& embeddings, const std::string& path, int64_t limit) {
  const int64_t rows = rows_to_write(embeddings, limit);
  std::string out = header(rows, embeddings.dim);
  for (int64_t r = 0; r < rows; ++r) {
    out += embeddings.words[static_cast<size_t>(r)];
    const float* v = embeddings.row(r);
    for (int64_t j = 0; j < embeddings.dim; ++j) {
      out += ' ';
      append_float(out, v[j]);
    }
    out += '\n';
  }
  write_atomically(path, out);
}

void export_word2vec_binary(const Embeddings& embeddings, const std::string& path, int64_t limit) {
  const int64_t rows = rows_to_write(embeddings, limit);
  std::string out = header(rows, embeddings.dim);
  const size_t row_bytes = static_cast<size_t>(embeddings.dim) * sizeof(float);
  for (int64_t r = 0; r < rows; ++r) {
    out += embeddings.words[static_cast<size_t>(r)];
    out += ' ';
    out.append(reinterpret_cast<const char*>(embeddings.row(r)), row_bytes);
    out += '\n';
  }
  write_atomically(path, out);
}

std::vector<std::string> export_projector(const Embeddings& embeddings, const std::string& dir,
                                          int64_t limit) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("cannot create directory '" + dir + "': " + ec.message());
  const int64_t rows = rows_to_write(embeddings, limit);
  std::string vectors, metadata;
  for (int64_t r = 0; r < rows; ++r) {
    const float* v = embeddings.row(r);
    for (int64_t j = 0; j < embeddings.dim; ++j) {
      if (j) vectors += '\t';
      append_float(vectors, v[j]);
    }
    vectors += '\n';
    metadata += embeddings.words[static_cast<size_t>(r)];
    metadata += '\n';
  }
  const std::string config =
      "embeddings {\n"
      "  tensor_name: \"embed_matrix\"\n"
      "  tensor_path: \"vectors.tsv\"\n"
      "  metadata_path: \"metadata.tsv\"\n"
      "}\n";
  const std::filesystem::path base(dir);
  std::vector<std::string> written = {(base / "vectors.tsv").string(),
                                      (base / "metadata.tsv").string(),
                                      (base / "projector_config.pbtxt").string()};
  write_atomically(written[0], vectors);
  write_atomically(written[1], metadata);
  write_atomically(written[2], config);
  return written;
}

std::string export_html(const Embeddings& embeddings, const std::string& path, int64_t limit) {
  const int64_t rows = std::min(limit, embeddings.rows());
  kiln::Tensor vectors = kiln::Tensor::empty(kiln::Shape{rows, embeddings.dim}, kiln::f32);
  std::copy(embeddings.vectors.begin(), embeddings.vectors.begin() + rows * embeddings.dim,
            vectors.mutable_data<float>());
  std::vector<std::string> words(embeddings.words.begin(), embeddings.words.begin() + rows);
  // t-SNE's perplexity (30) must stay below the number of other points: small maps use less.
  kiln::viz::MapOptions map_options;
  map_options.perplexity = std::min(30.0, std::max(1.0, static_cast<double>(rows - 1) / 3));
  kiln::viz::EmbeddingMap map = kiln::viz::map_embeddings(vectors, std::move(words), map_options);
  kiln::viz::HtmlOptions options;
  options.title = "word2vec: the first " + std::to_string(rows) + " words of " +
                  embeddings.checkpoint;
  kiln::viz::write_embedding_html(path, map, vectors, options);
  std::string svg = std::filesystem::path(path).replace_extension(".svg").string();
  kiln::viz::write_embedding_svg(svg, map, kiln::viz::MapLayout::kTsne);
  return svg;
}

}  // namespace word2vec
