// Stats paging: largest rooms first, ties by name, resumed exactly after the token's room.
#include "control/room_page.hpp"

#include <gtest/gtest.h>

namespace wsedge::control {
namespace {

using rooms_t = std::vector<edge::room_summary>;

TEST(RoomPage, OrdersByMembersThenNameAndCutsAtTheLimit) {
  rooms_t rooms{{"b", 2}, {"a", 2}, {"z", 9}, {"c", 1}, {"d", 5}};
  auto last = take_room_page(rooms, 3, std::nullopt);
  EXPECT_EQ(rooms, (rooms_t{{"z", 9}, {"d", 5}, {"a", 2}}));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->members, 2u);
  EXPECT_EQ(last->room, "a");
}

TEST(RoomPage, ResumesAfterTheCursorAndEndsWithoutOne) {
  rooms_t rooms{{"b", 2}, {"a", 2}, {"z", 9}, {"c", 1}, {"d", 5}};
  EXPECT_FALSE(take_room_page(rooms, 3, room_cursor{2, "a"}));
  EXPECT_EQ(rooms, (rooms_t{{"b", 2}, {"c", 1}}));
  // Exactly a page left: no token, so no empty page after it.
  rooms = {{"x", 1}, {"y", 1}};
  EXPECT_FALSE(take_room_page(rooms, 2, std::nullopt));
  EXPECT_EQ(rooms.size(), 2u);
}

TEST(RoomPage, ACursorRoomThatWentAwayStillSplitsTheOrder) {
  rooms_t rooms{{"m", 3}, {"k", 4}, {"n", 3}, {"a", 2}};
  EXPECT_FALSE(take_room_page(rooms, 10, room_cursor{3, "mm"}));
  EXPECT_EQ(rooms, (rooms_t{{"n", 3}, {"a", 2}}));
}

TEST(RoomPage, TokensRoundTripAndForeignOnesAreRefused) {
  const room_cursor cursor{42, "chat:room/with.odd-chars_@x"};
  auto decoded = decode_page_token(encode_page_token(cursor));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->members, 42u);
  EXPECT_EQ(decoded->room, cursor.room);
  for (std::string_view bad : {"", "!!!", "NDI", "bm90LWEtbnVtYmVyLHI", "NDIs"}) {
    EXPECT_EQ(decode_page_token(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(RoomPage, LimitDefaultsAndIsCapped) {
  EXPECT_EQ(room_page_size(0), default_room_page);
  EXPECT_EQ(room_page_size(7), 7u);
  EXPECT_EQ(room_page_size(1'000'000), max_room_page);
}

}  // namespace
}  // namespace wsedge::control
