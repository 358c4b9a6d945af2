// Token bucket: burst, refill at the rate, cap at the burst.
#include "edge/token_bucket.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  auto t = token_bucket::clock::time_point{};
  const rate_limit limit{10, 3};
  token_bucket bucket(limit, t);
  EXPECT_TRUE(bucket.try_take(limit, t));
  EXPECT_TRUE(bucket.try_take(limit, t));
  EXPECT_TRUE(bucket.try_take(limit, t));
  EXPECT_FALSE(bucket.try_take(limit, t));
  t += std::chrono::milliseconds(100);  // one token at 10/s
  EXPECT_TRUE(bucket.try_take(limit, t));
  EXPECT_FALSE(bucket.try_take(limit, t));
  t += std::chrono::seconds(60);  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.try_take(limit, t));
  EXPECT_FALSE(bucket.try_take(limit, t));
}

}  // namespace
}  // namespace wsedge::edge
