// Outbound queue bound policy: message and byte limits, overflow, accounting.
#include "edge/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

outbound_frame frame(std::size_t size) {
  return {frame_ref::owned(std::string(size, 'x'))};
}

TEST(OutboundQueue, OverflowsAtTheMessageLimit) {
  outbound_queue queue;
  const queue_limits limits{3, 1 << 20};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(queue.push(frame(10), limits), push_result::queued);
  EXPECT_EQ(queue.push(frame(10), limits), push_result::overflow);
  EXPECT_EQ(queue.size(), 3u);
  queue.pop();
  EXPECT_EQ(queue.push(frame(10), limits), push_result::queued);
}

TEST(OutboundQueue, OverflowsAtTheByteLimitAndTracksBytes) {
  outbound_queue queue;
  const queue_limits limits{100, 100};
  EXPECT_EQ(queue.push(frame(60), limits), push_result::queued);
  EXPECT_EQ(queue.push(frame(40), limits), push_result::queued);
  EXPECT_EQ(queue.bytes(), 100u);
  EXPECT_EQ(queue.push(frame(1), limits), push_result::overflow);
  queue.pop();
  EXPECT_EQ(queue.bytes(), 40u);
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(OutboundQueue, OneOversizedFrameStillPassesAnEmptyQueue) {
  outbound_queue queue;
  const queue_limits limits{10, 100};
  EXPECT_EQ(queue.push(frame(500), limits), push_result::queued);
  EXPECT_EQ(queue.push(frame(1), limits), push_result::overflow);
}

TEST(OutboundQueue, WhatIsWrittenOfTheFrontIsForgottenWithTheFront) {
  outbound_queue queue;
  const queue_limits limits{10, 1000};
  queue.push(frame(100), limits);
  queue.push(frame(50), limits);
  queue.wrote_front(30);
  queue.wrote_front(20);
  EXPECT_EQ(queue.front_written(), 50u);
  queue.pop();
  EXPECT_EQ(queue.front_written(), 0u);
  queue.wrote_front(10);
  queue.clear();
  EXPECT_EQ(queue.front_written(), 0u);
}

TEST(OutboundQueue, SharesPayloadsInsteadOfCopying) {
  outbound_queue a, b;
  const queue_limits limits{10, 1000};
  auto shared = frame(10);
  a.push(shared, limits);
  b.push(shared, limits);
  EXPECT_EQ(&a.front().payload.bytes(), &b.front().payload.bytes());
}

}  // namespace
}  // namespace wsedge::edge
