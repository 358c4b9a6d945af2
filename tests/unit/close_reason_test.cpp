// Close reasons: valid UTF-8, at most 123 bytes, cut between characters.
#include "edge/close_reason.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

TEST(CloseReason, ShortValidReasonsPassUnchanged) {
  EXPECT_EQ(close_reason_text("see you"), "see you");
  EXPECT_EQ(close_reason_text("d\xC3\xA9j\xC3\xA0 vu \xF0\x9F\x91\x8B"),
            "d\xC3\xA9j\xC3\xA0 vu \xF0\x9F\x91\x8B");
}

TEST(CloseReason, LongReasonsAreCutBetweenCharacters) {
  // 122 ASCII bytes and a two-byte é: the é does not fit, and is not cut in half.
  EXPECT_EQ(close_reason_text(std::string(122, 'a') + "\xC3\xA9"), std::string(122, 'a'));
  std::string emoji;
  for (int i = 0; i < 40; ++i) emoji += "\xF0\x9F\x98\x80";  // 4 bytes each
  EXPECT_EQ(close_reason_text(emoji), emoji.substr(0, 120));
  EXPECT_EQ(close_reason_text(std::string(500, 'b')).size(), 123u);
}

TEST(CloseReason, InvalidUtf8BecomesTheReplacementCharacter) {
  EXPECT_EQ(close_reason_text("a\xFF"
                              "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(close_reason_text("\xC3"), "\xEF\xBF\xBD");  // truncated sequence
  EXPECT_EQ(close_reason_text("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                     // surrogate
  EXPECT_EQ(close_reason_text("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
}

}  // namespace
}  // namespace wsedge::edge
