// Tests for Dataset: the documented shuffle order (checked against an independent reference),
// every example once per epoch, batch shapes and remainders, repeat, and error messages.
#include "kiln/data/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <numeric>
#include <set>
#include <vector>

namespace kiln::data {
namespace {

using ::testing::HasSubstr;

static_assert(std::input_iterator<Dataset::iterator>);

// The shuffle as dataset.h documents it, written out independently: splitmix64, rejection
// sampling for j in [0, i], Fisher-Yates from the back.
std::vector<int64_t> reference_order(int64_t n, uint64_t seed, int64_t epoch) {
  auto next = [](uint64_t* s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  uint64_t s = seed;
  uint64_t state = next(&s) ^ static_cast<uint64_t>(epoch);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i >= 1; --i) {
    uint64_t bound = static_cast<uint64_t>(i) + 1, r;
    do r = next(&state);
    while (r < (~bound + 1) % bound);
    std::swap(order[i], order[r % bound]);
  }
  return order;
}

// x[i] = i as int64 with shape (n,): elements then spell out the order directly.
Tensor iota_tensor(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return constant(v);
}

// Every example index the dataset yields, in order (component 0 holds the index).
std::vector<int64_t> yielded(const Dataset& ds, size_t limit = 1000) {
  std::vector<int64_t> out;
  for (const std::vector<Tensor>& e : ds) {
    for (int64_t v : e[0].to_vector<int64_t>()) out.push_back(v);
    if (out.size() >= limit) break;
  }
  return out;
}

TEST(DatasetTest, YieldsRowsInOrderWithTheFirstDimensionRemoved) {
  Tensor x = constant(std::vector<float>{0, 1, 2, 3, 4, 5}, Shape{3, 2});
  Tensor y = constant(std::vector<int32_t>{7, 8, 9});
  Dataset ds = Dataset::from_tensors({x, y});
  EXPECT_EQ(ds.num_examples(), 3);
  EXPECT_EQ(ds.num_components(), 2);
  EXPECT_EQ(ds.cardinality(), 3);
  int64_t i = 0;
  for (const std::vector<Tensor>& e : ds) {
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].shape(), Shape({2}));
    EXPECT_EQ(e[1].shape(), Shape({}));
    EXPECT_EQ(e[1].dtype(), i32);
    EXPECT_EQ(e[0].to_vector<float>(), (std::vector<float>{2.f * i, 2.f * i + 1}));
    EXPECT_EQ(e[1].to_vector<int32_t>()[0], 7 + i);
    EXPECT_FALSE(e[0].shares_storage_with(x));  // elements are copies
    ++i;
  }
  EXPECT_EQ(i, 3);
}

TEST(DatasetTest, ShuffleMatchesTheReferenceGeneratorForEachSeedAndEpoch) {
  for (uint64_t seed : {uint64_t{0}, uint64_t{7}, uint64_t{12345678901234567ULL}}) {
    for (int64_t n : {1, 2, 10, 190}) {
      Dataset ds = Dataset::from_tensors({iota_tensor(n)}).shuffle(seed).repeat(3);
      std::vector<int64_t> got = yielded(ds);
      std::vector<int64_t> want;
      for (int64_t e = 0; e < 3; ++e) {
        std::vector<int64_t> o = reference_order(n, seed, e);
        want.insert(want.end(), o.begin(), o.end());
      }
      EXPECT_EQ(got, want) << "seed " << seed << ", n " << n;
    }
  }
}

TEST(DatasetTest, EachEpochIsAPermutationWithItsOwnOrder) {
  const int64_t n = 50;
  Dataset ds = Dataset::from_tensors({iota_tensor(n)}).shuffle(42).repeat(4);
  std::vector<int64_t> all = yielded(ds);
  ASSERT_EQ(all.size(), 4u * n);
  std::set<std::vector<int64_t>> orders;
  for (int e = 0; e < 4; ++e) {
    std::vector<int64_t> epoch(all.begin() + e * n, all.begin() + (e + 1) * n);
    orders.insert(epoch);
    std::sort(epoch.begin(), epoch.end());
    std::vector<int64_t> expect(n);
    std::iota(expect.begin(), expect.end(), 0);
    EXPECT_EQ(epoch, expect) << "epoch " << e;
  }
  EXPECT_EQ(orders.size(), 4u);  // reshuffled every epoch
}

TEST(DatasetTest, SameSeedSameOrderDifferentSeedDifferentOrder) {
  Dataset base = Dataset::from_tensors({iota_tensor(100)});
  EXPECT_EQ(yielded(base.shuffle(3)), yielded(base.shuffle(3)));
  EXPECT_NE(yielded(base.shuffle(3)), yielded(base.shuffle(4)));
  Dataset ds = base.shuffle(3);
  EXPECT_EQ(yielded(ds), yielded(ds));  // iterating again starts again at epoch 0
}

TEST(DatasetTest, EpochStartsIterationAtALaterEpoch) {
  Dataset ds = Dataset::from_tensors({iota_tensor(20)}).shuffle(9);
  std::vector<int64_t> three = yielded(ds.repeat(3));
  std::vector<int64_t> third = yielded(ds.epoch(2));
  EXPECT_EQ(third, std::vector<int64_t>(three.begin() + 40, three.end()));
  EXPECT_EQ(yielded(ds.epoch(2)), reference_order(20, 9, 2));
}

TEST(DatasetTest, BatchesKeepComponentsAlignedAndLeaveARemainder) {
  const int64_t n = 10;
  std::vector<float> xv(n * 3);
  std::iota(xv.begin(), xv.end(), 0.f);
  Tensor x = constant(xv, Shape{n, 3});
  Dataset ds = Dataset::from_tensors({iota_tensor(n), x}).shuffle(5).batch(4);
  EXPECT_EQ(ds.elements_per_epoch(), 3);
  std::vector<int64_t> sizes;
  std::vector<int64_t> seen;
  for (const std::vector<Tensor>& b : ds) {
    int64_t rows = b[0].dim(0);
    sizes.push_back(rows);
    EXPECT_EQ(b[1].shape(), Shape({rows, 3}));
    std::vector<int64_t> idx = b[0].to_vector<int64_t>();
    std::vector<float> xs = b[1].to_vector<float>();
    for (int64_t r = 0; r < rows; ++r) {
      seen.push_back(idx[r]);
      for (int c = 0; c < 3; ++c) EXPECT_EQ(xs[r * 3 + c], static_cast<float>(idx[r] * 3 + c));
    }
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(seen, reference_order(n, 5, 0));
}

TEST(DatasetTest, DropRemainderDropsTheShortBatch) {
  Dataset ds = Dataset::from_tensors({iota_tensor(10)}).batch(4, /*drop_remainder=*/true);
  std::vector<std::vector<int64_t>> batches;
  for (const auto& b : ds) batches.push_back(b[0].to_vector<int64_t>());
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  EXPECT_EQ(ds.cardinality(), 2);
  EXPECT_EQ(Dataset::from_tensors({iota_tensor(10)}).batch(5).elements_per_epoch(), 2);
  // A batch larger than the data: one short batch, or none when dropping.
  EXPECT_EQ(yielded(Dataset::from_tensors({iota_tensor(3)}).batch(8)).size(), 3u);
  EXPECT_TRUE(yielded(Dataset::from_tensors({iota_tensor(3)}).batch(8, true)).empty());
}

TEST(DatasetTest, BatchesNeverSpanEpochs) {
  Dataset ds = Dataset::from_tensors({iota_tensor(5)}).batch(2).repeat(2);
  std::vector<int64_t> sizes;
  for (const auto& b : ds) sizes.push_back(b[0].dim(0));
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 2, 1, 2, 2, 1}));
  EXPECT_EQ(ds.cardinality(), 6);
}

TEST(DatasetTest, RepeatCountsEpochsAndMinusOneRepeatsForever) {
  Dataset base = Dataset::from_tensors({iota_tensor(3)});
  EXPECT_EQ(yielded(base.repeat(2)), (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_TRUE(yielded(base.repeat(0)).empty());
  Dataset forever = base.repeat();
  EXPECT_EQ(forever.cardinality(), -1);
  std::vector<int64_t> first = yielded(forever, /*limit=*/3000);
  ASSERT_EQ(first.size(), 3000u);
  EXPECT_EQ(first[2999], 2);
  // An empty dataset repeated forever ends at once instead of spinning.
  Dataset empty = Dataset::from_tensors({constant(std::vector<float>{})}).repeat();
  EXPECT_TRUE(empty.begin() == empty.end());
  EXPECT_EQ(empty.cardinality(), 0);
}

TEST(DatasetTest, KeepsEveryDtype) {
  Tensor b = constant(std::vector<bool>{true, false, true}, Shape{3});
  Tensor d = constant(std::vector<double>{0.5, 1.5, 2.5});
  Dataset ds = Dataset::from_tensors({b, d}).batch(2);
  auto it = ds.begin();
  EXPECT_EQ((*it)[0].dtype(), boolean);
  EXPECT_EQ((*it)[0].to_vector<bool>(), (std::vector<bool>{true, false}));
  EXPECT_EQ((*it)[1].to_vector<double>(), (std::vector<double>{0.5, 1.5}));
  ++it;
  EXPECT_EQ(it->at(1).to_vector<double>(), (std::vector<double>{2.5}));
  ++it;
  EXPECT_TRUE(it == ds.end());
}

// ---------------------------------------------------------------------------
// Errors.

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "";
}

TEST(DatasetTest, MismatchedFirstDimensionsNameBothSizes) {
  Tensor x = zeros(Shape{10, 3});
  Tensor y = zeros(Shape{9});
  std::string msg = error_of([&] { Dataset::from_tensors({x, y}); });
  EXPECT_THAT(msg, HasSubstr("tensor 0 has 10 (shape (10, 3)), tensor 1 has 9 (shape (9,))"));
  EXPECT_THAT(msg, HasSubstr("dataset_test.cpp"));
}

TEST(DatasetTest, RejectsBadArguments) {
  Dataset ds = Dataset::from_tensors({iota_tensor(4)});
  EXPECT_THAT(error_of([&] { ds.batch(0); }), HasSubstr("batch_size must be positive, got 0"));
  EXPECT_THAT(error_of([&] { ds.batch(-3); }), HasSubstr("batch_size must be positive, got -3"));
  EXPECT_THAT(error_of([&] { ds.batch(2).batch(2); }), HasSubstr("batch() was already called"));
  EXPECT_THAT(error_of([&] { ds.repeat(-2); }), HasSubstr("count must be -1 (forever)"));
  EXPECT_THAT(error_of([&] { ds.shuffle(1).shuffle(2); }),
              HasSubstr("shuffle() was already called"));
  EXPECT_THAT(error_of([&] { Dataset::from_tensors({}); }), HasSubstr("at least one tensor"));
  EXPECT_THAT(error_of([&] { Dataset::from_tensors({constant(1.f)}); }),
              HasSubstr("tensor 0 is a scalar"));
  EXPECT_THAT(error_of([&] { Dataset::from_tensors({Tensor()}); }),
              HasSubstr("tensor 0 is undefined"));
}

}  // namespace
}  // namespace kiln::data
