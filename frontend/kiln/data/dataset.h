// kiln::data::Dataset: examples from in-memory tensors, shuffled, batched and repeated as in
// tf.data, with a shuffle order that depends only on (seed, epoch) on every machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "kiln/error.h"
#include "kiln/tensor.h"

namespace kiln::data {

// A Dataset is an immutable description; each call returns a new one. Iteration yields one
// std::vector<Tensor> per element, one tensor per component:
//
//   auto ds = Dataset::from_tensors({x, y}).shuffle(/*seed=*/7).batch(32).repeat(10);
//   for (const std::vector<Tensor>& b : ds) train_step(b[0], b[1]);
//
// An epoch visits every example exactly once: in order, or in a shuffled order if shuffle()
// was called (a full uniform shuffle, like tf.data's shuffle with a buffer as large as the
// data), grouped into batches if batch() was called. Batches never span epochs. repeat(n)
// runs n epochs, each with its own order. Unlike tf.data the call order does not matter:
// the pipeline is always shuffle, then batch, then repeat, and each step may be set once.
//
// Elements are fresh tensors (copies): without batch() a component of shape (n, d...) yields
// shape (d...); with batch(b) it yields (b, d...) and the last batch of an epoch may be
// smaller unless drop_remainder is set. Iterating again starts again at epoch 0 with the same
// orders; epoch(e) starts elsewhere, for loops that count epochs themselves:
//
//   for (int e = 0; e < 100; ++e)
//     for (const auto& b : ds.epoch(e)) ...
class Dataset {
  struct Spec;

 public:
  // Examples are the slices of the tensors along their first dimension, which must be equal.
  static Dataset from_tensors(std::vector<Tensor> components, const Loc& loc = Loc::current());

  // Shuffles every epoch. Epoch e's order is a Fisher-Yates shuffle (i from n-1 down to 1,
  // swap i with j uniform in [0, i]) driven by a splitmix64 generator whose state starts at
  // (the first output of splitmix64 seeded with `seed`) ^ e; j = r % (i + 1) after rejecting
  // r < 2^64 mod (i + 1), so there is no bias. The same on every compiler and library.
  Dataset shuffle(uint64_t seed, const Loc& loc = Loc::current()) const;
  Dataset batch(int64_t batch_size, bool drop_remainder = false,
                const Loc& loc = Loc::current()) const;
  // count epochs; -1 repeats forever.
  Dataset repeat(int64_t count = -1, const Loc& loc = Loc::current()) const;
  // Iteration starts at epoch `first_epoch` (default 0): its shuffle order and, with repeat,
  // the following ones.
  Dataset epoch(int64_t first_epoch, const Loc& loc = Loc::current()) const;

  int64_t num_examples() const;
  int64_t num_components() const;
  // Elements per epoch (batches when batched, otherwise examples).
  int64_t elements_per_epoch() const;
  // Elements in a whole iteration, or -1 when it repeats forever (tf.data's cardinality).
  int64_t cardinality() const;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::vector<Tensor>;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::vector<Tensor>*;
    using reference = const std::vector<Tensor>&;

    iterator() = default;  // the end
    reference operator*() const { return element_; }
    pointer operator->() const { return &element_; }
    iterator& operator++();
    void operator++(int) { ++*this; }
    // Iterators compare equal when both are at the end or both are at the same element.
    bool operator==(const iterator& o) const;

   private:
    friend class Dataset;
    explicit iterator(std::shared_ptr<const Spec> spec);
    void start_epoch();
    void load_element();

    std::shared_ptr<const Spec> spec_;  // null at the end
    int64_t epoch_ = 0;                 // absolute epoch number (seeds the shuffle)
    int64_t epochs_done_ = 0;
    int64_t element_index_ = 0;   // within the epoch
    std::vector<int64_t> order_;  // this epoch's permutation; empty when not shuffled
    std::vector<Tensor> element_;
  };

  iterator begin() const;
  iterator end() const { return iterator(); }

 private:
  explicit Dataset(std::shared_ptr<const Spec> spec) : spec_(std::move(spec)) {}
  std::shared_ptr<Spec> copy_spec() const;

  std::shared_ptr<const Spec> spec_;
};

}  // namespace kiln::data
