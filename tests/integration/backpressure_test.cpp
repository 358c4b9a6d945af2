// Slow consumers, oversized frames and dead peers: each is closed, and nobody else is affected.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace json = boost::json;
namespace v1 = wsedge::v1;

void subscribe(ws_client& c, const std::string& room) {
  c.send(R"({"type":"subscribe","room":")" + room + R"("})");
  EXPECT_EQ(c.read_json().at("type"), "subscribed");
}

TEST(Backpressure, NeverReadingClientIsEvictedWith4001WhileOthersGetEverythingInOrder) {
  auto config = test_config();
  config.edge.max_queue_messages = 16;
  config.edge.max_queue_bytes = 256 * 1024;
  test_node node(config);
  ws_client slow, fast;
  slow.connect_and_greet(node.ws_port());
  fast.connect_and_greet(node.ws_port());
  subscribe(slow, "feed");
  subscribe(fast, "feed");

  constexpr int messages = 1500;
  const std::string payload = "\"" + std::string(16 * 1024, 'p') + "\"";
  std::thread reader([&] {
    for (int expected = 1; expected <= messages; ++expected) {
      auto m = fast.read_json();
      ASSERT_TRUE(m.is_object()) << "fast reader lost message " << expected;
      ASSERT_EQ(m.at("seq"), expected);
    }
  });
  for (int i = 0; i < messages; ++i) ASSERT_TRUE(node.publish(room_target("feed"), payload).ok());
  reader.join();

  ASSERT_TRUE(node.events().wait_for([](const event_counts& c) { return c.slow_consumers == 1; }));
  // Once it reads again it finds what was already in flight, then the 4001 close.
  EXPECT_EQ(slow.wait_for_close(), 4001);
  EXPECT_EQ(node.stats("feed").room_stats(0).members(), 1u);
}

TEST(Backpressure, OversizedMessageClosesWith1009) {
  auto config = test_config();
  config.edge.max_message_bytes = 1024;
  test_node node(config);
  ws_client big, bystander;
  big.connect_and_greet(node.ws_port());
  bystander.connect_and_greet(node.ws_port());
  big.send(R"({"type":"heartbeat","pad":")" + std::string(2000, 'x') + "\"}");
  EXPECT_EQ(big.wait_for_close(), 1009) << big.last_error();
  bystander.send(R"({"type":"ping"})");
  EXPECT_EQ(bystander.read_json().at("type"), "pong");
  // Exactly at the limit is fine.
  ws_client edge_case;
  edge_case.connect_and_greet(node.ws_port());
  std::string exact = R"({"type":"ping","pad":")";
  exact += std::string(1024 - exact.size() - 2, 'y') + "\"}";
  ASSERT_EQ(exact.size(), 1024u);
  edge_case.send(exact);
  EXPECT_EQ(edge_case.read_json().at("type"), "pong");
}

TEST(Backpressure, SilentPeerIsDroppedAndAPeerAnsweringPingsStays) {
  auto config = test_config();
  config.edge.ping_interval = std::chrono::milliseconds(100);
  config.edge.pong_timeout = std::chrono::milliseconds(400);
  test_node node(config);
  ws_client answering, silent;
  auto answering_id = answering.connect_and_greet(node.ws_port());
  silent.connect_and_greet(node.ws_port());
  // Reading makes the client answer the server's pings; the silent one never reads.
  std::optional<std::string> got;
  std::thread reader([&] { got = answering.read(std::chrono::seconds(15)); });
  ASSERT_TRUE(node.events().wait_for([](const event_counts& c) { return c.closed >= 1; }));
  EXPECT_EQ(node.events().snapshot().errors["pong_timeout"], 1);
  v1::Target target;
  target.set_client_id(answering_id);
  v1::PublishResponse response;
  ASSERT_TRUE(node.publish(target, "\"still here\"", &response).ok());
  reader.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(json::parse(*got).at("data"), "still here");
  EXPECT_EQ(node.events().snapshot().closed, 1);
}

}  // namespace
}  // namespace wsedge::testing
