// kiln::nn::Embedding: a [vocab_size, dim] matrix of trainable rows looked up by id, as
// tf.keras.layers.Embedding. Its gradient is sparse (IndexedSlices of the rows looked up),
// so optimizers touch only those rows.
//
//   auto embed = Embedding(/*vocab_size=*/50000, /*dim=*/128, EmbeddingOptions().uniform(0, 1));
#pragma once

#include <cstdint>
#include <string>

#include "kiln/nn/module.h"
#include "kiln/random.h"

namespace kiln::nn {

struct EmbeddingOptions {
  // Initial rows ~ U[minval, maxval); the default U[-1, 1) is the TensorFlow word2vec
  // tutorial's (CS 20 uses U[0, 1)).
  EmbeddingOptions& uniform(double minval, double maxval) {
    minval_ = minval, maxval_ = maxval;
    return *this;
  }
  // Rows are drawn from `gen` (which advances), else from Generator(seed).
  EmbeddingOptions& generator(Generator& gen) {
    generator_ = &gen;
    return *this;
  }
  EmbeddingOptions& seed(uint64_t s) {
    seed_ = s;
    return *this;
  }
  EmbeddingOptions& dtype(DType d) {
    dtype_ = d;
    return *this;
  }
  EmbeddingOptions& name(std::string n) {
    name_ = std::move(n);
    return *this;
  }

  double minval_ = -1, maxval_ = 1;
  Generator* generator_ = nullptr;
  uint64_t seed_ = 0;
  DType dtype_ = f32;
  std::string name_ = "embedding";
};

class Embedding : public Module {
 public:
  Embedding(int64_t vocab_size, int64_t dim, EmbeddingOptions options = {},
            const Loc& loc = Loc::current());

  // ids (int32/int64, any shape, each in [0, vocab_size)) -> ids.shape + (dim,).
  Tensor forward(const Tensor& ids, const Loc& loc = Loc::current()) const;
  Tensor operator()(const Tensor& ids, const Loc& loc = Loc::current()) const {
    return forward(ids, loc);
  }

  Variable embeddings() const { return embeddings_; }  // "<scope>/embeddings"
  int64_t vocab_size() const { return vocab_size_; }
  int64_t dim() const { return dim_; }

 private:
  int64_t vocab_size_, dim_;
  Variable embeddings_;
};

}  // namespace kiln::nn
