// permessage-deflate on the way out: a compressed frame inflates, with a fresh inflater (no
// context from earlier messages), to the very payload of the plain frame; small, incompressible
// or unwanted messages stay plain.
#include "edge/message_deflater.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "edge/ws_frame.hpp"
#include "tests/support/deflate_helpers.hpp"

namespace wsedge::edge {
namespace {

using testing::inflate_fresh;
using testing::json_rows;

std::string random_bytes(std::size_t n) {
  std::mt19937 gen(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

struct parsed_frame {
  unsigned char first = 0;
  std::string payload;
};
parsed_frame parse(const std::string& frame) {
  return {static_cast<unsigned char>(frame[0]), std::string(frame_payload(frame))};
}

TEST(MessageDeflater, CompressedFrameHasRsv1AndInflatesToThePayload) {
  message_deflater deflater({true, 0, 6});
  deflater.connection_opened();
  const std::string payload = json_rows(200);
  auto compressed = deflater.deflate_shared(frame_message(payload));
  ASSERT_TRUE(compressed);
  const auto f = parse(*compressed);
  EXPECT_EQ(f.first, 0xC1);  // FIN + RSV1 + text
  EXPECT_LT(f.payload.size(), payload.size() / 3);
  EXPECT_EQ(inflate_fresh(f.payload), payload);
  // Binary keeps its opcode.
  auto binary = deflater.deflate_shared(frame_message(payload, true));
  ASSERT_TRUE(binary);
  EXPECT_EQ(parse(*binary).first, 0xC2);
}

TEST(MessageDeflater, EveryMessageInflatesOnItsOwn) {
  // The same thread deflates one message after another: none may refer back to an earlier one
  // (a client that joined later, or got only some of them, inflates each from scratch).
  message_deflater deflater({true, 0, 9});
  deflater.connection_opened();
  const std::string first = json_rows(100);
  std::string second = first;  // identical: a deflater keeping context would emit back-references
  for (int i = 0; i < 3; ++i) {
    auto f = deflater.deflate_shared(frame_message(i == 0 ? first : second));
    ASSERT_TRUE(f);
    EXPECT_EQ(inflate_fresh(parse(*f).payload), first);
  }
}

TEST(MessageDeflater, LengthsAcrossTheHeaderEncodings) {
  message_deflater deflater({true, 0, 1});
  deflater.connection_opened();
  for (int rows : {3, 40, 4000}) {  // deflated payloads under 126, under 64 KiB, over 64 KiB
    const std::string payload = json_rows(rows) + random_bytes(rows == 4000 ? 70000 : 0);
    auto f = deflater.deflate_frame(frame_message(payload, true));
    ASSERT_FALSE(f.empty()) << rows;
    EXPECT_EQ(inflate_fresh(parse(f).payload), payload) << rows;
  }
}

TEST(MessageDeflater, SmallIncompressibleOrUnwantedMessagesStayPlain) {
  message_deflater off({false, 0, 6});
  off.connection_opened();
  EXPECT_FALSE(off.deflate_shared(frame_message(json_rows(100))));

  message_deflater deflater({true, 512, 6});
  // No connection takes compressed frames: nothing is deflated for nobody.
  EXPECT_FALSE(deflater.deflate_shared(frame_message(json_rows(100))));
  deflater.connection_opened();
  EXPECT_TRUE(deflater.deflate_shared(frame_message(json_rows(100))));
  EXPECT_FALSE(deflater.deflate_shared(frame_message(std::string(511, 'a'))));  // under min_bytes
  EXPECT_FALSE(deflater.deflate_shared(frame_message(random_bytes(4096))));     // would grow
  deflater.connection_closed();
  EXPECT_FALSE(deflater.deflate_shared(frame_message(json_rows(100))));
}

TEST(MessageDeflater, FiguresCountMessagesAndBytes) {
  message_deflater deflater({true, 0, 6});
  deflater.connection_opened();
  deflater.connection_opened();
  const std::string payload = json_rows(50);
  auto f = deflater.deflate_shared(frame_message(payload));
  ASSERT_TRUE(f);
  deflater.deflate_frame(frame_message(random_bytes(1000)));  // stays plain: not counted
  const auto figures = deflater.figures();
  EXPECT_EQ(figures.connections, 2u);
  EXPECT_EQ(figures.messages, 1u);
  EXPECT_EQ(figures.bytes_in, payload.size());
  EXPECT_EQ(figures.bytes_out, parse(*f).payload.size());
}

}  // namespace
}  // namespace wsedge::edge
