// Node-wide room directory: member counts, room limit, seq per room, empty rooms, threads.
#include "edge/room_directory.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace wsedge::edge {
namespace {

struct room_counter : edge_observer {
  std::atomic<int> opened{0}, closed{0};
  void on_room_opened() override { ++opened; }
  void on_room_closed() override { ++closed; }
};

TEST(RoomDirectory, CountsMembersPerShardAndEnforcesTheLimit) {
  room_counter observer;
  room_directory directory(2, observer);
  EXPECT_EQ(directory.join("r", 0, 2).members, 1u);
  EXPECT_EQ(directory.join("r", 1, 2).members, 2u);
  EXPECT_FALSE(directory.join("r", 1, 2).joined);
  EXPECT_EQ(directory.members("r"), 2u);
  EXPECT_EQ(directory.room_count(), 1u);
  directory.leave("r", 0);
  directory.leave("r", 1);
  EXPECT_EQ(directory.room_count(), 0u);
  EXPECT_EQ(observer.opened, 1);
  EXPECT_EQ(observer.closed, 1);
}

TEST(RoomDirectory, PublishAssignsConsecutiveSeqAndNamesTheShards) {
  room_counter observer;
  room_directory directory(3, observer);
  directory.join("r", 2, 0);
  std::vector<std::uint32_t> seen;
  auto seq = directory.publish("r", [&](std::uint64_t, std::span<const std::uint32_t> shards) {
    seen.assign(shards.begin(), shards.end());
  });
  EXPECT_EQ(seq, 1u);
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{0, 0, 1}));
  EXPECT_EQ(directory.publish("r", [](auto, auto) {}), 2u);
  bool called = false;
  EXPECT_EQ(directory.publish("empty", [&](auto, auto) { called = true; }), 0u);
  EXPECT_FALSE(called);
}

TEST(RoomDirectory, ConcurrentJoinsAndLeavesBalance) {
  room_counter observer;
  room_directory directory(2, observer);
  auto churn = [&](std::size_t shard) {
    for (int i = 0; i < 2000; ++i) {
      std::string room = "room" + std::to_string(i % 17);
      directory.join(room, shard, 0);
      directory.publish(room, [](auto, auto) {});
      directory.leave(room, shard);
    }
  };
  std::thread a(churn, 0), b(churn, 1);
  a.join();
  b.join();
  EXPECT_EQ(directory.room_count(), 0u);
  EXPECT_TRUE(directory.snapshot().empty());
  EXPECT_EQ(observer.opened.load(), observer.closed.load());
}

}  // namespace
}  // namespace wsedge::edge
