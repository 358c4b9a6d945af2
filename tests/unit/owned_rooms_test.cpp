// Owner-shard rooms: seq per room, member counts per shard, the room bound, empty rooms dropped.
#include "edge/owned_rooms.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

TEST(OwnedRooms, SeqCountsOnlyRoomsWithMembers) {
  owned_rooms rooms(2);
  EXPECT_EQ(rooms.next_seq("r").seq, 0u);
  auto joined = rooms.join("r", 1, 0);
  EXPECT_TRUE(joined.joined);
  EXPECT_TRUE(joined.opened);
  EXPECT_EQ(joined.seq, 0u);
  auto first = rooms.next_seq("r");
  EXPECT_EQ(first.seq, 1u);
  EXPECT_EQ(first.members[0], 0u);
  EXPECT_EQ(first.members[1], 1u);
  EXPECT_EQ(rooms.next_seq("r").seq, 2u);
  EXPECT_EQ(rooms.join("r", 0, 0).seq, 2u);
  EXPECT_EQ(rooms.members("r"), 2u);
}

TEST(OwnedRooms, FullRoomsRefuseAndEmptyRoomsAreDropped) {
  owned_rooms rooms(1);
  EXPECT_TRUE(rooms.join("r", 0, 2).joined);
  EXPECT_TRUE(rooms.join("r", 0, 2).joined);
  auto refused = rooms.join("r", 0, 2);
  EXPECT_FALSE(refused.joined);
  EXPECT_EQ(refused.members, 2u);
  EXPECT_FALSE(rooms.leave("r", 0));
  EXPECT_TRUE(rooms.leave("r", 0));
  EXPECT_EQ(rooms.size(), 0u);
  EXPECT_FALSE(rooms.leave("r", 0));
}

TEST(OwnerShard, IsTheSameForTheSameNameAndSpreadsNames) {
  EXPECT_EQ(owner_shard("chat", 4), owner_shard("chat", 4));
  std::vector<int> per_shard(4);
  for (int i = 0; i < 400; ++i) ++per_shard[owner_shard("room-" + std::to_string(i), 4)];
  for (int n : per_shard) EXPECT_GT(n, 50);
}

}  // namespace
}  // namespace wsedge::edge
