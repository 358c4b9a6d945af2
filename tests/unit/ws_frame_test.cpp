// Server frame headers: the three length encodings, FIN and opcode, payload intact.
#include "edge/ws_frame.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

unsigned char byte(const std::string& s, std::size_t i) {
  return static_cast<unsigned char>(s[i]);
}

TEST(WsFrame, SevenBitLengthTextFrame) {
  auto f = frame_message("hello");
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(byte(f, 0), 0x81);  // FIN + text
  EXPECT_EQ(byte(f, 1), 5);     // unmasked, length 5
  EXPECT_EQ(f.substr(2), "hello");
  EXPECT_EQ(byte(frame_message("", true), 0), 0x82);  // FIN + binary
  EXPECT_EQ(byte(frame_message(std::string(125, 'a')), 1), 125);
}

TEST(WsFrame, SixteenAndSixtyFourBitLengths) {
  auto medium = frame_message(std::string(126, 'a'));
  EXPECT_EQ(byte(medium, 1), 126);
  EXPECT_EQ((byte(medium, 2) << 8) | byte(medium, 3), 126);
  EXPECT_EQ(medium.size(), 4u + 126);
  auto top16 = frame_message(std::string(65535, 'a'));
  EXPECT_EQ(byte(top16, 1), 126);
  EXPECT_EQ((byte(top16, 2) << 8) | byte(top16, 3), 65535);
  auto large = frame_message(std::string(65536, 'a'));
  EXPECT_EQ(byte(large, 1), 127);
  std::uint64_t length = 0;
  for (int i = 2; i < 10; ++i) length = (length << 8) | byte(large, static_cast<std::size_t>(i));
  EXPECT_EQ(length, 65536u);
  EXPECT_EQ(large.size(), 10u + 65536);
}

}  // namespace
}  // namespace wsedge::edge
