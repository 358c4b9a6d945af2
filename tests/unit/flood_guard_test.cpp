// Flood guard: a burst is refused and told, a sustained flood is closed, answers are limited.
#include "edge/flood_guard.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

using namespace std::chrono_literals;
using verdict = flood_guard::verdict;

TEST(FloodGuard, ABurstIsRefusedOnceAndForgiven) {
  const auto t0 = flood_guard::clock::now();
  const flood_limits limits{{10, 2}, 2s};
  flood_guard guard(limits, t0);
  EXPECT_EQ(guard.take(limits, t0), verdict::pass);
  EXPECT_EQ(guard.take(limits, t0), verdict::pass);
  EXPECT_EQ(guard.take(limits, t0), verdict::refuse);
  EXPECT_EQ(guard.take(limits, t0 + 1ms), verdict::refuse_quietly);
  // Quiet for longer than close_after: tokens are back, and the next refusal starts a new
  // flood instead of closing an old one.
  EXPECT_EQ(guard.take(limits, t0 + 3s), verdict::pass);
  EXPECT_EQ(guard.take(limits, t0 + 3s), verdict::pass);
  EXPECT_EQ(guard.take(limits, t0 + 3s), verdict::refuse);
  EXPECT_EQ(guard.take(limits, t0 + 3s + 1ms), verdict::refuse_quietly);
}

TEST(FloodGuard, ASustainedFloodIsClosedEvenAsTokensTrickleIn) {
  const auto t0 = flood_guard::clock::now();
  const flood_limits limits{{100, 1}, 2s};
  flood_guard guard(limits, t0);
  int refusals_told = 0;
  verdict last = verdict::pass;
  // Ten times the rate: a token refills every 10 ms and is taken at once.
  for (auto t = t0; t < t0 + 3s && last != verdict::close; t += 1ms) {
    last = guard.take(limits, t);
    refusals_told += last == verdict::refuse;
  }
  EXPECT_EQ(last, verdict::close);
  EXPECT_LE(refusals_told, 3);  // at most one answer a second
}

}  // namespace
}  // namespace wsedge::edge
