// Dense and sparse (IndexedSlices) gradients and how they add up.
#include "kiln/autodiff/gradient.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <ostream>

#include "kiln/kernels/layout.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/math.h"
#include "kiln/ops/shape_ops.h"

namespace kiln {

Tensor IndexedSlices::to_dense(const Loc& loc) const {
  detail::ApiScope scope("IndexedSlices::to_dense", loc);
  return scatter_add(zeros(dense_shape, values.dtype()), indices, values);
}

IndexedSlices IndexedSlices::coalesce(const Loc& loc) const {
  detail::ApiScope scope("IndexedSlices::coalesce", loc);
  int64_t n = indices.numel();
  std::vector<int64_t> idx(n);
  for (int64_t i = 0; i < n; ++i) idx[i] = kernels::index_at(indices, i);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return idx[a] < idx[b]; });
  std::vector<int64_t> uniq;
  std::vector<int64_t> slot(n);
  for (int64_t k = 0; k < n; ++k) {
    if (uniq.empty() || uniq.back() != idx[order[k]]) uniq.push_back(idx[order[k]]);
    slot[order[k]] = static_cast<int64_t>(uniq.size()) - 1;
  }
  std::vector<int64_t> vshape = dense_shape.vec();
  vshape[0] = static_cast<int64_t>(uniq.size());
  Tensor vals = zeros(Shape(vshape), values.dtype());
  Tensor uidx = constant(uniq);
  // Sum rows into their unique slot with the scatter kernel (duplicates accumulate).
  Tensor slots = constant(slot);
  kernels::scatter_accumulate(vals, slots, values, +1);
  return IndexedSlices{indices.dtype() == i64 ? uidx : cast(uidx, indices.dtype()), vals,
                       dense_shape};
}

const IndexedSlices& Gradient::slices() const {
  if (!sparse_) detail::fail("Gradient::slices", "this gradient is dense");
  return slices_;
}

Tensor Gradient::to_dense(const Loc& loc) const {
  if (!defined()) {
    detail::ApiScope scope("Gradient::to_dense", loc);
    detail::fail("Gradient::to_dense",
                 "the gradient is undefined: the target does not depend on this source");
  }
  return sparse_ ? slices_.to_dense(loc) : dense_;
}

std::ostream& operator<<(std::ostream& os, const Gradient& g) {
  if (!g.defined()) return os << "None";
  if (!g.is_sparse()) return os << g.to_dense();
  const IndexedSlices& s = g.slices();
  return os << "kiln.IndexedSlices(indices=" << s.indices.values_str()
            << ", values=" << s.values.values_str() << ", dense_shape=" << s.dense_shape.str()
            << ")";
}

Gradient accumulate(const Gradient& a, const Gradient& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  if (a.is_sparse() && b.is_sparse()) {
    const IndexedSlices& x = a.slices();
    const IndexedSlices& y = b.slices();
    Tensor xi = x.indices, yi = y.indices;
    if (xi.dtype() != yi.dtype()) xi = cast(xi, i64), yi = cast(yi, i64);
    return IndexedSlices{concat({xi, yi}, 0), concat({x.values, y.values}, 0), x.dense_shape};
  }
  if (a.is_sparse()) return scatter_add(b.to_dense(), a.slices().indices, a.slices().values);
  if (b.is_sparse()) return scatter_add(a.to_dense(), b.slices().indices, b.slices().values);
  return add(a.to_dense(), b.to_dense());
}

}  // namespace kiln
