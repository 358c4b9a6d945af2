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
  fake_sink(const edge_config& config, const identity& who) : config_(config), who_(who) {}
  const edge_config& config() const override { return config_; }
  const identity& who() const override { return who_; }
  const edge_config& config_;
  const identity& who_;

  std::vector<std::string> replies;
  std::vector<std::pair<std::string, bool>> joins;  // room, count_only
  std::vector<std::string> attached, left;
  std::vector<std::pair<std::string, bool>> publishes;  // data, answer
  std::vector<std::uint16_t> closes;
  std::vector<std::string> errors;

  void reply(std::string text) override { replies.push_back(std::move(text)); }
  std::vector<std::optional<stream_position>> join_since;
  std::vector<bool> join_leave;
  std::vector<std::string> sent_frames, presence_asked;
  void join(const std::string& room, bool count_only, const stream_position* since,
            bool watch) override {
    joins.emplace_back(room, count_only);
    join_since.push_back(since ? std::optional<stream_position>(*since) : std::nullopt);
    join_leave.push_back(watch);
  }
  void send_frames(const std::vector<std::shared_ptr<const std::string>>& frames) override {
    for (const auto& f : frames) sent_frames.push_back(*f);
  }
  void presence(const std::string& room) override { presence_asked.push_back(room); }
  // A real member list, as the shard keeps: the handler names its rooms by their slots.
  local_rooms rooms;
  void attach(const std::string& room, local_rooms::slot& membership) override {
    attached.push_back(room);
    rooms.join(room, nullptr, membership);
  }
  // `room` is read after the leave, as the shard does: a name that died with the room's last
  // member would be a use after free here.
  void leave(const std::string& room, local_rooms::slot& membership) override {
    rooms.leave(membership);
    left.push_back(room);
  }
  void publish(const std::string&, std::string data, bool answer) override {
    publishes.emplace_back(std::move(data), answer);
  }
  void close(std::uint16_t code, std::string_view, close_mode) override { closes.push_back(code); }
  void count_error(std::string_view kind) override { errors.emplace_back(kind); }
  std::size_t watchers = 0;
  std::vector<std::pair<std::string, std::string>> sends;  // room, data
  // Set: a send is answered at once (as on a node alone); null: the test answers it later (as
  // the cluster does).
  client_protocol* answer_at_once = nullptr;
  std::vector<std::string> send_ids;
  void send_event(std::string room, std::string data, std::string id) override {
    sends.emplace_back(std::move(room), std::move(data));
    send_ids.push_back(id);
    if (answer_at_once != nullptr) answer_at_once->on_send_answer(id, watchers > 0, {});
  }

  std::string last_type() const {
    return std::string(boost::json::parse(replies.back()).at("type").as_string());
  }
};

join_answer answer(bool joined, std::uint64_t members, std::uint64_t seq) {
  return {joined, members, seq, "e", std::nullopt, {}, {}};
}

class ClientProtocolHandler : public ::testing::Test {
 protected:
  ClientProtocolHandler() : sink(config, who), handler(sink, client_protocol::clock::now()) {
    sink.answer_at_once = &handler;
  }
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
  handler.on_join_answer("r", {true, 3, 41, "e1", std::nullopt, {}, {}});
  EXPECT_FALSE(handler.waiting());
  EXPECT_EQ(sink.attached, std::vector<std::string>{"r"});
  EXPECT_EQ(sink.replies.back(),
            R"({"type":"subscribed","room":"r","members":3,"seq":41,"epoch":"e1","id":1})");
  // Again: only the count is asked for.
  send(R"({"type":"subscribe","room":"r"})");
  EXPECT_TRUE(sink.joins.back().second);
  handler.on_join_answer("r", answer(true, 4, 0));
  EXPECT_EQ(sink.attached.size(), 1u);
  EXPECT_EQ(handler.rooms(), std::vector<std::string>{"r"});
}

TEST_F(ClientProtocolHandler, AFullRoomIsRefusedAndNothingIsAttached) {
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", answer(false, 10, 0));
  EXPECT_TRUE(sink.attached.empty());
  EXPECT_NE(sink.replies.back().find("room_full"), std::string::npos);
}

TEST_F(ClientProtocolHandler, RoomsFromTheUrlAreJoinedOneAfterAnother) {
  handler.join_on_connect({{"a", "b"}, std::nullopt});
  ASSERT_EQ(sink.joins.size(), 1u);
  handler.on_join_answer("a", answer(true, 1, 0));
  ASSERT_EQ(sink.joins.size(), 2u);
  EXPECT_EQ(sink.joins[1].first, "b");
  handler.on_join_answer("b", answer(true, 1, 0));
  EXPECT_FALSE(handler.waiting());
  EXPECT_EQ(handler.rooms(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ClientProtocolHandler, PublishNeedsMembershipAndWaitsOnlyWhenAnswered) {
  send(R"({"type":"publish","room":"r","data":1})");
  EXPECT_NE(sink.replies.back().find("not_subscribed"), std::string::npos);
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", answer(true, 1, 0));
  send(R"({"type":"publish","room":"r","data":{"x": 1}})");
  EXPECT_FALSE(handler.waiting());
  send(R"({"type":"publish","room":"r","data":2,"id":"p"})");
  EXPECT_TRUE(handler.waiting());
  handler.on_publish_answer("r", 7, "e1");
  EXPECT_EQ(sink.replies.back(),
            R"({"type":"published","room":"r","seq":7,"epoch":"e1","id":"p"})");
  ASSERT_EQ(sink.publishes.size(), 2u);
  EXPECT_EQ(sink.publishes[0].first, R"({"x": 1})");
}

TEST_F(ClientProtocolHandler, AnUnreachableBrokerIsTheErrorUnavailable) {
  send(R"({"type":"subscribe","room":"r","id":1})");
  join_answer down;
  down.error = "unavailable";
  handler.on_join_answer("r", down);
  EXPECT_NE(sink.replies.back().find(R"("code":"unavailable")"), std::string::npos);
  EXPECT_NE(sink.replies.back().find(R"("id":1)"), std::string::npos);
  EXPECT_FALSE(handler.waiting());
  EXPECT_TRUE(handler.rooms().empty());  // not a member

  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", answer(true, 1, 0));
  send(R"({"type":"publish","room":"r","data":1,"id":"p"})");
  handler.on_publish_answer("r", 0, "", "unavailable");
  EXPECT_NE(sink.replies.back().find(R"("code":"unavailable")"), std::string::npos);
  EXPECT_NE(sink.replies.back().find(R"("id":"p")"), std::string::npos);
  EXPECT_FALSE(handler.waiting());
  // A publish without an id is told too: the message was not taken.
  send(R"({"type":"publish","room":"r","data":2})");
  handler.on_publish_answer("r", 0, "", "unavailable");
  EXPECT_NE(sink.replies.back().find(R"("code":"unavailable")"), std::string::npos);
}

TEST_F(ClientProtocolHandler, LeaveAllLeavesEveryRoom) {
  handler.join_on_connect({{"a", "b"}, std::nullopt});
  handler.on_join_answer("a", answer(true, 1, 0));
  handler.on_join_answer("b", answer(true, 1, 0));
  EXPECT_EQ(handler.rooms(), (std::vector<std::string>{"a", "b"}));  // in join order
  handler.leave_all();
  std::sort(sink.left.begin(), sink.left.end());  // in any order
  EXPECT_EQ(sink.left, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(handler.rooms().empty());
}

TEST_F(ClientProtocolHandler, UnsubscribeLeavesTheRoomNamedAndFreesItsPlace) {
  config.max_subscriptions = 2;
  handler.join_on_connect({{"a", "b"}, std::nullopt});
  handler.on_join_answer("a", answer(true, 1, 0));
  handler.on_join_answer("b", answer(true, 1, 0));
  send(R"({"type":"subscribe","room":"c","id":1})");
  EXPECT_NE(sink.replies.back().find("too_many_subscriptions"), std::string::npos);
  send(R"({"type":"unsubscribe","room":"a","id":2})");
  EXPECT_EQ(sink.left, std::vector<std::string>{"a"});
  EXPECT_EQ(handler.rooms(), std::vector<std::string>{"b"});
  EXPECT_TRUE(sink.rooms.members("a").empty());
  send(R"({"type":"subscribe","room":"c","id":3})");
  handler.on_join_answer("c", answer(true, 1, 0));
  EXPECT_EQ(handler.rooms(), (std::vector<std::string>{"b", "c"}));
  send(R"({"type":"unsubscribe","room":"a","id":4})");
  EXPECT_NE(sink.replies.back().find("not_subscribed"), std::string::npos);
}

TEST_F(ClientProtocolHandler, RecoveryRepliesThenSendsTheMissedFramesInOrder) {
  send(R"({"type":"subscribe","room":"r","since":{"seq":5,"epoch":"e1"},"join_leave":true})");
  ASSERT_EQ(sink.join_since.size(), 1u);
  ASSERT_TRUE(sink.join_since[0]);
  EXPECT_EQ(sink.join_since[0]->seq, 5u);
  EXPECT_EQ(sink.join_since[0]->epoch, "e1");
  EXPECT_TRUE(sink.join_leave[0]);
  join_answer answer{true, 2, 7, "e1", true, {}, {}};
  answer.missed = {std::make_shared<const std::string>("m6"),
                   std::make_shared<const std::string>("m7")};
  handler.on_join_answer("r", answer);
  EXPECT_EQ(sink.replies.back(), R"({"type":"subscribed","room":"r","members":2,"seq":7,)"
                                 R"("epoch":"e1","recovered":true,"missed":2})");
  EXPECT_EQ(sink.sent_frames, (std::vector<std::string>{"m6", "m7"}));
}

TEST_F(ClientProtocolHandler, AnUnrecoverableGapSaysSoAndSendsNothingMissed) {
  send(R"({"type":"subscribe","room":"r","since":{"seq":1,"epoch":"old"}})");
  handler.on_join_answer("r", {true, 1, 9, "new", false, {}, {}});
  EXPECT_NE(sink.replies.back().find(R"("recovered":false,"missed":0)"), std::string::npos);
  EXPECT_TRUE(sink.sent_frames.empty());
  // A malformed position is refused before anything is asked of the owner.
  send(R"({"type":"subscribe","room":"q","since":{"seq":-1,"epoch":"e"}})");
  EXPECT_NE(sink.replies.back().find("invalid_request"), std::string::npos);
  send(R"({"type":"subscribe","room":"q","since":{"seq":1}})");
  EXPECT_NE(sink.replies.back().find("invalid_request"), std::string::npos);
  EXPECT_EQ(sink.joins.size(), 1u);
}

TEST_F(ClientProtocolHandler, SinceOnARoomAlreadyJoinedIsRecoveredWhenTheEpochHolds) {
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", answer(true, 1, 3));
  send(R"({"type":"subscribe","room":"r","since":{"seq":3,"epoch":"e"}})");
  EXPECT_TRUE(sink.joins.back().second);  // only a count: no second membership
  handler.on_join_answer("r", answer(true, 1, 3));
  EXPECT_NE(sink.replies.back().find(R"("recovered":true,"missed":0)"), std::string::npos);
  send(R"({"type":"subscribe","room":"r","since":{"seq":3,"epoch":"other"}})");
  handler.on_join_answer("r", answer(true, 1, 3));
  EXPECT_NE(sink.replies.back().find(R"("recovered":false)"), std::string::npos);
}

TEST_F(ClientProtocolHandler, PresenceIsForMembersAndFollowsRoomRules) {
  send(R"({"type":"presence","room":"r","id":3})");
  EXPECT_NE(sink.replies.back().find("not_subscribed"), std::string::npos);
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", {true, 1, 0, "e", std::nullopt, {}, {}});
  send(R"({"type":"presence","room":"r","id":3})");
  EXPECT_EQ(sink.presence_asked, std::vector<std::string>{"r"});
  EXPECT_TRUE(handler.waiting());
  handler.on_presence_answer("r", {{"c1", "u1", ""}}, true);
  EXPECT_EQ(sink.replies.back(), R"({"type":"presence","room":"r","members":[)"
                                 R"({"client_id":"c1","user_id":"u1"}],"truncated":true,"id":3})");
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
  client_protocol limited(sink, client_protocol::clock::now());
  const auto t0 = client_protocol::clock::now();
  for (int ms = 0; ms < 500 && sink.closes.empty(); ++ms)
    limited.on_message(R"({"type":"heartbeat"})", false, t0 + std::chrono::milliseconds(ms));
  EXPECT_EQ(sink.closes, std::vector<std::uint16_t>{1008});
}

TEST_F(ClientProtocolHandler, SendWithAWatcherIsAcknowledgedOnlyWhenItHasAnId) {
  sink.watchers = 2;
  send(R"({"type":"send","data":{"typing":true},"id":"s1"})");
  ASSERT_EQ(sink.sends.size(), 1u);
  EXPECT_EQ(sink.sends[0].first, "");
  EXPECT_EQ(sink.sends[0].second, R"({"typing":true})");
  EXPECT_EQ(sink.replies.back(), R"({"type":"sent","id":"s1"})");
  send(R"({"type":"send","data":"quiet"})");
  EXPECT_EQ(sink.sends.size(), 2u);
  EXPECT_EQ(sink.replies.size(), 1u);
}

TEST_F(ClientProtocolHandler, SendWithoutAWatcherIsNoReceiverEvenWithoutAnId) {
  send(R"({"type":"send","data":1})");
  ASSERT_FALSE(sink.replies.empty());
  EXPECT_EQ(sink.last_type(), "error");
  EXPECT_NE(sink.replies.back().find("no_receiver"), std::string::npos);
  EXPECT_EQ(sink.sends.size(), 1u);
}

TEST_F(ClientProtocolHandler, AClusterSendWaitsForItsAnswerAndReportsTheEngineDown) {
  sink.answer_at_once = nullptr;
  send(R"({"type":"send","data":1,"id":"a"})");
  EXPECT_TRUE(handler.waiting());  // nothing more is read until the cluster answers
  EXPECT_TRUE(sink.replies.empty());
  handler.on_send_answer(R"("a")", true, {});
  EXPECT_FALSE(handler.waiting());
  EXPECT_EQ(sink.replies.back(), R"({"type":"sent","id":"a"})");

  send(R"({"type":"send","data":2,"id":"b"})");
  handler.on_send_answer(R"("b")", false, "unavailable");
  EXPECT_FALSE(handler.waiting());
  EXPECT_NE(sink.replies.back().find("unavailable"), std::string::npos);
  EXPECT_NE(sink.replies.back().find(R"("id":"b")"), std::string::npos);

  // Without an id nothing waits, and only a refusal is said.
  send(R"({"type":"send","data":3})");
  EXPECT_FALSE(handler.waiting());
  const std::size_t replies = sink.replies.size();
  handler.on_send_answer("", true, {});
  EXPECT_EQ(sink.replies.size(), replies);
  send(R"({"type":"send","data":4})");
  handler.on_send_answer("", false, {});
  EXPECT_NE(sink.replies.back().find("no_receiver"), std::string::npos);
}

TEST_F(ClientProtocolHandler, EachClusterAnswerGoesToItsOwnSend) {
  sink.answer_at_once = nullptr;
  // A send without an id is not waited for: the next one, with an id, is sent before its answer.
  send(R"({"type":"send","data":"nobody wants this"})");
  send(R"({"type":"send","data":"wanted","id":"w"})");
  EXPECT_EQ(sink.send_ids, (std::vector<std::string>{"", R"("w")"}));  // ids as sent, raw JSON
  EXPECT_TRUE(handler.waiting());
  handler.on_send_answer("", false, {});  // the first one's answer comes first
  EXPECT_TRUE(handler.waiting());         // still waiting for its own
  EXPECT_NE(sink.replies.back().find("no_receiver"), std::string::npos);
  EXPECT_EQ(sink.replies.back().find(R"("id")"), std::string::npos);
  handler.on_send_answer(R"("w")", true, {});
  EXPECT_FALSE(handler.waiting());
  EXPECT_EQ(sink.replies.back(), R"({"type":"sent","id":"w"})");
}

TEST_F(ClientProtocolHandler, SendAboutARoomNeedsMembershipAndTheRoomRule) {
  sink.watchers = 1;
  send(R"({"type":"send","room":"r","data":1,"id":2})");
  EXPECT_NE(sink.replies.back().find("not_subscribed"), std::string::npos);
  EXPECT_TRUE(sink.sends.empty());
  send(R"({"type":"subscribe","room":"r"})");
  handler.on_join_answer("r", answer(true, 1, 0));
  send(R"({"type":"send","room":"r","data":1,"id":3})");
  EXPECT_EQ(sink.replies.back(), R"({"type":"sent","id":3})");
  ASSERT_EQ(sink.sends.size(), 1u);
  EXPECT_EQ(sink.sends[0].first, "r");

  config.room_rules = parse_room_rules(R"({"rules":[{"room":"*","send":[]}]})").value();
  client_protocol ruled(sink, client_protocol::clock::now());
  sink.answer_at_once = &ruled;
  ruled.on_message(R"({"type":"subscribe","room":"r"})", false, client_protocol::clock::now());
  ruled.on_join_answer("r", answer(true, 1, 0));
  ruled.on_message(R"({"type":"send","room":"r","data":1,"id":4})", false,
                   client_protocol::clock::now());
  EXPECT_NE(sink.replies.back().find("forbidden"), std::string::npos);
  EXPECT_EQ(sink.sends.size(), 1u);
}

TEST_F(ClientProtocolHandler, SendWithoutDataIsRefused) {
  sink.watchers = 1;
  send(R"({"type":"send","id":5})");
  EXPECT_EQ(sink.last_type(), "error");
  EXPECT_TRUE(sink.sends.empty());
}

}  // namespace
}  // namespace wsedge::edge
