// Dense: construction (Glorot-uniform kernel, zero bias) and the forward pass.
#include "kiln/nn/dense.h"

#include "kiln/nn/init.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/math.h"

namespace kiln::nn {

Dense::Dense(int64_t in, int64_t out, DenseOptions options, const Loc& loc)
    : Module(options.name_, loc), in_(in), out_(out), activation_(std::move(options.activation_)) {
  kiln::detail::ApiScope api("Dense", loc);
  if (in <= 0 || out <= 0)
    kiln::detail::fail("Dense", "in and out must be positive, got in = " + std::to_string(in) +
                                    ", out = " + std::to_string(out));
  if (!is_floating(options.dtype_))
    kiln::detail::fail("Dense",
                       "dtype must be floating, got " + std::string(dtype_name(options.dtype_)));
  Generator own(options.seed_);
  Generator& gen = options.generator_ ? *options.generator_ : own;
  kernel_ = register_variable("kernel", glorot_uniform({in, out}, gen, options.dtype_));
  if (options.bias_) bias_ = register_variable("bias", zeros({out}, options.dtype_));
}

Tensor Dense::forward(const Tensor& x, const Loc& loc) const {
  kiln::detail::ApiScope api("Dense", loc);
  if (!x.defined()) kiln::detail::fail("Dense", "input to '" + scope() + "' is undefined");
  if (x.rank() < 2 || x.dim(-1) != in_)
    kiln::detail::fail("Dense", "'" + scope() + "' takes inputs of shape (..., " +
                                    std::to_string(in_) + ") with rank >= 2, got " +
                                    x.shape().str());
  if (x.dtype() != kernel_.dtype())
    kiln::detail::fail("Dense", "'" + scope() + "' has dtype " +
                                    std::string(dtype_name(kernel_.dtype())) +
                                    ", the input has dtype " + std::string(dtype_name(x.dtype())));
  Tensor y = matmul(x, kernel_);
  if (bias_.defined()) y = y + bias_;
  return activation_ ? activation_(y) : y;
}

}  // namespace kiln::nn
