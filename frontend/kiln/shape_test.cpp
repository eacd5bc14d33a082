// Shapes and NumPy broadcasting rules.
#include "kiln/shape.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

TEST(Shape, PrintsLikePythonTuples) {
  EXPECT_EQ(Shape{}.str(), "()");
  EXPECT_EQ(Shape{5}.str(), "(5,)");
  EXPECT_EQ((Shape{2, 3}).str(), "(2, 3)");
}

TEST(Shape, NumelAndNegativeAxes) {
  Shape s{2, 3, 4};
  EXPECT_EQ(s.numel(), 24);
  EXPECT_EQ(s.dim(-1), 4);
  EXPECT_EQ(Shape{}.numel(), 1);
  EXPECT_THROW(s.dim(3), std::out_of_range);
}

TEST(Shape, RankLimitIsEnforced) {
  EXPECT_THROW((Shape{1, 1, 1, 1, 1, 1, 1, 1, 1}), std::length_error);
}

TEST(Broadcast, FollowsNumPy) {
  Shape out;
  ASSERT_TRUE(broadcast_shapes(Shape{2, 1, 3}, Shape{4, 1}, &out));
  EXPECT_EQ(out, (Shape{2, 4, 3}));
  ASSERT_TRUE(broadcast_shapes(Shape{}, Shape{5}, &out));
  EXPECT_EQ(out, Shape{5});
  EXPECT_FALSE(broadcast_shapes(Shape{2, 3}, Shape{4}, &out));
  EXPECT_FALSE(broadcast_shapes(Shape{2}, Shape{3}, &out));
}

}  // namespace
}  // namespace kiln
