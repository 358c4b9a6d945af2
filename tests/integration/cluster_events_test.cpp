// The backends' event stream in cluster mode, against a real redis-server: every node's events on
// one stream with one run of ids that any node serves (resumption on another node), `send`
// answered by whether a watcher anywhere wants it, and events made while Redis is away kept in
// order and delivered after a gap once it is back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cluster_fixture.hpp"
#include "tests/support/event_watch.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"
#include "tests/support/wsedge_binary.hpp"

namespace wsedge::testing {
namespace {

namespace v1 = wsedge::v1;
using namespace std::chrono_literals;

class ClusterEvents : public cluster_fixture {
 protected:
  ClusterEvents() : cluster_fixture(2) {}
};

v1::WatchRequest kinds(std::initializer_list<const char*> names, std::uint64_t after_id = 0) {
  v1::WatchRequest request;
  for (const char* name : names) request.add_kinds(name);
  request.set_after_id(after_id);
  return request;
}

// A client's answer to a send: "sent", or the error's code.
std::string send(ws_client& client, const std::string& data, const std::string& id) {
  client.send(R"({"type":"send","data":)" + data + R"(,"id":")" + id + R"("})");
  const boost::json::value reply = client.read_json();
  if (!reply.is_object()) return "<nothing>";
  const std::string type = str(reply.at("type"));
  EXPECT_EQ(str(reply.at("id")), id);
  return type == "error" ? str(reply.at("code")) : type;
}

TEST_F(ClusterEvents, EveryNodesEventsAreOneStreamThatAnyNodeServes) {
  watch on0(*nodes[0]);
  watch on1(*nodes[1]);
  ws_client a, b;
  const std::string a_id = a.connect_and_greet(nodes[1]->ws_port());
  ASSERT_FALSE(a_id.empty());
  ASSERT_EQ(send(a, R"({"typing":true})", "s1"), "sent");
  const std::string b_id = b.connect_and_greet(nodes[0]->ws_port());
  ASSERT_FALSE(b_id.empty());
  ASSERT_EQ(send(b, "2", "s2"), "sent");

  // Both watchers see the same four events, with the same ids, one after another.
  std::vector<v1::Event> seen[2];
  for (int i = 0; i < 4; ++i) {
    seen[0].push_back(on0.next());
    seen[1].push_back(on1.next());
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(seen[0][i].id(), seen[1][i].id()) << i;
    EXPECT_EQ(seen[0][i].node(), seen[1][i].node()) << i;
    if (i > 0) {
      EXPECT_EQ(seen[0][i].id(), seen[0][i - 1].id() + 1) << i;
    }
  }
  const auto& s = seen[0];
  EXPECT_TRUE(s[0].has_connected());
  EXPECT_EQ(s[0].client_id(), a_id);
  EXPECT_EQ(s[0].node(), "n1");
  ASSERT_TRUE(s[1].has_client_message());
  EXPECT_EQ(s[1].client_message().data(), R"({"typing":true})");
  EXPECT_EQ(s[1].node(), "n1");
  EXPECT_TRUE(s[2].has_connected());
  EXPECT_EQ(s[2].client_id(), b_id);
  EXPECT_EQ(s[2].node(), "n0");
  ASSERT_TRUE(s[3].has_client_message());
  EXPECT_EQ(s[3].client_message().data(), "2");
  EXPECT_EQ(s[3].node(), "n0");

  // A backend that read the first event on node 0 resumes on node 1 without a gap.
  watch resumed(*nodes[1], kinds({}, s[0].id()));
  for (int i = 1; i < 4; ++i) {
    const v1::Event e = resumed.next();
    EXPECT_FALSE(e.has_gap());
    EXPECT_EQ(e.id(), s[i].id());
    EXPECT_EQ(e.node(), s[i].node());
  }
}

TEST_F(ClusterEvents, ASendIsTakenWhenAWatcherOnAnyNodeWantsIt) {
  ws_client client;
  ASSERT_FALSE(client.connect_and_greet(nodes[1]->ws_port()).empty());
  EXPECT_EQ(send(client, "1", "nobody"), "no_receiver");

  // A watcher of joins only, on the client's own node (its filter reaches Redis before the
  // client's next send, on the same connection): still nobody for a client message.
  watch joins(*nodes[1], kinds({"joined"}));
  EXPECT_EQ(send(client, "2", "joins-only"), "no_receiver");

  watch messages(*nodes[0], kinds({"client_message"}));
  // Node 0 tells Redis of its watcher on its own connection: a send from node 1 may come first.
  int attempt = 0;
  std::string answer;
  ASSERT_TRUE(eventually([&] {
    answer = send(client, "3", "try" + std::to_string(++attempt));
    return answer == "sent";
  })) << answer;
  const v1::Event e = messages.next();
  ASSERT_TRUE(e.has_client_message());
  EXPECT_EQ(e.client_message().data(), "3");
  EXPECT_EQ(e.node(), "n1");
}

TEST_F(ClusterEvents, EventsMadeWhileRedisIsAwayArriveInOrderAfterAGap) {
  watch all(*nodes[0]);
  ws_client first;
  const std::string first_id = first.connect_and_greet(nodes[1]->ws_port());
  ASSERT_FALSE(first_id.empty());
  const v1::Event before = all.next();
  EXPECT_EQ(before.client_id(), first_id);

  redis->kill();
  ASSERT_TRUE(eventually([&] { return !nodes[1]->server().hub().engine_up(); }, 5s));
  ws_client during;
  const std::string during_id = during.connect_and_greet(nodes[1]->ws_port());
  ASSERT_FALSE(during_id.empty());
  // Nobody can be said to have a client message while Redis is away.
  EXPECT_EQ(send(during, "1", "away"), "unavailable");

  // Redis comes back empty: the stream starts again above the ids it gave before, so every
  // watcher hears of a gap, then the events the node held, in order.
  ASSERT_TRUE(redis->start());
  ASSERT_TRUE(all_up());
  const v1::Event gap = all.next();
  ASSERT_TRUE(gap.has_gap());
  EXPECT_EQ(gap.gap().after_id(), before.id());
  v1::Event connected = all.next();
  EXPECT_EQ(connected.id(), gap.gap().resumed_id());
  // At least once: the first client's event can come again when Redis went away between
  // taking it and answering (the node cannot know it was taken, so it sends it again).
  if (connected.has_connected() && connected.client_id() == first_id) connected = all.next();
  EXPECT_TRUE(connected.has_connected());
  EXPECT_EQ(connected.client_id(), during_id);
  EXPECT_GT(connected.id(), before.id());
  EXPECT_EQ(nodes[1]->server().hub().metrics().events_lost, 0u);
}

TEST_F(ClusterEvents, ADrainedNodesClientsLeaveTheStreamWithTheirCloseCode) {
  child_process brief(
      wsedge_argv({"--broker=redis", "--redis_url=" + redis->url(), "--redis_prefix=" + prefix,
                   "--node_name=brief", "--threads=1"}));
  const auto ports = read_startup_line(brief);
  ASSERT_TRUE(ports);
  ASSERT_TRUE(every_node_sees(3));
  watch all(*nodes[0]);
  ws_client client;
  const std::string id = client.connect_and_greet(static_cast<std::uint16_t>(ports->ws));
  ASSERT_FALSE(id.empty());
  client.send(R"({"type":"subscribe","room":"r"})");
  ASSERT_EQ(str(client.read_json().at("type")), "subscribed");
  EXPECT_TRUE(all.next().has_connected());
  EXPECT_TRUE(all.next().has_joined());

  // SIGTERM: the node closes its clients with 1001 and leaves the cluster; what they did on
  // their way out is on the stream before it goes.
  brief.signal(SIGTERM);
  EXPECT_EQ(client.wait_for_close(), 1001);
  ASSERT_EQ(brief.wait_exit(10s), 0);
  const v1::Event left = all.next();
  EXPECT_TRUE(left.has_left());
  EXPECT_EQ(left.room(), "r");
  const v1::Event gone = all.next();
  ASSERT_TRUE(gone.has_disconnected());
  EXPECT_EQ(gone.disconnected().code(), 1001u);
  EXPECT_EQ(gone.client_id(), id);
  EXPECT_EQ(gone.node(), "brief");
}

}  // namespace
}  // namespace wsedge::testing
