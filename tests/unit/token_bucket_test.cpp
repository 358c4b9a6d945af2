// Token bucket: burst, refill at the rate, cap at the burst.
#include "edge/token_bucket.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  auto t = token_bucket::clock::time_point{};
  token_bucket bucket(10, 3, t);
  EXPECT_TRUE(bucket.try_take(t));
  EXPECT_TRUE(bucket.try_take(t));
  EXPECT_TRUE(bucket.try_take(t));
  EXPECT_FALSE(bucket.try_take(t));
  t += std::chrono::milliseconds(100);  // one token at 10/s
  EXPECT_TRUE(bucket.try_take(t));
  EXPECT_FALSE(bucket.try_take(t));
  t += std::chrono::seconds(60);  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.try_take(t));
  EXPECT_FALSE(bucket.try_take(t));
}

}  // namespace
}  // namespace wsedge::edge
