// Shard-local membership: O(1) join and leave keep every member's slot right.
#include "edge/local_rooms.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace wsedge::edge {
namespace {

// Sessions are only addresses here: the index never calls them.
session* fake(std::uintptr_t n) {
  return reinterpret_cast<session*>(n * 16);
}

TEST(LocalRooms, JoinAndLeaveInAnyOrderKeepTheMemberList) {
  local_rooms rooms;
  constexpr int n = 1000;
  std::vector<std::unique_ptr<local_rooms::slot>> slots;
  for (int i = 0; i < n; ++i) {
    slots.push_back(std::make_unique<local_rooms::slot>());
    rooms.join("big", fake(i + 1), *slots.back());
  }
  EXPECT_EQ(rooms.members("big").size(), static_cast<std::size_t>(n));
  // Every third member leaves: the rest stay, each slot saying where it now is.
  for (int i = 0; i < n; i += 3) rooms.leave(*slots[i]);
  auto members = rooms.members("big");
  std::vector<session*> expected, found;
  for (int i = 0; i < n; ++i)
    if (i % 3 != 0) expected.push_back(fake(i + 1));
  for (std::size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(members[i].membership->position, i);
    found.push_back(members[i].who);
  }
  std::sort(found.begin(), found.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);
  for (int i = 0; i < n; ++i)
    if (i % 3 != 0) rooms.leave(*slots[i]);
  EXPECT_TRUE(rooms.members("big").empty());
  EXPECT_EQ(rooms.room_count(), 0u);
}

TEST(LocalRooms, LeavingTwiceOrUnjoinedDoesNothing) {
  local_rooms rooms;
  local_rooms::slot a, b, never;
  rooms.join("r", fake(1), a);
  rooms.join("r", fake(2), b);
  rooms.leave(a);
  rooms.leave(a);
  rooms.leave(never);
  ASSERT_EQ(rooms.members("r").size(), 1u);
  EXPECT_EQ(rooms.members("r")[0].who, fake(2));
  EXPECT_EQ(rooms.room_count(), 1u);
}

}  // namespace
}  // namespace wsedge::edge
