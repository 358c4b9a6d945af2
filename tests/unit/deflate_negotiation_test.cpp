// The permessage-deflate answer: Beast's, except where it breaks RFC 7692 §7.1.2.1, and whether
// the shared compressed frames (15-bit window) suit the client.
#include "edge/deflate_negotiation.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

constexpr std::string_view base = "permessage-deflate; server_no_context_takeover";

TEST(DeflateNegotiation, APlainOfferKeepsBeastsAnswerAndTakesSharedFrames) {
  auto a = settle_deflate_answer("permessage-deflate; client_max_window_bits", base);
  EXPECT_EQ(a.extensions, base);
  EXPECT_TRUE(a.shared_frames);
}

TEST(DeflateNegotiation, NoAnswerOrAnotherExtensionIsLeftAlone) {
  auto none = settle_deflate_answer("permessage-deflate", "");
  EXPECT_EQ(none.extensions, "");
  EXPECT_FALSE(none.shared_frames);
  auto other = settle_deflate_answer("x-other", "x-other");
  EXPECT_EQ(other.extensions, "x-other");
  EXPECT_FALSE(other.shared_frames);
}

TEST(DeflateNegotiation, ASmallerWindowIsKeptButGetsPlainFrames) {
  const std::string answer = std::string(base) + "; server_max_window_bits=10";
  auto a = settle_deflate_answer("permessage-deflate; server_max_window_bits=10", answer);
  EXPECT_EQ(a.extensions, answer);
  EXPECT_FALSE(a.shared_frames);
}

TEST(DeflateNegotiation, AWindowRaisedAboveTheOfferIsDeclined) {
  // Beast answers 9 to an offer of 8; the RFC allows the same or smaller, or declining.
  auto a = settle_deflate_answer("permessage-deflate; server_max_window_bits=8",
                                 std::string(base) + "; server_max_window_bits=9");
  EXPECT_EQ(a.extensions, "");
  EXPECT_FALSE(a.shared_frames);
}

TEST(DeflateNegotiation, TheOfferIsReadAsBeastReadsIt) {
  // Found by deflate_fuzzer: Beast reads "8" out of "8)))"; so must the correction.
  auto a = settle_deflate_answer("permessage-deflate; server_max_window_bits=8)))",
                                 std::string(base) + "; server_max_window_bits=9");
  EXPECT_EQ(a.extensions, "");
  EXPECT_FALSE(a.shared_frames);
}

TEST(DeflateNegotiation, AnOfferNamingFifteenGetsFifteenBack) {
  for (std::string_view offer : {"permessage-deflate; server_max_window_bits=15",
                                 "permessage-deflate;server_max_window_bits=\"15\"",
                                 "x-unknown, PerMessage-Deflate; Server_Max_Window_Bits=15"}) {
    auto a = settle_deflate_answer(offer, base);
    EXPECT_EQ(a.extensions, std::string(base) + "; server_max_window_bits=15") << offer;
    EXPECT_TRUE(a.shared_frames) << offer;
  }
}

TEST(DeflateNegotiation, OnlyTheFirstDeflateOfferCounts) {
  // Beast takes the first offer; a later one naming 15 changes nothing.
  const std::string answer = std::string(base) + "; server_max_window_bits=10";
  auto a = settle_deflate_answer(
      "permessage-deflate; server_max_window_bits=10, permessage-deflate; "
      "server_max_window_bits=15",
      answer);
  EXPECT_EQ(a.extensions, answer);
  EXPECT_FALSE(a.shared_frames);
}

}  // namespace
}  // namespace wsedge::edge
