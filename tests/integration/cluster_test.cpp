// Cluster mode against a real redis-server: three nodes act as one edge (one order for every
// member on every node, targets, Kick and Stats everywhere, ingestion exactly once, recovery on
// another node, a node killed with SIGKILL, Redis killed and back).
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <random>
#include <thread>

#include "tests/support/cluster_fixture.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"
#include "tests/support/wsedge_binary.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;
using clock = std::chrono::steady_clock;

// The next message of `type` (skipping others); an empty object when none came in time.
json::object next_of(ws_client& c, std::string_view type, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = clock::now() + timeout;
  while (clock::now() < deadline) {
    json::value v =
        c.read_json(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
    if (!v.is_object()) break;
    if (str(v.at("type")) == type) return v.as_object();
  }
  ADD_FAILURE() << "no " << type << " message";
  return {};
}

// A plain (blocking) Redis client for the test's own commands.
class redis_client {
 public:
  explicit redis_client(std::uint16_t port) : context_(redisConnect("127.0.0.1", port)) {}
  ~redis_client() {
    if (context_ != nullptr) redisFree(context_);
  }
  // The integer reply of the command (-1 when it failed).
  long long command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (reply == nullptr) return -1;
    long long n = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
        reply->element[1]->type == REDIS_REPLY_INTEGER)
      n = reply->element[1]->integer;  // PUBSUB NUMSUB channel → [channel, count]
    freeReplyObject(reply);
    return n;
  }

 private:
  redisContext* context_;
};

class Cluster : public cluster_fixture {
 protected:
  Cluster() : cluster_fixture(3) {}
  void tune(engine::redis::redis_engine_options& o) override {
    o.ingest = {{prefix + "-jobs:updates", "jobs"}};
  }

  json::object join(ws_client& c, test_node& node, const std::string& room) {
    EXPECT_FALSE(c.connect_and_greet(node.ws_port()).empty());
    c.send(R"({"type":"subscribe","room":")" + room + R"(","id":1})");
    return next_of(c, "subscribed");
  }

  v1::PublishResponse publish(test_node& node, const v1::Target& target, const std::string& data) {
    v1::PublishResponse response;
    auto status = node.publish(target, data, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
};

TEST_F(Cluster, EveryMemberOnEveryNodeGetsEveryMessageInOneOrder) {
  ws_client members[3];
  for (int i = 0; i < 3; ++i) join(members[i], *nodes[i], "r");
  EXPECT_EQ(publish(*nodes[0], room_target("r"), R"({"first":true})").recipients(), 3u);

  // Three publishers, one per node, at once; and one client publishing too.
  constexpr int per_node = 100;
  std::vector<std::thread> publishers;
  for (int p = 0; p < 3; ++p)
    publishers.emplace_back([&, p] {
      for (int k = 0; k < per_node; ++k)
        nodes[p]->publish(room_target("r"),
                          R"({"p":)" + std::to_string(p) + R"(,"k":)" + std::to_string(k) + "}");
    });
  members[1].send(R"({"type":"publish","room":"r","data":{"client":1},"id":"c"})");
  for (auto& t : publishers) t.join();

  const std::size_t total = 1 + 3 * per_node + 1;
  std::vector<std::string> seen[3];
  for (int i = 0; i < 3; ++i) {
    std::uint64_t last = 0;
    while (seen[i].size() < total) {
      json::value v = members[i].read_json();
      ASSERT_TRUE(v.is_object()) << "member " << i << " got " << seen[i].size() << " of " << total;
      if (str(v.at("type")) == "published") continue;
      ASSERT_EQ(str(v.at("type")), "message");
      const auto seq = static_cast<std::uint64_t>(v.at("seq").as_int64());
      ASSERT_EQ(seq, last + 1) << "member " << i;
      last = seq;
      seen[i].push_back(json::serialize(v.at("data")));
    }
  }
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[2]);
}

TEST_F(Cluster, TargetsKickAndStatsReachEveryNode) {
  ws_client a[3];
  std::string ids[3];
  for (int i = 0; i < 3; ++i) ids[i] = a[i].connect_and_greet(nodes[i]->ws_port());
  v1::Target all;
  all.set_all(true);
  auto everyone = publish(*nodes[1], all, R"({"hello":"all"})");
  EXPECT_EQ(everyone.recipients(), 3u);
  EXPECT_EQ(everyone.nodes_missing_size(), 0);
  for (auto& c : a)
    EXPECT_EQ(json::serialize(next_of(c, "message").at("data")), R"({"hello":"all"})");

  v1::Target one;
  one.set_client_id(ids[2]);
  EXPECT_EQ(publish(*nodes[0], one, R"({"just":"you"})").recipients(), 1u);
  EXPECT_EQ(json::serialize(next_of(a[2], "message").at("data")), R"({"just":"you"})");

  auto stats = nodes[2]->stats();
  EXPECT_EQ(stats.connections(), 3u);
  ASSERT_EQ(stats.nodes_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(stats.nodes(i).name(), "n" + std::to_string(i));
    EXPECT_EQ(stats.nodes(i).connections(), 1u);
  }
  EXPECT_EQ(stats.nodes_missing_size(), 0);

  v1::KickRequest kick;
  kick.set_client_id(ids[1]);
  kick.set_reason("bye");
  v1::KickResponse kicked;
  ASSERT_TRUE(nodes[0]->kick(kick, &kicked).ok());
  EXPECT_EQ(kicked.kicked(), 1u);
  EXPECT_EQ(a[1].wait_for_close(), 4000);
  EXPECT_EQ(a[1].close_reason(), "bye");
}

TEST_F(Cluster, RoomStatsAndPresenceAreClusterWide) {
  ws_client a[3];
  for (int i = 0; i < 3; ++i)  // each subscribed reply counts the cluster's members
    EXPECT_EQ(join(a[i], *nodes[i], "p").at("members").as_int64(), i + 1);
  publish(*nodes[0], room_target("p"), "1");
  auto stats = nodes[1]->stats("p");
  ASSERT_EQ(stats.room_stats_size(), 1);
  EXPECT_EQ(stats.room_stats(0).members(), 3u);
  EXPECT_EQ(stats.room_stats(0).seq(), 1u);
  EXPECT_EQ(stats.room_stats(0).history_messages(), 1u);

  a[0].send(R"({"type":"presence","room":"p","id":"w"})");
  auto presence = next_of(a[0], "presence");
  EXPECT_EQ(presence.at("members").as_array().size(), 3u);
}

TEST_F(Cluster, RedisIngestionPublishesEachMessageOnceWithSeqAndHistory) {
  ws_client news[3], jobs[3];
  for (int i = 0; i < 3; ++i) {
    join(news[i], *nodes[i], "news");
    join(jobs[i], *nodes[i], "jobs");
  }
  redis_client cli(redis->port());
  // One node holds the ingestion lease and listens.
  ASSERT_TRUE(eventually([&] {
    return cli.command({"PUBSUB", "NUMSUB", prefix + ":publish"}) == 1;
  }));
  EXPECT_EQ(cli.command({"PUBLISH", prefix + ":publish", "not json"}), 1);
  EXPECT_EQ(cli.command({"PUBLISH", prefix + ":publish", R"({"data":{"no":"target"}})"}), 1);
  EXPECT_EQ(cli.command({"PUBLISH", prefix + ":publish", R"({"room":"news","data":{"a": 1.50}})"}),
            1);
  EXPECT_EQ(cli.command({"PUBLISH", prefix + "-jobs:updates", R"({"job":7,"state":"done"})"}), 1);
  EXPECT_EQ(cli.command({"PUBLISH", prefix + ":publish", R"({"room":"news","data":"second"})"}), 1);
  for (int i = 0; i < 3; ++i) {
    auto first = next_of(news[i], "message");
    EXPECT_EQ(first.at("seq").as_int64(), 1);
    EXPECT_EQ(json::serialize(first.at("data")), R"({"a":1.5E0})");  // parsed: same value
    auto second = next_of(news[i], "message");
    EXPECT_EQ(second.at("seq").as_int64(), 2);  // exactly once: no second copy of seq 1
    auto job = next_of(jobs[i], "message");
    EXPECT_EQ(job.at("seq").as_int64(), 1);
    EXPECT_EQ(json::serialize(job.at("data")), R"({"job":7,"state":"done"})");
  }
  int invalid = 0;
  for (auto& n : nodes) invalid += n->events().snapshot().errors["ingest_invalid"];
  EXPECT_EQ(invalid, 2);
}

TEST_F(Cluster, AClientRecoversOnAnotherNode) {
  std::string epoch;
  {
    ws_client c;
    epoch = str(join(c, *nodes[0], "rec").at("epoch"));
    EXPECT_FALSE(epoch.empty());  // a join opens the room: the client knows its epoch at once
    for (int k = 1; k <= 3; ++k) publish(*nodes[2], room_target("rec"), std::to_string(k));
    for (int k = 1; k <= 3; ++k) EXPECT_EQ(next_of(c, "message").at("seq").as_int64(), k);
  }  // gone
  for (int k = 4; k <= 6; ++k) publish(*nodes[1], room_target("rec"), std::to_string(k));

  ws_client back;
  ASSERT_FALSE(back.connect_and_greet(nodes[2]->ws_port()).empty());
  back.send(R"({"type":"subscribe","room":"rec","since":{"seq":3,"epoch":")" + epoch + R"("}})");
  auto reply = next_of(back, "subscribed");
  EXPECT_TRUE(reply.at("recovered").as_bool());
  EXPECT_EQ(reply.at("missed").as_int64(), 3);
  EXPECT_EQ(reply.at("seq").as_int64(), 6);
  for (int k = 4; k <= 6; ++k)
    EXPECT_EQ(json::serialize(next_of(back, "message").at("data")), std::to_string(k));
  publish(*nodes[0], room_target("rec"), "7");
  EXPECT_EQ(next_of(back, "message").at("seq").as_int64(), 7);

  // A position from another epoch cannot be recovered.
  ws_client stale;
  ASSERT_FALSE(stale.connect_and_greet(nodes[1]->ws_port()).empty());
  stale.send(R"({"type":"subscribe","room":"rec","since":{"seq":3,"epoch":"nope"}})");
  EXPECT_FALSE(next_of(stale, "subscribed").at("recovered").as_bool());
}

TEST_F(Cluster, RedisDownRefusesPublishesKeepsConnectionsAndComesBackByItself) {
  ws_client c;
  join(c, *nodes[0], "down");
  const std::string first_epoch = publish(*nodes[1], room_target("down"), "1").epoch();
  EXPECT_EQ(next_of(c, "message").at("seq").as_int64(), 1);

  redis->kill();
  ASSERT_TRUE(eventually([&] { return !nodes[0]->server().hub().engine_up(); }, 5s));
  EXPECT_EQ(nodes[0]->server().hub().metrics().engine.up, false);
  v1::PublishResponse refused;
  auto status = nodes[0]->publish(room_target("down"), "2", &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  c.send(R"({"type":"publish","room":"down","data":2,"id":"p"})");
  auto error = next_of(c, "error");
  EXPECT_EQ(str(error.at("code")), "unavailable");
  EXPECT_EQ(str(error.at("id")), "p");

  ASSERT_TRUE(redis->start());
  const auto back = clock::now();
  ASSERT_TRUE(eventually(
      [&] {
        for (auto& n : nodes)
          if (!n->server().hub().engine_up()) return false;
        return true;
      },
      10s));
  EXPECT_LT(clock::now() - back, 5s);
  // The member's subscription came back without a restart; Redis lost the room: a new epoch.
  ASSERT_TRUE(eventually([&] {
    v1::PublishResponse r;
    return nodes[2]->publish(room_target("down"), "3", &r).ok() && r.recipients() == 1;
  }));
  auto message = next_of(c, "message");
  EXPECT_EQ(json::serialize(message.at("data")), "3");
  EXPECT_NE(publish(*nodes[2], room_target("down"), "4").epoch(), first_epoch);
}

// Redis drops every subscriber connection while messages flow: the members still get every
// message, once and in order (what the subscription missed is read back from history).
TEST_F(Cluster, ALostSubscriptionIsFilledFromHistoryWithoutGapsOrRepeats) {
  ws_client members[2];
  join(members[0], *nodes[1], "gap");
  join(members[1], *nodes[2], "gap");
  // About 200 publishes a second, so an outage (reconnect backoff from 100 ms) stays well within
  // what history keeps (100).
  constexpr int total = 200;
  std::thread publisher([&] {
    for (int k = 1; k <= total; ++k) {
      nodes[0]->publish(room_target("gap"), std::to_string(k));
      std::this_thread::sleep_for(5ms);
    }
  });
  redis_client cli(redis->port());
  for (int cut = 0; cut < 2; ++cut) {
    std::this_thread::sleep_for(150ms);
    EXPECT_GE(cli.command({"CLIENT", "KILL", "TYPE", "pubsub"}), 3);  // one per node at least
  }
  publisher.join();
  for (auto& m : members) {
    for (int k = 1; k <= total; ++k) {
      auto message = next_of(m, "message");
      ASSERT_EQ(message.at("seq").as_int64(), k);
      ASSERT_EQ(json::serialize(message.at("data")), std::to_string(k));
    }
  }
  // The subscriptions came back too: a message published now arrives live.
  ASSERT_TRUE(eventually([&] {
    return nodes[0]->server().hub().metrics().engine.up && nodes[1]->server().hub().engine_up() &&
           nodes[2]->server().hub().engine_up();
  }));
  publish(*nodes[0], room_target("gap"), "\"after\"");
  for (auto& m : members) EXPECT_EQ(next_of(m, "message").at("seq").as_int64(), total + 1);
}

// More is lost than history keeps: the members get everything before the hole, then 1011, and
// coming back with `since` they are told they cannot recover.
TEST_F(Cluster, AHoleHistoryCannotFillClosesTheMembersWith1011) {
  ws_client member;
  const std::string epoch = str(join(member, *nodes[1], "hole").at("epoch"));
  publish(*nodes[0], room_target("hole"), "1");
  EXPECT_EQ(next_of(member, "message").at("seq").as_int64(), 1);
  redis_client cli(redis->port());
  ASSERT_GE(cli.command({"CLIENT", "KILL", "TYPE", "pubsub"}), 3);
  // 300 publishes in one call, while the subscriptions are down (they come back after 100 ms).
  v1::PublishBatchRequest batch;
  for (int k = 2; k <= 301; ++k) {
    auto* item = batch.add_publishes();
    *item->mutable_target() = room_target("hole");
    item->set_data(std::to_string(k));
  }
  v1::PublishBatchResponse done;
  grpc::ClientContext context;
  ASSERT_TRUE(nodes[0]->control().PublishBatch(&context, batch, &done).ok());
  EXPECT_EQ(member.wait_for_close(10s), 1011);

  ws_client back;
  ASSERT_FALSE(back.connect_and_greet(nodes[1]->ws_port()).empty());
  back.send(R"({"type":"subscribe","room":"hole","since":{"seq":1,"epoch":")" + epoch + R"("}})");
  EXPECT_FALSE(next_of(back, "subscribed").at("recovered").as_bool());
}

// A node in a process of its own, killed with SIGKILL: the others report it missing, and its
// client recovers on another node.
TEST_F(Cluster, ANodeKilledIsMissingAndItsClientRecoversElsewhere) {
  child_process killed(
      wsedge_argv({"--broker=redis", "--redis_url=" + redis->url(), "--redis_prefix=" + prefix,
                   "--node_name=doomed", "--threads=1"}));
  auto ports = read_startup_line(killed);
  ASSERT_TRUE(ports);
  ASSERT_TRUE(every_node_sees(4));
  ws_client c;
  ASSERT_FALSE(c.connect_and_greet(static_cast<std::uint16_t>(ports->ws)).empty());
  c.send(R"({"type":"subscribe","room":"k"})");
  const std::string epoch = str(next_of(c, "subscribed").at("epoch"));
  publish(*nodes[0], room_target("k"), "1");
  EXPECT_EQ(next_of(c, "message").at("seq").as_int64(), 1);

  killed.signal(SIGKILL);
  killed.wait_exit(10s);
  // While its last heartbeat is fresh (5 s) it is expected and silent: missing, after the 1 s
  // deadline of the call.
  v1::StatsResponse stats;
  ASSERT_TRUE(eventually(
      [&] {
        stats = nodes[1]->stats();
        return stats.nodes_missing_size() == 1;
      },
      4s));
  EXPECT_EQ(stats.nodes_missing(0), "doomed");
  EXPECT_EQ(stats.nodes_size(), 3);
  publish(*nodes[0], room_target("k"), "2");
  publish(*nodes[0], room_target("k"), "3");

  ws_client back;
  ASSERT_FALSE(back.connect_and_greet(nodes[2]->ws_port()).empty());
  back.send(R"({"type":"subscribe","room":"k","since":{"seq":1,"epoch":")" + epoch + R"("}})");
  auto reply = next_of(back, "subscribed");
  EXPECT_TRUE(reply.at("recovered").as_bool());
  EXPECT_EQ(reply.at("missed").as_int64(), 2);
  EXPECT_EQ(json::serialize(next_of(back, "message").at("data")), "2");
  EXPECT_EQ(json::serialize(next_of(back, "message").at("data")), "3");
}

// A node stopped with SIGTERM leaves the cluster as it goes: nobody waits for it afterwards.
TEST_F(Cluster, ANodeStoppedCleanlyIsNotWaitedFor) {
  child_process brief(
      wsedge_argv({"--broker=redis", "--redis_url=" + redis->url(), "--redis_prefix=" + prefix,
                   "--node_name=brief", "--threads=1"}));
  ASSERT_TRUE(read_startup_line(brief));
  ASSERT_TRUE(every_node_sees(4));
  brief.signal(SIGTERM);
  ASSERT_EQ(brief.wait_exit(10s), 0);
  const auto asked = clock::now();
  auto stats = nodes[0]->stats();
  EXPECT_LT(clock::now() - asked, 900ms);  // answered without waiting out the 1 s deadline
  EXPECT_EQ(stats.nodes_size(), 3);
  EXPECT_EQ(stats.nodes_missing_size(), 0);
}

// Heartbeats far apart: without the leaving node's notice, the others would wait for it (and
// name it missing) until their next heartbeat, seconds later.
class ClusterSlowHeartbeat : public cluster_fixture {
 protected:
  ClusterSlowHeartbeat() : cluster_fixture(3) {}
  void tune(engine::redis::redis_engine_options& o) override {
    o.heartbeat = std::chrono::seconds(3);  // the next one comes long after the request below
    o.node_timeout = std::chrono::seconds(30);
  }
};

TEST_F(ClusterSlowHeartbeat, ANodeThatLeavesIsForgottenAtOnceNotAtTheNextHeartbeat) {
  // Nodes learn which nodes are live from their heartbeats: node 0 expects node 2 once its
  // heartbeat has read it.
  auto live = [&] { return nodes[0]->server().hub().metrics().engine.live_nodes; };
  ASSERT_TRUE(eventually([&] { return live() == 3; }));
  nodes[2].reset();  // a clean stop: the node says it leaves
  const auto asked = clock::now();
  auto stats = nodes[0]->stats();
  EXPECT_LT(clock::now() - asked, 900ms);
  EXPECT_EQ(stats.nodes_size(), 2);
  EXPECT_EQ(stats.nodes_missing_size(), 0);
  EXPECT_EQ(live(), 2u);
}

}  // namespace
}  // namespace wsedge::testing
