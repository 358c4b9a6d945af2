// Owner-shard rooms: seq per room, member counts per shard, the room bound, empty rooms dropped.
#include "edge/owned_rooms.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

TEST(OwnedRooms, SeqCountsEveryMessageWithOrWithoutMembers) {
  owned_rooms rooms(2);
  auto before = rooms.next_seq("r");
  EXPECT_EQ(before.seq, 1u);  // no member yet: still a seq, so history stays gap-free
  EXPECT_EQ(before.members[1], 0u);
  auto joined = rooms.join("r", 1, 0);
  EXPECT_TRUE(joined.joined);
  EXPECT_TRUE(joined.opened);
  EXPECT_EQ(joined.seq, 1u);
  auto next = rooms.next_seq("r");
  EXPECT_EQ(next.seq, 2u);
  EXPECT_EQ(next.members[0], 0u);
  EXPECT_EQ(next.members[1], 1u);
  EXPECT_EQ(rooms.join("r", 0, 0).seq, 2u);
  EXPECT_EQ(rooms.members("r"), 2u);
}

TEST(OwnedRooms, FullRoomsRefuseAndEmptyRoomsOutliveTheirMembersByTheTtl) {
  using namespace std::chrono_literals;
  owned_rooms rooms({.shards = 1, .ttl = 10s});
  const auto t0 = owned_rooms::clock::now();
  EXPECT_TRUE(rooms.join("r", 0, 2).joined);
  EXPECT_TRUE(rooms.join("r", 0, 2).joined);
  auto refused = rooms.join("r", 0, 2);
  EXPECT_FALSE(refused.joined);
  EXPECT_EQ(refused.members, 2u);
  EXPECT_FALSE(rooms.leave("r", 0, false, t0));
  EXPECT_TRUE(rooms.leave("r", 0, false, t0 + 1s));
  EXPECT_FALSE(rooms.leave("r", 0, false, t0 + 1s));
  const std::string epoch = rooms.info("r")->epoch;
  EXPECT_EQ(rooms.sweep(t0 + 10s), 0u);  // 9 s since the last member left
  // A message keeps it longer: the ttl counts from the later of the two.
  rooms.next_seq("r", t0 + 5s);
  EXPECT_EQ(rooms.sweep(t0 + 11s), 0u);
  EXPECT_EQ(rooms.info("r")->epoch, epoch);
  EXPECT_EQ(rooms.sweep(t0 + 15s), 1u);
  EXPECT_FALSE(rooms.info("r"));
  // Back after expiry: a new epoch, seq from 1.
  auto reborn = rooms.join("r", 0, 0);
  EXPECT_NE(reborn.epoch, epoch);
  EXPECT_EQ(reborn.seq, 0u);
}

std::shared_ptr<const std::string> frame_of(std::uint64_t seq) {
  return std::make_shared<const std::string>("m" + std::to_string(seq));
}

TEST(OwnedRooms, AJoinWithSinceGetsExactlyWhatItMissedOrIsToldItCannot) {
  owned_rooms rooms({.shards = 1, .history_size = 3});
  for (int i = 0; i < 5; ++i) {
    auto slot = rooms.next_seq("r");
    rooms.keep("r", slot.seq, frame_of(slot.seq));
  }
  const std::string epoch = rooms.info("r")->epoch;
  stream_position at3{3, epoch};
  auto recovered = rooms.join("r", 0, 0, {&at3});
  ASSERT_TRUE(recovered.recovered);
  EXPECT_TRUE(*recovered.recovered);
  ASSERT_EQ(recovered.missed.size(), 2u);
  EXPECT_EQ(*recovered.missed[0], "m4");
  EXPECT_EQ(*recovered.missed[1], "m5");
  stream_position too_old{1, epoch};  // m2 fell out of the 3 kept
  EXPECT_FALSE(*rooms.join("r", 0, 0, {&too_old}).recovered);
  stream_position other_epoch{3, "elsewhere"};
  EXPECT_FALSE(*rooms.join("r", 0, 0, {&other_epoch}).recovered);
  stream_position ahead{9, epoch};
  EXPECT_FALSE(*rooms.join("r", 0, 0, {&ahead}).recovered);
  EXPECT_EQ(rooms.info("r")->history_messages, 3u);
  auto page = rooms.history("r", 3, 1);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->messages.size(), 1u);
  EXPECT_EQ(page->messages[0].first, 5u);
}

TEST(OwnedRooms, TheShardBoundTakesHistoryFromTheRoomPublishedLongestAgo) {
  owned_rooms rooms({.shards = 1, .history_size = 10, .history_total_bytes = 10});
  auto keep = [&](const std::string& room) {
    auto slot = rooms.next_seq(room);
    rooms.keep(room, slot.seq, std::make_shared<const std::string>("xxxx"));
  };
  keep("a");
  keep("b");
  const std::string a_epoch = rooms.info("a")->epoch;
  keep("c");  // 12 bytes > 10: "a" loses its history and its epoch
  EXPECT_EQ(rooms.info("a")->history_messages, 0u);
  EXPECT_NE(rooms.info("a")->epoch, a_epoch);
  EXPECT_EQ(rooms.info("a")->seq, 1u);  // seq goes on
  EXPECT_EQ(rooms.info("b")->history_messages, 1u);
  EXPECT_EQ(rooms.history_bytes(), 8u);
  keep("b");  // b is now the newest; c is the oldest
  EXPECT_EQ(rooms.info("c")->history_messages, 0u);
  EXPECT_EQ(rooms.history_bytes(), 8u);
}

TEST(OwnedRooms, WatchersCountTheMembersThatWantJoinAndLeaveEvents) {
  owned_rooms rooms(2);
  rooms.join("r", 0, 0, {nullptr, true});
  rooms.join("r", 1, 0);
  EXPECT_EQ(rooms.watchers("r"), 1u);
  EXPECT_EQ(rooms.members_per_shard("r")[1], 1u);
  rooms.leave("r", 1, false);
  rooms.leave("r", 0, true);
  EXPECT_EQ(rooms.watchers("r"), 0u);
  EXPECT_EQ(rooms.members("r"), 0u);
}

TEST(OwnedRooms, ASweptRoomLeavesTheByteBoundsListIntact) {
  using namespace std::chrono_literals;
  owned_rooms rooms({.shards = 1, .history_size = 10, .history_total_bytes = 10, .ttl = 1s});
  const auto t0 = owned_rooms::clock::now();
  auto keep = [&](const std::string& room, owned_rooms::clock::time_point at) {
    auto slot = rooms.next_seq(room, at);
    rooms.keep(room, slot.seq, std::make_shared<const std::string>("xxxx"));
  };
  keep("a", t0);
  keep("b", t0 + 500ms);
  EXPECT_EQ(rooms.sweep(t0 + 1200ms), 1u);  // "a" expires; "b" (used later) stays
  EXPECT_EQ(rooms.history_bytes(), 4u);
  keep("c", t0 + 1300ms);
  keep("d", t0 + 1300ms);  // 12 B: "b", now the oldest, loses its history
  EXPECT_EQ(rooms.info("b")->history_messages, 0u);
  EXPECT_EQ(rooms.history_bytes(), 8u);
  // A room joined after it was queued for the sweep is not swept while it has members.
  rooms.join("c", 0, 0);
  EXPECT_EQ(rooms.sweep(t0 + 5s), 2u);  // "b" and "d"
  EXPECT_TRUE(rooms.info("c"));
  rooms.leave("c", 0, false, t0 + 5s);
  EXPECT_EQ(rooms.sweep(t0 + 5500ms), 0u);
  EXPECT_EQ(rooms.sweep(t0 + 6s), 1u);
  EXPECT_EQ(rooms.history_bytes(), 0u);
}

TEST(OwnerShard, IsTheSameForTheSameNameAndSpreadsNames) {
  EXPECT_EQ(owner_shard("chat", 4), owner_shard("chat", 4));
  std::vector<int> per_shard(4);
  for (int i = 0; i < 400; ++i) ++per_shard[owner_shard("room-" + std::to_string(i), 4)];
  for (int n : per_shard) EXPECT_GT(n, 50);
}

}  // namespace
}  // namespace wsedge::edge
