// kiln::nn::Dense: a fully connected layer, y = activation(x @ kernel + bias), as
// tf.keras.layers.Dense. The kernel is [in, out], Glorot-uniform; the bias starts at zero.
//
//   auto layer = Dense(/*in=*/3, /*out=*/1, DenseOptions().bias(true).generator(gen));
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kiln/nn/module.h"
#include "kiln/random.h"

namespace kiln::nn {

struct DenseOptions {
  using Activation = std::function<Tensor(const Tensor&)>;

  DenseOptions& bias(bool b) {
    bias_ = b;
    return *this;
  }
  // Any callable Tensor(const Tensor&), or an op such as kiln::relu directly.
  DenseOptions& activation(Activation f) {
    activation_ = std::move(f);
    return *this;
  }
  DenseOptions& activation(Tensor (*op)(const Tensor&, const Loc&)) {
    activation_ = [op](const Tensor& x) { return op(x, Loc::current()); };
    return *this;
  }
  // The kernel is drawn from `gen` (which advances), else from Generator(seed).
  DenseOptions& generator(Generator& gen) {
    generator_ = &gen;
    return *this;
  }
  DenseOptions& seed(uint64_t s) {
    seed_ = s;
    return *this;
  }
  DenseOptions& dtype(DType d) {
    dtype_ = d;
    return *this;
  }
  DenseOptions& name(std::string n) {
    name_ = std::move(n);
    return *this;
  }

  bool bias_ = true;
  Activation activation_;
  Generator* generator_ = nullptr;
  uint64_t seed_ = 0;
  DType dtype_ = f32;
  std::string name_ = "dense";
};

class Dense : public Module {
 public:
  Dense(int64_t in, int64_t out, DenseOptions options = {}, const Loc& loc = Loc::current());

  // x: [..., in] -> [..., out]; x needs rank >= 2 (reshape a single example to [1, in]).
  Tensor forward(const Tensor& x, const Loc& loc = Loc::current()) const;
  Tensor operator()(const Tensor& x, const Loc& loc = Loc::current()) const {
    return forward(x, loc);
  }

  Variable kernel() const { return kernel_; }  // "<scope>/kernel", [in, out]
  Variable bias() const { return bias_; }      // "<scope>/bias", [out]; undefined if none
  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }

 private:
  int64_t in_, out_;
  DenseOptions::Activation activation_;
  Variable kernel_, bias_;
};

}  // namespace kiln::nn
