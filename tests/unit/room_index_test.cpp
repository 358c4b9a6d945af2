// Shard-local room index: add, remove, duplicates, empty rooms disappear.
#include "edge/room_index.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

struct member {};

TEST(RoomIndex, AddsAndRemovesMembers) {
  room_index<member> index;
  member a, b, c;
  EXPECT_TRUE(index.add("r", &a));
  EXPECT_TRUE(index.add("r", &b));
  EXPECT_TRUE(index.add("r", &c));
  EXPECT_FALSE(index.add("r", &a));
  EXPECT_EQ(index.members("r").size(), 3u);
  EXPECT_TRUE(index.remove("r", &a));
  EXPECT_FALSE(index.remove("r", &a));
  auto left = index.members("r");
  EXPECT_EQ(left.size(), 2u);
  EXPECT_NE(std::find(left.begin(), left.end(), &b), left.end());
  EXPECT_NE(std::find(left.begin(), left.end(), &c), left.end());
}

TEST(RoomIndex, EmptyRoomsAreForgotten) {
  room_index<member> index;
  member a;
  index.add("x", &a);
  index.add("y", &a);
  EXPECT_EQ(index.room_count(), 2u);
  index.remove("x", &a);
  EXPECT_EQ(index.room_count(), 1u);
  EXPECT_TRUE(index.members("x").empty());
  EXPECT_FALSE(index.remove("nowhere", &a));
}

}  // namespace
}  // namespace wsedge::edge
