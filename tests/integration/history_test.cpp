// History, recovery and presence over real sockets and real gRPC calls: a client that comes back
// with `since` gets exactly what it missed, or is told it cannot.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;

// The next message of `type`, skipping others (join/leave events, pongs); an empty object when
// none came.
json::object next_of(ws_client& c, std::string_view type, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    json::value v = c.read_json(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!v.is_object()) break;
    if (str(v.at("type")) == type) return v.as_object();
  }
  ADD_FAILURE() << "no " << type << " message";
  return {};
}

std::string since_json(std::uint64_t seq, const std::string& epoch) {
  return R"({"seq":)" + std::to_string(seq) + R"(,"epoch":")" + epoch + R"("})";
}

class History : public ::testing::Test {
 protected:
  // Publishes {"n":n} into `room` over gRPC; returns the response.
  v1::PublishResponse publish(const std::string& room, int n) {
    v1::PublishResponse response;
    grpc::Status status =
        node.publish(room_target(room), R"({"n":)" + std::to_string(n) + "}", &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  json::object subscribe(ws_client& c, const std::string& room, const std::string& extra = "") {
    c.send(R"({"type":"subscribe","room":")" + room + "\"" + extra + "}");
    return next_of(c, "subscribed");
  }

  test_node node;
};

TEST_F(History, AClientThatReconnectsWithSinceGetsExactlyWhatItMissed) {
  auto a = std::make_unique<ws_client>();
  a->connect_and_greet(node.ws_port());
  auto first = subscribe(*a, "h");
  EXPECT_EQ(first.at("seq"), 0);
  const std::string epoch = str(first.at("epoch"));
  EXPECT_FALSE(epoch.empty());
  EXPECT_FALSE(first.contains("recovered"));  // only a subscribe with `since` gets it
  for (int n = 1; n <= 3; ++n) {
    auto response = publish("h", n);
    EXPECT_EQ(response.seq(), static_cast<std::uint64_t>(n));
    EXPECT_EQ(response.epoch(), epoch);
    EXPECT_EQ(next_of(*a, "message").at("seq"), n);
  }
  a.reset();  // gone: a tunnel, a network switch
  // Once the server has seen it go, publishes reach nobody (and are kept).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (node.stats("h").room_stats(0).members() != 0)
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the closed client stayed a member";
  for (int n = 4; n <= 7; ++n) EXPECT_EQ(publish("h", n).recipients(), 0u);

  ws_client back;
  back.connect_and_greet(node.ws_port());
  auto reply = subscribe(back, "h", R"(,"since":)" + since_json(3, epoch));
  EXPECT_EQ(reply.at("recovered"), true);
  EXPECT_EQ(reply.at("missed"), 4);
  EXPECT_EQ(reply.at("seq"), 7);
  EXPECT_EQ(str(reply.at("epoch")), epoch);
  for (int n = 4; n <= 7; ++n) {
    auto m = next_of(back, "message");
    EXPECT_EQ(m.at("seq"), n);
    EXPECT_EQ(m.at("data").at("n"), n);
  }
  publish("h", 8);
  EXPECT_EQ(next_of(back, "message").at("seq"), 8);  // then live, with no gap
}

TEST_F(History, AReaderReconnectingWhilePublishesKeepComingSeesEverySeqOnceInOrder) {
  constexpr int total = 3000;
  app::server_config config = test_config();
  config.edge.history_size = 1000;  // more than a reconnect's worth of publishes
  config.edge.max_queue_messages = 2000;
  test_node busy(config);
  std::atomic<bool> failed{false}, stop{false};
  std::atomic<std::uint64_t> seen{0};
  v1::PublishResponse first;
  ASSERT_TRUE(busy.publish(room_target("busy"), R"({"n":1})", &first).ok());
  const std::string epoch = first.epoch();
  std::thread publisher([&] {
    for (int n = 2; n <= total && !failed && !stop; ++n) {
      v1::PublishResponse response;
      if (!busy.publish(room_target("busy"), R"({"n":)" + std::to_string(n) + "}", &response).ok())
        failed = true;
      // Never more than 500 ahead of the reader, so its gaps stay within history.
      while (n - static_cast<int>(seen.load()) > 500 && !stop) std::this_thread::yield();
    }
  });
  std::uint64_t last = 0;
  int reconnects = 0;
  // In a function of its own: a failed ASSERT returns from it, and the publisher is still joined.
  auto read_everything = [&] {
    while (last < static_cast<std::uint64_t>(total) && !HasFailure()) {
      ws_client reader;
      // Every other time through the connect URL, the rest with a subscribe request.
      if (reconnects % 2 == 0) {
        reader.connect_and_greet(
            busy.ws_port(), "/ws/rooms/busy?since=" + std::to_string(last) + "&epoch=" + epoch);
        auto reply = next_of(reader, "subscribed");
        ASSERT_EQ(reply.at("recovered"), true) << json::serialize(reply);
      } else {
        reader.connect_and_greet(busy.ws_port());
        auto reply = subscribe(reader, "busy", R"(,"since":)" + since_json(last, epoch));
        ASSERT_EQ(reply.at("recovered"), true) << json::serialize(reply);
      }
      ++reconnects;
      // Read a while, then drop the connection mid-stream.
      for (int i = 0; i < 150 && last < static_cast<std::uint64_t>(total); ++i) {
        auto m = next_of(reader, "message");
        ASSERT_FALSE(m.empty());
        ASSERT_EQ(m.at("seq").to_number<std::uint64_t>(), last + 1) << "a gap or a duplicate";
        last = m.at("seq").to_number<std::uint64_t>();
        seen = last;
      }
    }
  };
  read_everything();
  stop = true;
  publisher.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(last, static_cast<std::uint64_t>(total));
  EXPECT_GT(reconnects, 5);
}

TEST_F(History, APublishToARoomWithoutMembersIsNumberedAndKept) {
  auto response = publish("quiet", 1);
  EXPECT_EQ(response.seq(), 1u);
  EXPECT_EQ(response.recipients(), 0u);
  ws_client c;
  c.connect_and_greet(node.ws_port());
  auto reply = subscribe(c, "quiet", R"(,"since":)" + since_json(0, response.epoch()));
  EXPECT_EQ(reply.at("recovered"), true);
  EXPECT_EQ(reply.at("missed"), 1);
  EXPECT_EQ(next_of(c, "message").at("data").at("n"), 1);
}

TEST_F(History, AWrongEpochOrAPositionHistoryNoLongerReachesIsNotRecovered) {
  for (int n = 1; n <= 150; ++n) publish("long", n);  // history keeps the last 100
  const std::string epoch = publish("long", 151).epoch();
  ws_client c;
  c.connect_and_greet(node.ws_port());
  auto wrong_epoch = subscribe(c, "long", R"(,"since":)" + since_json(150, "not-" + epoch));
  EXPECT_EQ(wrong_epoch.at("recovered"), false);
  EXPECT_EQ(wrong_epoch.at("missed"), 0);
  EXPECT_EQ(wrong_epoch.at("seq"), 151);
  ws_client d;
  d.connect_and_greet(node.ws_port());
  auto too_old = subscribe(d, "long", R"(,"since":)" + since_json(10, epoch));
  EXPECT_EQ(too_old.at("recovered"), false);
  // Live messages follow all the same, and nothing from history came first.
  publish("long", 152);
  EXPECT_EQ(next_of(d, "message").at("seq"), 152);
  auto just_in_reach = subscribe(c, "long2", R"(,"since":)" + since_json(0, "x"));
  EXPECT_EQ(just_in_reach.at("recovered"), false);  // a room never used has another epoch

  auto metrics = http_get(node.metrics_port(), "/metrics");
  EXPECT_NE(metrics.second.find("wsedge_recoveries_total{result=\"not_recovered\"} 3"),
            std::string::npos)
      << metrics.second;
  EXPECT_EQ(metrics.second.find("wsedge_history_bytes 0\n"), std::string::npos);
}

TEST_F(History, AnExpiredRoomOrARestartedNodeStartsANewEpoch) {
  app::server_config config = test_config();
  config.edge.history_ttl = std::chrono::milliseconds(200);
  config.edge.ping_interval = std::chrono::milliseconds(400);  // ticks (and sweeps) every 100 ms
  config.edge.pong_timeout = std::chrono::milliseconds(10'000);
  auto short_lived = std::make_unique<test_node>(config);
  v1::PublishResponse first;
  ASSERT_TRUE(short_lived->publish(room_target("brief"), "1", &first).ok());
  // Swept once history_ttl has passed: History then knows no such room.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    v1::HistoryRequest request;
    request.set_room("brief");
    v1::HistoryResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(short_lived->control().History(&context, request, &response).ok());
    if (response.epoch().empty()) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the room was never swept";
  }
  ws_client c;
  c.connect_and_greet(short_lived->ws_port());
  auto expired = subscribe(c, "brief", R"(,"since":)" + since_json(1, first.epoch()));
  EXPECT_EQ(expired.at("recovered"), false);
  EXPECT_NE(str(expired.at("epoch")), first.epoch());
  EXPECT_EQ(expired.at("seq"), 0);

  // A restart loses the in-process history: same room, another epoch.
  v1::PublishResponse before;
  ASSERT_TRUE(short_lived->publish(room_target("kept"), "1", &before).ok());
  short_lived.reset();
  test_node restarted(config);
  ws_client d;
  d.connect_and_greet(restarted.ws_port());
  auto after = subscribe(d, "kept", R"(,"since":)" + since_json(1, before.epoch()));
  EXPECT_EQ(after.at("recovered"), false);
}

TEST_F(History, TheUrlFormRecoversAndABadPositionIsRefusedBeforeTheUpgrade) {
  const std::string epoch = publish("u", 1).epoch();
  publish("u", 2);
  ws_client c;
  c.connect_and_greet(node.ws_port(), "/ws/rooms/u?since=1&epoch=" + epoch);
  auto reply = next_of(c, "subscribed");
  EXPECT_EQ(reply.at("recovered"), true);
  EXPECT_EQ(reply.at("missed"), 1);
  EXPECT_EQ(next_of(c, "message").at("seq"), 2);
  ws_client not_a_number, no_epoch;
  EXPECT_FALSE(not_a_number.connect(node.ws_port(), "/ws/rooms/u?since=x&epoch=" + epoch));
  EXPECT_EQ(not_a_number.http_status(), 400);
  EXPECT_FALSE(no_epoch.connect(node.ws_port(), "/ws/rooms/u?since=1"));
  EXPECT_EQ(no_epoch.http_status(), 400);
}

TEST_F(History, ClientPublishRepliesAndStatsCarryThePosition) {
  ws_client c;
  c.connect_and_greet(node.ws_port());
  const std::string epoch = str(subscribe(c, "pos").at("epoch"));
  c.send(R"({"type":"publish","room":"pos","data":{"a":1},"id":"p1"})");
  auto published = next_of(c, "published");
  EXPECT_EQ(published.at("seq"), 1);
  EXPECT_EQ(str(published.at("epoch")), epoch);
  auto stats = node.stats("pos");
  ASSERT_EQ(stats.room_stats_size(), 1);
  EXPECT_EQ(stats.room_stats(0).seq(), 1u);
  EXPECT_EQ(stats.room_stats(0).history_messages(), 1u);
}

TEST_F(History, TheHistoryRpcAnswersTheKeptMessagesWithTheirParts) {
  ws_client c;
  const std::string client_id = c.connect_and_greet(node.ws_port());
  subscribe(c, "rpc");
  c.send(R"({"type":"publish","room":"rpc","data":{"from":"client"}})");
  next_of(c, "message");
  publish("rpc", 2);
  publish("rpc", 3);
  v1::HistoryRequest request;
  request.set_room("rpc");
  request.set_since_seq(0);
  v1::HistoryResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  ASSERT_TRUE(node.control().History(&context, request, &response).ok());
  EXPECT_EQ(response.seq(), 3u);
  EXPECT_FALSE(response.epoch().empty());
  ASSERT_EQ(response.messages_size(), 3);
  EXPECT_EQ(response.messages(0).seq(), 1u);
  EXPECT_EQ(response.messages(0).data(), R"({"from":"client"})");
  EXPECT_EQ(response.messages(0).from(), client_id);
  EXPECT_GT(response.messages(0).ts(), 1'600'000'000'000);
  EXPECT_EQ(response.messages(2).data(), R"({"n":3})");
  EXPECT_EQ(response.messages(2).from(), "");

  request.set_since_seq(1);
  request.set_limit(1);
  grpc::ClientContext again;
  ASSERT_TRUE(node.control().History(&again, request, &response).ok());
  ASSERT_EQ(response.messages_size(), 1);
  EXPECT_EQ(response.messages(0).seq(), 3u);

  request.set_room("no such room!");
  grpc::ClientContext bad;
  EXPECT_EQ(node.control().History(&bad, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(History, PresenceListsMembersOverWebSocketAndGrpc) {
  ws_client a, b, outsider;
  const std::string a_id = a.connect_and_greet(node.ws_port());
  const std::string b_id = b.connect_and_greet(node.ws_port());
  outsider.connect_and_greet(node.ws_port());
  subscribe(a, "p");
  subscribe(b, "p");
  a.send(R"({"type":"presence","room":"p","id":"who"})");
  auto presence = next_of(a, "presence");
  EXPECT_EQ(presence.at("id"), "who");
  EXPECT_EQ(presence.at("truncated"), false);
  std::set<std::string> ids;
  for (const auto& m : presence.at("members").as_array()) ids.insert(str(m.at("client_id")));
  EXPECT_EQ(ids, (std::set<std::string>{a_id, b_id}));
  outsider.send(R"({"type":"presence","room":"p"})");
  EXPECT_EQ(str(next_of(outsider, "error").at("code")), "not_subscribed");

  v1::PresenceRequest request;
  request.set_room("p");
  v1::PresenceResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(node.control().Presence(&context, request, &response).ok());
  ASSERT_EQ(response.members_size(), 2);
  EXPECT_FALSE(response.members(0).node().empty());
  EXPECT_FALSE(response.truncated());
}

TEST_F(History, PresenceIsCutAtPresenceLimit) {
  app::server_config config = test_config();
  config.edge.presence_limit = 2;
  test_node small(config);
  std::vector<std::unique_ptr<ws_client>> members;
  for (int i = 0; i < 4; ++i) {
    members.push_back(std::make_unique<ws_client>());
    members.back()->connect_and_greet(small.ws_port());
    subscribe(*members.back(), "crowd");
  }
  members[0]->send(R"({"type":"presence","room":"crowd"})");
  auto presence = next_of(*members[0], "presence");
  EXPECT_EQ(presence.at("members").as_array().size(), 2u);
  EXPECT_EQ(presence.at("truncated"), true);
}

TEST_F(History, JoinAndLeaveEventsReachOnlyTheMembersThatAskedForThem) {
  ws_client watcher, guest;
  auto quiet = std::make_unique<ws_client>();
  const std::string watcher_id = watcher.connect_and_greet(node.ws_port());
  quiet->connect_and_greet(node.ws_port());
  const std::string guest_id = guest.connect_and_greet(node.ws_port());
  subscribe(watcher, "jl", R"(,"join_leave":true)");
  subscribe(*quiet, "jl");
  auto joined_quiet = next_of(watcher, "join");
  EXPECT_EQ(str(joined_quiet.at("room")), "jl");
  subscribe(guest, "jl");
  auto joined = next_of(watcher, "join");
  EXPECT_EQ(str(joined.at("client_id")), guest_id);
  EXPECT_FALSE(joined.contains("seq"));
  guest.send(R"({"type":"unsubscribe","room":"jl"})");
  next_of(guest, "unsubscribed");
  auto left = next_of(watcher, "leave");
  EXPECT_EQ(str(left.at("client_id")), guest_id);
  // A closed connection leaves too.
  quiet.reset();
  EXPECT_EQ(str(next_of(watcher, "leave").at("room")), "jl");
  // The member who did not ask sees messages only; the watcher never hears of itself.
  ws_client other;
  other.connect_and_greet(node.ws_port());
  subscribe(other, "jl");
  publish("jl", 1);
  auto first = other.read_json();
  EXPECT_EQ(str(first.at("type")), "message") << json::serialize(first);
  auto seen = next_of(watcher, "join");
  EXPECT_NE(str(seen.at("client_id")), watcher_id);
}

}  // namespace
}  // namespace wsedge::testing
