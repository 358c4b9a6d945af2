// Shard mailbox: each sender's work runs in its order, from any thread, with batched wake-ups.
#include "edge/shard_mailbox.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace wsedge::edge {
namespace {

TEST(ShardMailbox, EachLaneRunsInOrderWhateverTheOtherLanesDo) {
  net::io_context consumer;
  shard_mailbox mailbox(3, consumer);
  constexpr int per_lane = 20000;
  // Written by the consumer thread only (the tasks run there).
  std::vector<std::vector<int>> seen(4);
  std::vector<std::thread> producers;
  for (std::size_t lane = 0; lane < 4; ++lane) {
    producers.emplace_back([&, lane] {
      for (int i = 0; i < per_lane; ++i)
        mailbox.push(lane, [&seen, lane, i] { seen[lane].push_back(i); });
    });
  }
  auto work = net::make_work_guard(consumer);
  std::thread runner([&] { consumer.run(); });
  for (auto& p : producers) p.join();
  // Every push has posted its wake-up (or found one posted): run() returns once all ran.
  work.reset();
  runner.join();
  for (const auto& lane : seen) {
    ASSERT_EQ(lane.size(), static_cast<std::size_t>(per_lane));
    for (int i = 0; i < per_lane; ++i) ASSERT_EQ(lane[i], i);
  }
}

TEST(ShardMailbox, OneWakeUpRunsEverythingQueuedMeanwhile) {
  net::io_context consumer;
  shard_mailbox mailbox(1, consumer);
  int ran = 0;
  for (int i = 0; i < 100; ++i) mailbox.push(0, [&] { ++ran; });
  // A single handler was posted for the hundred tasks.
  EXPECT_EQ(consumer.run_one(), 1u);
  EXPECT_EQ(ran, 100);
  EXPECT_EQ(consumer.poll(), 0u);
}

TEST(ShardMailbox, DiscardDropsWhatNeverRan) {
  net::io_context consumer;
  shard_mailbox mailbox(1, consumer);
  auto held = std::make_shared<int>(1);
  mailbox.push(mailbox.external_lane(), [held] {});
  EXPECT_EQ(held.use_count(), 2);
  mailbox.discard();
  EXPECT_EQ(held.use_count(), 1);
}

}  // namespace
}  // namespace wsedge::edge
