// Server frame headers: the three length encodings, FIN and opcode, payload intact.
#include "edge/ws_frame.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/client_frame.hpp"

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

std::vector<unsigned char> bytes_of(const std::string& s) {
  return {s.begin(), s.end()};
}

using testing::client_frame;

TEST(WsFrame, ClientPingAndPongAreRecognisedAndUnmasked) {
  auto ping = bytes_of(client_frame(0x89, "hello") + "next frame");
  auto frame = parse_keepalive_frame(ping);
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->is_ping);
  EXPECT_EQ(frame->payload, "hello");
  EXPECT_EQ(frame->size, 2u + 4 + 5);
  auto pong = bytes_of(client_frame(0x8A, ""));
  ASSERT_TRUE(parse_keepalive_frame(pong));
  EXPECT_FALSE(parse_keepalive_frame(pong)->is_ping);
}

TEST(WsFrame, AnythingElseIsNotAKeepAliveFrame) {
  const auto whole = client_frame(0x89, "abc");
  auto partial = bytes_of(whole.substr(0, whole.size() - 1));
  EXPECT_FALSE(parse_keepalive_frame(partial));
  auto text = bytes_of(client_frame(0x81, "abc"));
  EXPECT_FALSE(parse_keepalive_frame(text));
  auto close = bytes_of(client_frame(0x88, ""));
  EXPECT_FALSE(parse_keepalive_frame(close));
  auto unfinished = bytes_of(client_frame(0x09, "abc"));  // no FIN
  EXPECT_FALSE(parse_keepalive_frame(unfinished));
  auto reserved = bytes_of(client_frame(0xC9, "abc"));  // RSV1
  EXPECT_FALSE(parse_keepalive_frame(reserved));
  std::vector<unsigned char> unmasked = {0x89, 0x00};
  EXPECT_FALSE(parse_keepalive_frame(unmasked));
}

TEST(WsFrame, AKeepAliveFrameCutShortIsKnownByItsFirstBytes) {
  const auto whole = bytes_of(client_frame(0x89, "abc"));  // 2 + 4 + 3 bytes
  for (std::size_t cut = 2; cut <= whole.size(); ++cut)
    EXPECT_EQ(keepalive_frame_size({whole.data(), cut}), 9u) << cut;
  // One byte says "ping" but not how long: at least one more byte is needed.
  EXPECT_EQ(keepalive_frame_size({whole.data(), 1}), 2u);
  EXPECT_EQ(keepalive_frame_size({}), 0u);
  auto text = bytes_of(client_frame(0x81, "abc"));
  EXPECT_EQ(keepalive_frame_size(text), 0u);
  std::vector<unsigned char> unmasked = {0x89, 0x03};
  EXPECT_EQ(keepalive_frame_size(unmasked), 0u);
  std::vector<unsigned char> too_long = {0x89, 0x80 | 126};
  EXPECT_EQ(keepalive_frame_size(too_long), 0u);
}

TEST(WsFrame, PongFrameEchoesData) {
  auto f = frame_pong("xyz");
  EXPECT_EQ(byte(f, 0), 0x8A);
  EXPECT_EQ(byte(f, 1), 3);
  EXPECT_EQ(f.substr(2), "xyz");
}

}  // namespace
}  // namespace wsedge::edge
