// Raw member lookup over validated JSON.
#include "edge/json_members.hpp"

#include <gtest/gtest.h>

namespace wsedge::edge {
namespace {

TEST(JsonMembers, FindsTopLevelValuesOnly) {
  std::string_view text = R"( { "a" : {"data": 1}, "data" : [ "x,}", {"y":"\"]"} ] , "z":-1e5 } )";
  EXPECT_EQ(find_raw_member(text, "data"), R"([ "x,}", {"y":"\"]"} ])");
  EXPECT_EQ(find_raw_member(text, "z"), "-1e5");
  EXPECT_EQ(find_raw_member(text, "a"), R"({"data": 1})");
  EXPECT_EQ(find_raw_member(text, "missing"), std::nullopt);
}

TEST(JsonMembers, LastDuplicateWinsAndNonObjectsHaveNone) {
  EXPECT_EQ(find_raw_member(R"({"k":1,"k":"two"})", "k"), R"("two")");
  EXPECT_EQ(find_raw_member("[1]", "k"), std::nullopt);
  EXPECT_EQ(find_raw_member(R"({"k":null})", "k"), "null");
}

TEST(JsonMembers, EscapedKeysAreDecodedLikeTheParserDecodesThem) {
  EXPECT_EQ(find_raw_member(R"({"\u0069d":5})", "id"), "5");
  EXPECT_EQ(find_raw_member(R"({"d\u0061ta":{"a": 1.0}})", "data"), R"({"a": 1.0})");
  EXPECT_EQ(find_raw_member(R"({"a\"b":1})", "a\"b"), "1");
}

}  // namespace
}  // namespace wsedge::edge
