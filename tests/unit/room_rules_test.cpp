// Room rules: parsing errors, first match wins, wildcards, unmatched rooms stay open.
#include "edge/room_rules.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "edge/room_access.hpp"

namespace wsedge::edge {
namespace {

TEST(RoomRules, FirstMatchingRuleDecides) {
  auto rules = parse_room_rules(R"({"rules":[
      {"room":"admin:*","subscribe":["admin"],"publish":["admin"]},
      {"room":"news","publish":[]},
      {"room":"*","subscribe":["*"],"publish":["member","admin"]}]})");
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto allow = [&](std::string_view room, std::string_view role, room_action action) {
    return rules_allow(*rules, room, role, action);
  };
  EXPECT_TRUE(allow("admin:ops", "admin", room_action::subscribe));
  EXPECT_FALSE(allow("admin:ops", "member", room_action::subscribe));
  EXPECT_FALSE(allow("admin:ops", "", room_action::subscribe));
  EXPECT_TRUE(allow("news", "", room_action::subscribe));      // missing list = anyone
  EXPECT_FALSE(allow("news", "admin", room_action::publish));  // [] = nobody
  EXPECT_TRUE(allow("chat", "member", room_action::publish));
  EXPECT_FALSE(allow("chat", "", room_action::publish));
  EXPECT_TRUE(rules_allow({}, "anything", "", room_action::publish));
}

TEST(RoomRules, BadDocumentsNameTheProblem) {
  EXPECT_FALSE(parse_room_rules("{").ok());
  EXPECT_FALSE(parse_room_rules(R"({"rooms":[]})").ok());
  EXPECT_FALSE(parse_room_rules(R"({"rules":[{"subscribe":["a"]}]})").ok());
  EXPECT_FALSE(parse_room_rules(R"({"rules":[{"room":"a","publish":"admin"}]})").ok());
  EXPECT_FALSE(parse_room_rules(R"({"rules":[{"room":"a","publish":[1]}]})").ok());
  EXPECT_TRUE(parse_room_rules(R"({"rules":[]})").ok());
}

TEST(RoomAccess, PatternsPersonalRoomsAndClaims) {
  EXPECT_TRUE(room_pattern_matches("chat:*", "chat:1"));
  EXPECT_FALSE(room_pattern_matches("chat:*", "chat"));
  EXPECT_TRUE(room_pattern_matches("*", "x"));
  EXPECT_FALSE(room_pattern_matches("news", "newsroom"));
  identity alice{"alice",
                 "member",
                 std::make_shared<const std::vector<std::string>>(
                     std::vector<std::string>{"chat:*", "user:alice"}),
                 {}};
  EXPECT_TRUE(may_join(alice, "chat:9"));
  EXPECT_TRUE(may_join(alice, "user:alice"));
  EXPECT_FALSE(may_join(alice, "other"));
  identity anonymous;
  EXPECT_TRUE(may_join(anonymous, "lobby"));
  EXPECT_FALSE(may_join(anonymous, "user:"));
  EXPECT_FALSE(may_join(anonymous, "user:alice"));
}

}  // namespace
}  // namespace wsedge::edge
