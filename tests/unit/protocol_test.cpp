// Client protocol codec: every request type, every error code, every server message.
#include "edge/protocol.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "edge/room_name.hpp"

namespace wsedge::edge {
namespace {

namespace json = boost::json;

client_request parse_ok(std::string_view text) {
  auto result = parse_request(text);
  EXPECT_TRUE(std::holds_alternative<client_request>(result)) << text;
  return std::holds_alternative<client_request>(result) ? std::get<client_request>(result)
                                                        : client_request{};
}

request_error parse_error(std::string_view text) {
  auto result = parse_request(text);
  EXPECT_TRUE(std::holds_alternative<request_error>(result)) << text;
  return std::holds_alternative<request_error>(result) ? std::get<request_error>(result)
                                                       : request_error{};
}

TEST(Protocol, ParsesEveryRequestType) {
  EXPECT_EQ(parse_ok(R"({"type":"subscribe","room":"a"})").type, request_type::subscribe);
  EXPECT_EQ(parse_ok(R"({"type":"unsubscribe","room":"a"})").type, request_type::unsubscribe);
  EXPECT_EQ(parse_ok(R"({"type":"publish","room":"a","data":1})").type, request_type::publish);
  EXPECT_EQ(parse_ok(R"({"type":"rooms"})").type, request_type::rooms);
  EXPECT_EQ(parse_ok(R"({"type":"ping"})").type, request_type::ping);
  EXPECT_EQ(parse_ok(R"({"type":"heartbeat","anything":[1,2]})").type, request_type::heartbeat);
}

TEST(Protocol, KeepsRoomAndIdAndDataVerbatim) {
  auto r = parse_ok(R"({"id": "x\"1", "type":"publish","room":"chat:1",)"
                    R"( "data": {"b" : 1.50, "a":[true, null, "}"]} })");
  EXPECT_EQ(r.room, "chat:1");
  EXPECT_EQ(r.id, R"("x\"1")");
  EXPECT_EQ(r.data, R"({"b" : 1.50, "a":[true, null, "}"]})");
  EXPECT_EQ(parse_ok(R"({"type":"ping","id":42})").id, "42");
  EXPECT_EQ(parse_ok(R"({"type":"publish","room":"r","data":123456789012345678901234567890})").data,
            "123456789012345678901234567890");
}

TEST(Protocol, ReportsEveryRequestError) {
  EXPECT_EQ(parse_error("{nope").code, error_code::invalid_json);
  EXPECT_EQ(parse_error("[1,2]").code, error_code::invalid_json);
  EXPECT_EQ(parse_error(std::string(100, '[') + std::string(100, ']')).code,
            error_code::invalid_json);
  EXPECT_EQ(parse_error(R"({"type":"dance"})").code, error_code::unknown_type);
  EXPECT_EQ(parse_error(R"({"room":"a"})").code, error_code::unknown_type);
  EXPECT_EQ(parse_error(R"({"type":7})").code, error_code::unknown_type);
  EXPECT_EQ(parse_error(R"({"type":"subscribe"})").code, error_code::room_required);
  EXPECT_EQ(parse_error(R"({"type":"subscribe","room":""})").code, error_code::room_required);
  EXPECT_EQ(parse_error(R"({"type":"subscribe","room":"a b"})").code, error_code::invalid_room);
  EXPECT_EQ(parse_error(R"({"type":"subscribe","room":5})").code, error_code::invalid_room);
  EXPECT_EQ(parse_error(R"({"type":"publish","room":"a"})").code, error_code::invalid_request);
  EXPECT_EQ(parse_error(R"({"type":"ping","id":{"x":1}})").code, error_code::invalid_request);
  // The id of a bad request is still echoed.
  EXPECT_EQ(parse_error(R"({"type":"dance","id":"q"})").id, R"("q")");
}

TEST(Protocol, EscapedKeysAreTheKeysTheParserSees) {
  // "\u0069d" is "id" to the parser; a second id, however spelt, is refused, not read two ways.
  auto twice = parse_error(R"({"type":"ping","id":{"obj":[1]},"\u0069d":5})");
  EXPECT_EQ(twice.code, error_code::invalid_request);
  EXPECT_EQ(twice.id, "");
  EXPECT_EQ(parse_error(R"({"type":"ping","type":"rooms"})").code, error_code::invalid_request);
  EXPECT_EQ(parse_ok(R"({"type":"ping","\u0069d":5})").id, "5");
  // An escaped "data" is still copied verbatim, never re-serialized.
  EXPECT_EQ(parse_ok(R"({"type":"publish","room":"r","d\u0061ta":{"a": 1.50}})").data,
            R"({"a": 1.50})");
}

TEST(Protocol, ErrorCodesAreStableSnakeCase) {
  EXPECT_EQ(to_string(error_code::invalid_json), "invalid_json");
  EXPECT_EQ(to_string(error_code::unknown_type), "unknown_type");
  EXPECT_EQ(to_string(error_code::room_required), "room_required");
  EXPECT_EQ(to_string(error_code::invalid_room), "invalid_room");
  EXPECT_EQ(to_string(error_code::not_subscribed), "not_subscribed");
  EXPECT_EQ(to_string(error_code::room_full), "room_full");
  EXPECT_EQ(to_string(error_code::too_many_subscriptions), "too_many_subscriptions");
  EXPECT_EQ(to_string(error_code::forbidden), "forbidden");
  EXPECT_EQ(to_string(error_code::rate_limited), "rate_limited");
  EXPECT_EQ(to_string(error_code::invalid_request), "invalid_request");
}

TEST(Protocol, EncodesServerMessagesAsValidJson) {
  auto parsed = [](const std::string& s) { return json::parse(s).as_object(); };
  auto connected = parsed(encode_connected("n-0-1", "", 5));
  EXPECT_EQ(connected.at("type"), "connected");
  EXPECT_EQ(connected.at("client_id"), "n-0-1");
  EXPECT_EQ(connected.at("user_id"), "");
  EXPECT_EQ(connected.at("ts"), 5);

  auto subscribed = parsed(encode_subscribed("r", {3, 12, "e\"1", std::nullopt, 0}, R"("a")"));
  EXPECT_EQ(subscribed.at("members"), 3);
  EXPECT_EQ(subscribed.at("seq"), 12);
  EXPECT_EQ(subscribed.at("epoch"), "e\"1");
  EXPECT_FALSE(subscribed.contains("recovered"));
  EXPECT_EQ(subscribed.at("id"), "a");
  auto recovered = parsed(encode_subscribed("r", {1, 12, "e", true, 4}, ""));
  EXPECT_EQ(recovered.at("recovered"), true);
  EXPECT_EQ(recovered.at("missed"), 4);
  room_member members[] = {{"c1", "u\n1", ""}};
  auto presence = parsed(encode_presence("r", members, false, ""));
  EXPECT_EQ(presence.at("members").at(0).at("user_id"), "u\n1");
  EXPECT_EQ(presence.at("truncated"), false);
  auto leave = parsed(encode_join_leave(false, "r", "c1", "u1"));
  EXPECT_EQ(leave.at("type"), "leave");
  EXPECT_EQ(leave.at("client_id"), "c1");
  EXPECT_FALSE(parsed(encode_unsubscribed("r", "")).contains("id"));
  EXPECT_EQ(parsed(encode_published("r", 9, "ep", "7")).at("seq"), 9);
  EXPECT_EQ(parsed(encode_published("r", 9, "ep", "7")).at("epoch"), "ep");
  EXPECT_EQ(parsed(encode_published("r", 9, "ep", "7")).at("id"), 7);
  std::vector<std::string> rooms{"a", "b"};
  EXPECT_EQ(parsed(encode_rooms(rooms, "")).at("rooms"), json::parse(R"(["a","b"])"));
  EXPECT_EQ(parsed(encode_pong(11, "")).at("type"), "pong");
  auto error = parsed(encode_error(error_code::room_full, "full \"x\"", "1"));
  EXPECT_EQ(error.at("code"), "room_full");
  EXPECT_EQ(error.at("error"), "full \"x\"");
  EXPECT_EQ(error.at("id"), 1);
}

TEST(Protocol, MessageEmbedsDataVerbatimAndOmitsSeqOutsideRooms) {
  std::string text = encode_message("r", 42, R"({"k" : 1.50})", "n-0-1", 1000);
  EXPECT_NE(text.find(R"("data":{"k" : 1.50})"), std::string::npos);
  auto message = json::parse(text).as_object();
  EXPECT_EQ(message.at("seq"), 42);
  EXPECT_EQ(message.at("from"), "n-0-1");
  auto direct = json::parse(encode_message("", 0, "true", "", 1)).as_object();
  EXPECT_EQ(direct.at("room"), "");
  EXPECT_FALSE(direct.contains("seq"));
}

TEST(Protocol, ValidatesJsonText) {
  EXPECT_TRUE(is_valid_json(R"({"a":[1,2,{"b":null}]})"));
  EXPECT_TRUE(is_valid_json("\"text\""));
  EXPECT_FALSE(is_valid_json("{\"a\":"));
  EXPECT_FALSE(is_valid_json(""));
  EXPECT_FALSE(is_valid_json("1 2"));
}

TEST(RoomName, AcceptsTheDocumentedAlphabetOnly) {
  EXPECT_TRUE(is_valid_room_name("Chat_1-a.b:c@d/e"));
  EXPECT_TRUE(is_valid_room_name(std::string(128, 'x')));
  EXPECT_FALSE(is_valid_room_name(std::string(129, 'x')));
  EXPECT_FALSE(is_valid_room_name(""));
  EXPECT_FALSE(is_valid_room_name("a b"));
  EXPECT_FALSE(is_valid_room_name("é"));
  EXPECT_FALSE(is_valid_room_name("a*"));
}

}  // namespace
}  // namespace wsedge::edge
