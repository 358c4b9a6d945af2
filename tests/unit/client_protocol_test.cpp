// Client protocol handler against a fake connection: replies, room requests, waiting, limits.
#include "edge/client_protocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

namespace wsedge::edge {
namespace {

struct fake_sink final : protocol_sink {
  std::vector<std::string> replies;
  std::vector<std::pair<std::string, bool>> joins;  // room, count_only
  std::vector<std::string> attached, left;
  std::vector<std::pair<std::string, bool>> publishes;  // data, answer
  std::vector<std::uint16_t> closes;
  std::vector<std::string> errors;

  void reply(std::string text) override { replies.push_back(std::move(text)); }
  void join(const std::string& room, bool count_only) override {
    joins.emplace_back(room, count_only);
  }
  void attach(const std::string& room, local_rooms::slot&) override { attached.push_back(room); }
  void leave(const std::string& room, local_rooms::slot&) override { left.push_back(room); }
  void publish(const std::string&, std::string data, bool answer) override {
    publishes.emplace_back(std::move(data), answer);
  }
  void close(std::uint16_t code, std::string_view, close_mode) override { closes.push_back(code); }
  void count_error(std::string_view kind) override { errors.emplace_back(kind); }

  std::string last_type() const {
    return std::string(boost::json::parse(replies.back()).at("type").as_string());
  }
};

class ClientProtocolHandler : public ::testing::Test {
 protected:
  ClientProtocolHandler() : handler(config, who, sink, client_protocol::clock::now()) {}
  void send(std::string_view text) {
    handler.on_message(text, false, client_protocol::clock::now());
  }

  edge_config config;
  identity who;
  fake_sink sink;
  client_protocol handler;
};

TEST_F(ClientProtocolHandler, SubscribeWaitsForTheOwnerThenAttachesAndReplies) {
  send(R"({"type":"subscribe","room":"r","id":1})");
  EXPECT_TRUE(handler.waiting());
  ASSERT_EQ(sink.joins.size(), 1u);
  EXPECT_FALSE(sink.joins[0].second);
  EXPECT_TRUE(sink.replies.empty());
  handler.on_join_answer("r", {true, 3, 41});
  EXPECT_FALSE(handler.waiting());
  EXPECT_EQ(sink.attached, std::vector<std::string>{"r"});
  EXPECT_EQ(sink.replies.back(), R"({"type":"subscribed","room":"r","members":3,"id":1})");
  // Again: only the count is asked for.
  send(R"({"type":"subscribe","room":"r"})");
  EXPECT_TRUE(sink.joins.back().second);
  handler.on_join_answer("r", {true, 4, 0});
  EXPECT_EQ(sink.attached.size(), 1u);
  EXPECT_EQ(handler.rooms(), std::vector<std::string>{"r"});
}

TEST_F(ClientProtocolHandler, AFullRoomIsRefusedAndNothingIsAttached) {
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", {false, 10, 0});
  EXPECT_TRUE(sink.attached.empty());
  EXPECT_NE(sink.replies.back().find("room_full"), std::string::npos);
}

TEST_F(ClientProtocolHandler, RoomsFromTheUrlAreJoinedOneAfterAnother) {
  handler.join_on_connect({"a", "b"});
  ASSERT_EQ(sink.joins.size(), 1u);
  handler.on_join_answer("a", {true, 1, 0});
  ASSERT_EQ(sink.joins.size(), 2u);
  EXPECT_EQ(sink.joins[1].first, "b");
  handler.on_join_answer("b", {true, 1, 0});
  EXPECT_FALSE(handler.waiting());
  EXPECT_EQ(handler.rooms(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ClientProtocolHandler, PublishNeedsMembershipAndWaitsOnlyWhenAnswered) {
  send(R"({"type":"publish","room":"r","data":1})");
  EXPECT_NE(sink.replies.back().find("not_subscribed"), std::string::npos);
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", {true, 1, 0});
  send(R"({"type":"publish","room":"r","data":{"x": 1}})");
  EXPECT_FALSE(handler.waiting());
  send(R"({"type":"publish","room":"r","data":2,"id":"p"})");
  EXPECT_TRUE(handler.waiting());
  handler.on_publish_answer("r", 7);
  EXPECT_EQ(sink.replies.back(), R"({"type":"published","room":"r","seq":7,"id":"p"})");
  ASSERT_EQ(sink.publishes.size(), 2u);
  EXPECT_EQ(sink.publishes[0].first, R"({"x": 1})");
}

TEST_F(ClientProtocolHandler, LeaveAllLeavesEveryRoom) {
  handler.join_on_connect({"a", "b"});
  handler.on_join_answer("a", {true, 1, 0});
  handler.on_join_answer("b", {true, 1, 0});
  EXPECT_EQ(handler.rooms(), (std::vector<std::string>{"a", "b"}));  // in join order
  handler.leave_all();
  std::sort(sink.left.begin(), sink.left.end());  // in any order
  EXPECT_EQ(sink.left, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(handler.rooms().empty());
}

TEST_F(ClientProtocolHandler, BinaryFramesAndBadJsonGetErrorsNotCloses) {
  handler.on_message("\x01", true, client_protocol::clock::now());
  EXPECT_NE(sink.replies.back().find("invalid_json"), std::string::npos);
  send("{nope");
  EXPECT_EQ(sink.last_type(), "error");
  EXPECT_TRUE(sink.closes.empty());
}

TEST_F(ClientProtocolHandler, ASustainedFloodIsClosedWith1008) {
  config.message_rate = 10;
  config.message_burst = 1;
  config.rate_limit_close_after = std::chrono::milliseconds(100);
  client_protocol limited(config, who, sink, client_protocol::clock::now());
  const auto t0 = client_protocol::clock::now();
  for (int ms = 0; ms < 500 && sink.closes.empty(); ++ms)
    limited.on_message(R"({"type":"heartbeat"})", false, t0 + std::chrono::milliseconds(ms));
  EXPECT_EQ(sink.closes, std::vector<std::uint16_t>{1008});
}

}  // namespace
}  // namespace wsedge::edge
