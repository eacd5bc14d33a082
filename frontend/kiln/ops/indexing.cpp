// gather / scatter_add primitives (gather's gradient is sparse) and one_hot.
#include "kiln/ops/indexing.h"

#include "kiln/autodiff/tape.h"
#include "kiln/kernels/layout.h"
#include "kiln/ops/math.h"
#include "kiln/ops/shape_ops.h"
#include "kiln/tracing.h"

namespace kiln {
namespace {

using Grads = std::vector<Gradient>;

void check_indices(const char* op, const Tensor& indices, int64_t rows) {
  if (!indices.defined()) detail::fail(op, "indices are an undefined tensor");
  if (indices.dtype() != i32 && indices.dtype() != i64)
    detail::fail(op, "indices must be int32 or int64, got " +
                         std::string(dtype_name(indices.dtype())));
  if (indices.is_symbolic()) return;  // checked at run time by compiled code
  int64_t bad = kernels::first_out_of_range(indices, rows);
  if (bad >= 0)
    detail::fail(op, "indices[" + std::to_string(bad) + "] = " +
                         std::to_string(kernels::index_at(indices, bad)) + " is not in [0, " +
                         std::to_string(rows) + ")");
}

}  // namespace

Tensor gather(const Tensor& params, const Tensor& indices, const Loc& loc) {
  detail::ApiScope scope("gather", loc);
  if (!params.defined()) detail::fail("gather", "params is an undefined tensor");
  if (params.rank() == 0) detail::fail("gather", "params must have rank >= 1, got a scalar");
  check_indices("gather", indices, params.shape()[0]);
  if (indices.rank() + params.rank() - 1 > kMaxRank)
    detail::fail("gather", "result rank exceeds " + std::to_string(kMaxRank));
  Tensor y;
  if (detail::any_symbolic({&params, &indices})) {
    Shape os = indices.shape();
    for (int i = 1; i < params.rank(); ++i) os.push_back(params.shape()[i]);
    y = detail::emit_op("kiln.gather", {params, indices}, {}, os, params.dtype());
  } else {
    y = kernels::gather(params, indices);
  }
  if (detail::tapes_active() && is_floating(params.dtype())) {
    detail::record_op("gather", {&params, &indices}, y,
                      [indices, ps = params.shape()](const Tensor& dy) -> Grads {
                        std::vector<int64_t> rows = ps.vec();
                        rows[0] = indices.numel();
                        IndexedSlices s{reshape(indices, Shape{indices.numel()}),
                                        reshape(dy, Shape(rows)), ps};
                        return {Gradient(std::move(s)), Gradient()};
                      });
  }
  return y;
}

Tensor embedding_lookup(const Tensor& params, const Tensor& ids, const Loc& loc) {
  detail::ApiScope scope("embedding_lookup", loc);
  return gather(params, ids);
}

Tensor scatter_add(const Tensor& x, const Tensor& indices, const Tensor& updates, const Loc& loc) {
  detail::ApiScope scope("scatter_add", loc);
  if (!x.defined() || !updates.defined())
    detail::fail("scatter_add", "an operand is an undefined tensor");
  if (x.rank() == 0) detail::fail("scatter_add", "the target must have rank >= 1");
  if (x.dtype() == boolean) detail::fail("scatter_add", "not defined for bool tensors");
  check_indices("scatter_add", indices, x.shape()[0]);
  if (updates.dtype() != x.dtype())
    detail::fail("scatter_add", "updates have dtype " + std::string(dtype_name(updates.dtype())) +
                                    ", the target has " + std::string(dtype_name(x.dtype())));
  Shape want = indices.shape();
  for (int i = 1; i < x.rank(); ++i) want.push_back(x.shape()[i]);
  if (!(updates.shape() == want))
    detail::fail("scatter_add", "updates have shape " + updates.shape().str() + ", expected " +
                                    want.str() + " (indices shape + target shape[1:])");
  Tensor y = detail::any_symbolic({&x, &indices, &updates})
                 ? detail::emit_op("kiln.scatter_add", {x, indices, updates}, {}, x.shape(),
                                   x.dtype())
                 : kernels::scatter_add(x, indices, updates);
  if (detail::tapes_active() && is_floating(x.dtype())) {
    detail::record_op("scatter_add", {&x, &indices, &updates}, y,
                      [indices](const Tensor& dy) -> Grads {
                        return {dy, Gradient(), gather(dy, indices)};
                      });
  }
  return y;
}

Tensor one_hot(const Tensor& indices, int64_t depth, double on_value, double off_value,
               DType dtype, const Loc& loc) {
  detail::ApiScope scope("one_hot", loc);
  if (!indices.defined() || (indices.dtype() != i32 && indices.dtype() != i64))
    detail::fail("one_hot", "indices must be an int32 or int64 tensor");
  if (depth < 0) detail::fail("one_hot", "depth must be >= 0, got " + std::to_string(depth));
  // Out-of-range indices give all-off rows, as in tf.one_hot.
  Tensor hit = equal(expand_dims(indices, -1), arange(depth, indices.dtype()));
  return where(hit, fill({}, on_value, dtype), fill({}, off_value, dtype));
}

}  // namespace kiln
