// Embedding: construction (uniform rows) and lookup.
#include "kiln/nn/embedding.h"

#include "kiln/ops/indexing.h"

namespace kiln::nn {

Embedding::Embedding(int64_t vocab_size, int64_t dim, EmbeddingOptions options, const Loc& loc)
    : Module(options.name_, loc), vocab_size_(vocab_size), dim_(dim) {
  kiln::detail::ApiScope api("Embedding", loc);
  if (vocab_size <= 0 || dim <= 0)
    kiln::detail::fail("Embedding", "vocab_size and dim must be positive, got " +
                                        std::to_string(vocab_size) + " and " + std::to_string(dim));
  if (!is_floating(options.dtype_))
    kiln::detail::fail("Embedding",
                       "dtype must be floating, got " + std::string(dtype_name(options.dtype_)));
  Generator own(options.seed_);
  Generator& gen = options.generator_ ? *options.generator_ : own;
  embeddings_ = register_variable(
      "embeddings",
      random_uniform({vocab_size, dim}, gen, options.minval_, options.maxval_, options.dtype_));
}

Tensor Embedding::forward(const Tensor& ids, const Loc& loc) const {
  kiln::detail::ApiScope api("Embedding", loc);
  return embedding_lookup(embeddings_, ids);
}

}  // namespace kiln::nn
