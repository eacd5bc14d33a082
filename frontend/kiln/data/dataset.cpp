// Dataset iteration: per-epoch shuffle orders from splitmix64 and row copies into batches.
#include "kiln/data/dataset.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <span>
#include <string>
#include <utility>

namespace kiln::data {

struct Dataset::Spec {
  std::vector<Tensor> components;
  std::vector<size_t> row_bytes;  // bytes of one example, per component
  int64_t num_examples = 0;
  bool shuffled = false;
  uint64_t seed = 0;
  int64_t batch_size = 0;  // 0: not batched
  bool drop_remainder = false;
  bool repeat_set = false;
  int64_t repeat = 1;  // epochs; -1 forever
  int64_t first_epoch = 0;

  int64_t elements_per_epoch() const {
    if (batch_size == 0) return num_examples;
    return drop_remainder ? num_examples / batch_size
                          : (num_examples + batch_size - 1) / batch_size;
  }
};

namespace {

// splitmix64 (Steele, Lea and Flood 2014; Vigna's reference constants): one 64-bit output per
// call, fully defined by the state, so shuffles agree across machines and standard libraries.
uint64_t splitmix64_next(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in [0, bound) without modulo bias: reject the 2^64 mod bound smallest outputs.
uint64_t uniform_below(uint64_t& state, uint64_t bound) {
  uint64_t threshold = (0 - bound) % bound;
  while (true) {
    uint64_t r = splitmix64_next(state);
    if (r >= threshold) return r % bound;
  }
}

std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch) {
  uint64_t seed_state = seed;
  uint64_t state = splitmix64_next(seed_state) ^ static_cast<uint64_t>(epoch);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) {
    auto j = static_cast<int64_t>(uniform_below(state, static_cast<uint64_t>(i) + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

}  // namespace

Dataset Dataset::from_tensors(std::vector<Tensor> components, const Loc& loc) {
  detail::ApiScope scope("Dataset::from_tensors", loc);
  if (components.empty())
    detail::fail("from_tensors", "needs at least one tensor (the examples' components)");
  auto spec = std::make_shared<Spec>();
  for (size_t c = 0; c < components.size(); ++c) {
    const Tensor& t = components[c];
    std::string name = "tensor " + std::to_string(c);
    if (!t.defined()) detail::fail("from_tensors", name + " is undefined");
    if (t.rank() == 0)
      detail::fail("from_tensors", name +
                                       " is a scalar (shape ()); each tensor needs a first "
                                       "dimension indexing the examples");
    const Tensor& first = components[0];
    if (t.dim(0) != first.dim(0))
      detail::fail("from_tensors",
                   "tensors must have the same first dimension (the number of examples): tensor "
                   "0 has " +
                       std::to_string(first.dim(0)) + " (shape " + first.shape().str() + "), " +
                       name + " has " + std::to_string(t.dim(0)) + " (shape " + t.shape().str() +
                       ")");
    int64_t per_row = t.dim(0) == 0 ? 0 : t.numel() / t.dim(0);
    spec->row_bytes.push_back(static_cast<size_t>(per_row) * dtype_size(t.dtype()));
  }
  spec->num_examples = components[0].dim(0);
  spec->components = std::move(components);
  return Dataset(std::move(spec));
}

std::shared_ptr<Dataset::Spec> Dataset::copy_spec() const { return std::make_shared<Spec>(*spec_); }

Dataset Dataset::shuffle(uint64_t seed, const Loc& loc) const {
  detail::ApiScope scope("Dataset::shuffle", loc);
  if (spec_->shuffled) detail::fail("shuffle", "shuffle() was already called on this dataset");
  auto spec = copy_spec();
  spec->shuffled = true;
  spec->seed = seed;
  return Dataset(std::move(spec));
}

Dataset Dataset::batch(int64_t batch_size, bool drop_remainder, const Loc& loc) const {
  detail::ApiScope scope("Dataset::batch", loc);
  if (batch_size <= 0)
    detail::fail("batch", "batch_size must be positive, got " + std::to_string(batch_size));
  if (spec_->batch_size != 0)
    detail::fail("batch", "batch() was already called on this dataset (batch size " +
                              std::to_string(spec_->batch_size) + ")");
  auto spec = copy_spec();
  spec->batch_size = batch_size;
  spec->drop_remainder = drop_remainder;
  return Dataset(std::move(spec));
}

Dataset Dataset::repeat(int64_t count, const Loc& loc) const {
  detail::ApiScope scope("Dataset::repeat", loc);
  if (count < -1)
    detail::fail("repeat",
                 "count must be -1 (forever) or at least 0, got " + std::to_string(count));
  if (spec_->repeat_set) detail::fail("repeat", "repeat() was already called on this dataset");
  auto spec = copy_spec();
  spec->repeat_set = true;
  spec->repeat = count;
  return Dataset(std::move(spec));
}

Dataset Dataset::epoch(int64_t first_epoch, const Loc& loc) const {
  detail::ApiScope scope("Dataset::epoch", loc);
  if (first_epoch < 0)
    detail::fail("epoch", "the epoch must be at least 0, got " + std::to_string(first_epoch));
  auto spec = copy_spec();
  spec->first_epoch = first_epoch;
  return Dataset(std::move(spec));
}

int64_t Dataset::num_examples() const { return spec_->num_examples; }
int64_t Dataset::num_components() const { return static_cast<int64_t>(spec_->components.size()); }
int64_t Dataset::elements_per_epoch() const { return spec_->elements_per_epoch(); }

int64_t Dataset::cardinality() const {
  int64_t per_epoch = spec_->elements_per_epoch();
  if (spec_->repeat == -1) return per_epoch == 0 ? 0 : -1;
  return per_epoch * spec_->repeat;
}

Dataset::iterator Dataset::begin() const { return iterator(spec_); }

// ---------------------------------------------------------------------------

Dataset::iterator::iterator(std::shared_ptr<const Spec> spec)
    : spec_(std::move(spec)), epoch_(spec_->first_epoch) {
  if (spec_->repeat == 0 || spec_->elements_per_epoch() == 0) {
    spec_.reset();  // nothing to yield; without this, repeat(-1) would spin forever
    return;
  }
  start_epoch();
  load_element();
}

void Dataset::iterator::start_epoch() {
  if (spec_->shuffled) order_ = epoch_order(spec_->num_examples, spec_->seed, epoch_);
}

void Dataset::iterator::load_element() {
  const Spec& s = *spec_;
  int64_t per = s.batch_size == 0 ? 1 : s.batch_size;
  int64_t first = element_index_ * per;
  int64_t count = std::min(per, s.num_examples - first);
  element_.resize(s.components.size());
  for (size_t c = 0; c < s.components.size(); ++c) {
    const Tensor& src = s.components[c];
    Shape shape;
    if (s.batch_size != 0) shape.push_back(count);
    for (int i = 1; i < src.rank(); ++i) shape.push_back(src.dim(i));
    Tensor t = Tensor::empty(shape, src.dtype());
    size_t rb = s.row_bytes[c];
    auto* dst = static_cast<char*>(t.raw());
    const auto* from = static_cast<const char*>(src.raw());
    if (order_.empty()) {
      std::memcpy(dst, from + static_cast<size_t>(first) * rb, static_cast<size_t>(count) * rb);
    } else {
      for (int64_t k = 0; k < count; ++k)
        std::memcpy(dst + static_cast<size_t>(k) * rb,
                    from + static_cast<size_t>(order_[static_cast<size_t>(first + k)]) * rb, rb);
    }
    element_[c] = std::move(t);
  }
}

Dataset::iterator& Dataset::iterator::operator++() {
  if (!spec_) return *this;
  if (++element_index_ == spec_->elements_per_epoch()) {
    element_index_ = 0;
    ++epoch_;
    ++epochs_done_;
    if (spec_->repeat != -1 && epochs_done_ >= spec_->repeat) {
      spec_.reset();
      order_.clear();
      element_.clear();
      return *this;
    }
    start_epoch();
  }
  load_element();
  return *this;
}

bool Dataset::iterator::operator==(const iterator& o) const {
  if (!spec_ || !o.spec_) return !spec_ && !o.spec_;
  return spec_ == o.spec_ && epoch_ == o.epoch_ && element_index_ == o.element_index_;
}

}  // namespace kiln::data
