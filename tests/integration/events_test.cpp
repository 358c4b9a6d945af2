// The backends' event stream over real gRPC streams: the events of one client's life in order,
// `send` with and without a watcher, filters, resumption with after_id, gaps, and a slow watcher
// cut with RESOURCE_EXHAUSTED while clients go on unharmed.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/event_watch.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace v1 = wsedge::v1;

std::string reply_type(ws_client& client) {
  return str(client.read_json().at("type"));
}

void subscribe(ws_client& client, const std::string& room) {
  client.send(R"({"type":"subscribe","room":")" + room + R"("})");
  ASSERT_EQ(reply_type(client), "subscribed");
}

TEST(Events, OneClientsLifeInOrder) {
  test_node node;
  watch all(node);
  ws_client client;
  const std::string id = client.connect_and_greet(node.ws_port());
  ASSERT_FALSE(id.empty());
  subscribe(client, "lobby");
  client.send(R"({"type":"send","room":"lobby","data":{"typing":true},"id":"s1"})");
  auto sent = client.read_json();
  EXPECT_EQ(str(sent.at("type")), "sent");
  EXPECT_EQ(str(sent.at("id")), "s1");
  client.send(R"({"type":"unsubscribe","room":"lobby"})");
  EXPECT_EQ(reply_type(client), "unsubscribed");
  subscribe(client, "game");
  v1::KickRequest kick;
  kick.set_client_id(id);
  kick.set_reason("bye");
  v1::KickResponse kicked;
  ASSERT_TRUE(node.kick(kick, &kicked).ok());
  EXPECT_EQ(client.wait_for_close(), 4000);

  std::uint64_t last_id = 0;
  auto expect = [&](v1::Event::KindCase kind, const std::string& room) {
    v1::Event e = all.next();
    EXPECT_EQ(e.kind_case(), kind) << e.ShortDebugString();
    EXPECT_EQ(e.client_id(), id);
    EXPECT_EQ(e.room(), room);
    EXPECT_EQ(e.node(), node.server().hub().node_name());
    EXPECT_GT(e.id(), last_id);
    EXPECT_GT(e.ts(), 0);
    last_id = e.id();
    return e;
  };
  expect(v1::Event::kConnected, "");
  expect(v1::Event::kJoined, "lobby");
  EXPECT_EQ(expect(v1::Event::kClientMessage, "lobby").client_message().data(),
            R"({"typing":true})");
  expect(v1::Event::kLeft, "lobby");
  expect(v1::Event::kJoined, "game");
  expect(v1::Event::kLeft, "game");
  const v1::Event gone = expect(v1::Event::kDisconnected, "");
  EXPECT_EQ(gone.disconnected().code(), 4000u);
  EXPECT_EQ(gone.disconnected().reason(), "bye");
}

TEST(Events, SendIsNoReceiverUntilABackendWatches) {
  test_node node;
  ws_client client;
  ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty());
  client.send(R"({"type":"send","data":"hello?","id":1})");
  auto refused = client.read_json();
  EXPECT_EQ(str(refused.at("type")), "error");
  EXPECT_EQ(str(refused.at("code")), "no_receiver");

  // Resuming from before it (id 1 is older than anything this node numbered): the refused
  // message was not kept, so the backend sees a Gap and then only what was acknowledged.
  v1::WatchRequest messages_only;
  messages_only.add_kinds("client_message");
  messages_only.set_after_id(1);
  watch backend(node, messages_only);
  client.send(R"({"type":"send","data":"hello","id":2})");
  auto sent = client.read_json();
  EXPECT_EQ(str(sent.at("type")), "sent");
  EXPECT_EQ(sent.at("id").as_int64(), 2);
  EXPECT_TRUE(backend.next().has_gap());
  EXPECT_EQ(backend.next().client_message().data(), R"("hello")");
}

TEST(Events, TwoWatchersWithDifferentFiltersEachGetTheirs) {
  test_node node;
  v1::WatchRequest messages_only;
  messages_only.add_kinds("client_message");
  watch messages(node, messages_only);
  v1::WatchRequest chat_joins;
  chat_joins.add_kinds("joined");
  chat_joins.set_room_prefix("chat:");
  watch joins(node, chat_joins);

  ws_client client;
  ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty());
  subscribe(client, "other");
  subscribe(client, "chat:1");
  client.send(R"({"type":"send","data":"m1","id":1})");
  EXPECT_EQ(reply_type(client), "sent");
  subscribe(client, "chat:2");
  client.send(R"({"type":"send","data":"m2","id":2})");
  EXPECT_EQ(reply_type(client), "sent");

  EXPECT_EQ(messages.next().client_message().data(), R"("m1")");
  EXPECT_EQ(messages.next().client_message().data(), R"("m2")");
  v1::Event first = joins.next();
  EXPECT_TRUE(first.has_joined());
  EXPECT_EQ(first.room(), "chat:1");
  EXPECT_EQ(joins.next().room(), "chat:2");
}

TEST(Events, AnUnknownKindIsInvalidArgument) {
  test_node node;
  v1::WatchRequest request;
  request.add_kinds("typing");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto reader = node.control().WatchEvents(&context, request);
  v1::Event event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(Events, ResumingAfterTheLastIdSeenMissesNothing) {
  test_node node;
  ws_client client;
  std::uint64_t last_seen = 0;
  // Another backend takes client messages meanwhile (a send nobody takes is refused, not kept).
  v1::WatchRequest messages_only;
  messages_only.add_kinds("client_message");
  watch other(node, messages_only);
  {
    watch first(node);
    ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty());
    last_seen = first.next().id();  // connected
  }
  // While the first watcher is away: retained, not lost.
  subscribe(client, "r");
  client.send(R"({"type":"send","room":"r","data":1,"id":1})");
  ASSERT_EQ(reply_type(client), "sent");

  v1::WatchRequest resume;
  resume.set_after_id(last_seen);
  watch second(node, resume);
  v1::Event joined = second.next();
  EXPECT_TRUE(joined.has_joined()) << joined.ShortDebugString();
  EXPECT_GT(joined.id(), last_seen);
  v1::Event message = second.next();
  EXPECT_TRUE(message.has_client_message()) << message.ShortDebugString();
  EXPECT_EQ(message.id(), joined.id() + 1);
  // Then live events, on the same stream.
  client.send(R"({"type":"unsubscribe","room":"r"})");
  EXPECT_TRUE(second.next().has_left());
}

TEST(Events, ResumingPastRetentionStartsWithAGap) {
  auto config = test_config();
  config.edge.events_retention = 4;
  test_node node(config);
  ws_client client;
  std::uint64_t last_seen = 0;
  {
    watch first(node);
    ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty());
    last_seen = first.next().id();
  }
  for (int i = 0; i < 5; ++i) subscribe(client, "r" + std::to_string(i));  // 5 joins: 1 lost

  v1::WatchRequest resume;
  resume.set_after_id(last_seen);
  watch second(node, resume);
  v1::Event gap = second.next();
  ASSERT_TRUE(gap.has_gap()) << gap.ShortDebugString();
  EXPECT_EQ(gap.gap().after_id(), last_seen);
  EXPECT_EQ(gap.gap().resumed_id(), last_seen + 2);
  v1::Event next = second.next();
  EXPECT_EQ(next.id(), gap.gap().resumed_id());
  EXPECT_EQ(next.room(), "r1");
}

TEST(Events, ASlowWatcherIsCutAndClientsGoOnUnharmed) {
  auto config = test_config();
  config.edge.events_retention = 0;
  config.edge.event_watcher_buffer = 16;
  config.edge.message_rate = 100000;
  config.edge.message_burst = 100000;
  test_node node(config);

  // The fast watcher reads everything on its own thread; the slow one reads nothing for now.
  std::atomic<int> fast_read{0};
  auto fast = std::make_unique<watch>(node);
  std::thread reader([&] {
    for (;;) {
      v1::Event e = fast->next();
      if (e.has_disconnected()) break;
      ++fast_read;
    }
  });
  watch slow(node);

  auto sender = std::make_unique<ws_client>();
  ws_client member;
  ASSERT_FALSE(sender->connect_and_greet(node.ws_port()).empty());
  ASSERT_FALSE(member.connect_and_greet(node.ws_port()).empty());
  subscribe(member, "news");
  // Large enough that gRPC's flow-control window and the socket buffers fill within a few
  // hundred events, so the slow watcher's queue overflows.
  const std::string pad(30000, 'x');
  constexpr int sends = 800;
  for (int i = 0; i < sends; ++i) {
    // The fast watcher keeps within a few events of the sender (on a busy machine it could
    // otherwise fall event_watcher_buffer behind and be cut too); the slow one reads nothing.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (fast_read.load() < 3 + i - 4 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    ASSERT_GE(fast_read.load(), 3 + i - 4) << "the fast watcher stalled at send " << i;
    sender->send(R"({"type":"send","data":")" + pad + R"(","id":)" + std::to_string(i) + "}");
    ASSERT_EQ(reply_type(*sender), "sent") << i;
  }
  // The edge goes on: publishes reach members.
  ASSERT_TRUE(node.publish(room_target("news"), R"("still here")").ok());
  EXPECT_EQ(str(member.read_json().at("data")), "still here");

  int read = 0;
  grpc::Status status = slow.finish(&read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("after_id="), std::string::npos);
  EXPECT_LT(read, sends);

  // The fast watcher got every event before the sender's disconnection: two connected, one
  // joined and every send.
  sender.reset();
  reader.join();
  EXPECT_EQ(fast_read.load(), 3 + sends);
  auto [code, metrics] = http_get(node.metrics_port(), "/metrics");
  EXPECT_EQ(code, 200);
  EXPECT_NE(metrics.find("wsedge_event_watchers_cut_total 1\n"), std::string::npos);
}

}  // namespace
}  // namespace wsedge::testing
