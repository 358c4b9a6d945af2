// A room's history ring: bounds by count and bytes, and exactly what came after a seq.
#include "edge/room_history.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

room_history::frame text(const std::string& s) {
  return std::make_shared<const std::string>(s);
}

std::vector<std::string> texts(const std::vector<room_history::frame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) out.push_back(*f);
  return out;
}

TEST(RoomHistory, AnswersExactlyWhatCameAfterASeq) {
  room_history history(10, 1 << 20);
  for (int seq = 1; seq <= 5; ++seq) history.append(seq, text("m" + std::to_string(seq)));
  EXPECT_EQ(texts(*history.since(2, 5)), (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_EQ(texts(*history.since(0, 5)).size(), 5u);
  ASSERT_TRUE(history.since(5, 5));
  EXPECT_TRUE(history.since(5, 5)->empty());  // nothing missed
  EXPECT_FALSE(history.since(6, 5));          // ahead of the room: not this room's history
}

TEST(RoomHistory, KeepsTheNewestWithinCountAndBytes) {
  room_history by_count(3, 1 << 20);
  for (int seq = 1; seq <= 5; ++seq) by_count.append(seq, text("m" + std::to_string(seq)));
  EXPECT_EQ(by_count.size(), 3u);
  EXPECT_EQ(texts(*by_count.since(2, 5)), (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_FALSE(by_count.since(1, 5));  // m2 is gone: recovery must say so, not skip it

  room_history by_bytes(100, 10);
  for (int seq = 1; seq <= 4; ++seq) by_bytes.append(seq, text("abcd"));  // 4 bytes each
  EXPECT_EQ(by_bytes.size(), 2u);
  EXPECT_EQ(by_bytes.bytes(), 8u);
  // One message larger than the byte bound is still kept alone (the newest is always there).
  by_bytes.append(5, text(std::string(50, 'x')));
  EXPECT_EQ(by_bytes.size(), 1u);
  EXPECT_TRUE(by_bytes.since(4, 5));
}

TEST(RoomHistory, TheRingWrapsAndGrowsWithoutLosingOrder) {
  room_history history(8, 10);
  for (int seq = 1; seq <= 3; ++seq) history.append(seq, text("abcd"));  // 12 B: seq 1 goes
  EXPECT_EQ(history.size(), 2u);
  history.append(4, text("e"));  // fills the ring's room behind its moved start
  history.append(5, text("f"));  // the ring is full below 8: straightened, then grown
  EXPECT_EQ(texts(*history.since(1, 5)), (std::vector<std::string>{"abcd", "abcd", "e", "f"}));
  for (int seq = 6; seq <= 20; ++seq) history.append(seq, text("g"));
  EXPECT_EQ(history.size(), 8u);
  EXPECT_EQ(texts(*history.since(12, 20)).size(), 8u);
  EXPECT_FALSE(history.since(11, 20));
  std::vector<std::pair<std::uint64_t, room_history::frame>> newest;
  history.after(0, 3, newest);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest.front().first, 18u);
}

TEST(RoomHistory, SizeZeroKeepsNothingAndAGapStartsOver) {
  room_history none(0, 1 << 20);
  none.append(1, text("m1"));
  EXPECT_EQ(none.size(), 0u);
  EXPECT_FALSE(none.since(0, 1));
  EXPECT_TRUE(none.since(1, 1));  // up to date needs no history

  room_history gappy(10, 1 << 20);
  gappy.append(1, text("m1"));
  gappy.append(3, text("m3"));  // m2 never kept
  EXPECT_EQ(gappy.size(), 1u);
  EXPECT_FALSE(gappy.since(1, 3));
  EXPECT_EQ(texts(*gappy.since(2, 3)), (std::vector<std::string>{"m3"}));
}

}  // namespace
}  // namespace wsedge::edge
