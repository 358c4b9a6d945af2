// /metrics over real HTTP: the PROTOCOL.md series move after the actions that should move them,
// and the exposition passes `promtool check metrics`.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

// The value of one series line, e.g. `wsedge_connections` or `wsedge_errors_total{kind="x"}`.
double value_of(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::string scrape(test_node& node) {
  auto [status, body] = http_get(node.metrics_port(), "/metrics");
  EXPECT_EQ(status, 200);
  return body;
}

TEST(Metrics, SeriesMoveWithTheActions) {
  test_node node;
  std::string before = scrape(node);
  EXPECT_EQ(value_of(before, "wsedge_connections"), 0);
  EXPECT_EQ(value_of(before, "wsedge_published_total{source=\"grpc\"}"), 0);

  ws_client a, b;
  auto a_id = a.connect_and_greet(node.ws_port());
  b.connect_and_greet(node.ws_port());
  a.send(R"({"type":"subscribe","room":"lobby"})");
  EXPECT_EQ(a.read_json().at("type"), "subscribed");
  a.send(R"({"type":"publish","room":"lobby","data":1})");
  EXPECT_EQ(a.read_json().at("type"), "message");
  ASSERT_TRUE(node.publish(room_target("lobby"), "2").ok());
  EXPECT_EQ(a.read_json().at("type"), "message");
  a.send(R"({"type":"nonsense"})");
  EXPECT_EQ(a.read_json().at("code"), "unknown_type");
  wsedge::v1::KickRequest kick;
  kick.set_client_id(a_id);
  wsedge::v1::KickResponse kicked;
  ASSERT_TRUE(node.kick(kick, &kicked).ok());
  EXPECT_EQ(a.wait_for_close(), 4000);
  ASSERT_TRUE(node.events().wait_for([](const event_counts& c) { return c.closed == 1; }));

  std::string after = scrape(node);
  EXPECT_EQ(value_of(after, "wsedge_connections"), 1);
  EXPECT_EQ(value_of(after, "wsedge_connections_opened_total"), 2);
  EXPECT_EQ(value_of(after, "wsedge_rooms"), 0);
  EXPECT_EQ(value_of(after, "wsedge_subscriptions"), 0);
  EXPECT_EQ(value_of(after, "wsedge_messages_received_total"), 3);
  EXPECT_GE(value_of(after, "wsedge_messages_sent_total"), 6);
  EXPECT_GT(value_of(after, "wsedge_bytes_sent_total"), 100);
  EXPECT_EQ(value_of(after, "wsedge_published_total{source=\"grpc\"}"), 1);
  EXPECT_EQ(value_of(after, "wsedge_published_total{source=\"client\"}"), 1);
  EXPECT_EQ(value_of(after, "wsedge_errors_total{kind=\"unknown_type\"}"), 1);
  EXPECT_EQ(value_of(after, "wsedge_kicks_total"), 1);
  EXPECT_EQ(value_of(after, "wsedge_slow_consumer_disconnects_total"), 0);
  EXPECT_EQ(value_of(after, "wsedge_publish_fanout_seconds_count"), 2);
  // No label carries a room, user or client name.
  EXPECT_EQ(after.find("lobby"), std::string::npos);
  EXPECT_EQ(after.find(a_id), std::string::npos);

  ws_client refused;
  EXPECT_FALSE(refused.connect(node.ws_port(), "/ws/rooms/bad%20name"));
  EXPECT_EQ(value_of(scrape(node), "wsedge_rejected_connections_total{reason=\"invalid_room\"}"),
            1);
}

TEST(Metrics, ExpositionPassesPromtool) {
  test_node node;
  ws_client a;
  a.connect_and_greet(node.ws_port());
  a.send("{bad");
  EXPECT_EQ(a.read_json().at("code"), "invalid_json");
  std::string exposition = scrape(node);
  std::string path = ::testing::TempDir() + "/wsedge_metrics.txt";
  std::ofstream(path) << exposition;
  std::string command = std::string(PROMTOOL) + " check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  EXPECT_EQ(pclose(pipe), 0) << output;
}

TEST(Metrics, QueueDepthsRiseWithAStalledReaderAndReturnToZero) {
  auto config = test_config();
  config.edge.max_queue_messages = 4096;
  config.edge.max_queue_bytes = std::size_t{256} << 20;
  // Longer than the publishes take even under a sanitizer: the stalled write is not what ends it.
  config.edge.write_timeout = std::chrono::seconds(60);
  test_node node(config);
  // Never reads after joining: the kernel's buffers fill, then its queue.
  auto stalled = std::make_unique<ws_client>();
  ASSERT_FALSE(stalled->connect_and_greet(node.ws_port(), "/ws/rooms/r").empty());
  EXPECT_EQ(str(stalled->read_json().at("type")), "subscribed");
  const std::string data = "\"" + std::string(64 * 1024, 'x') + "\"";
  constexpr int publishes = 400;  // 26 MB: far more than loopback socket buffers hold
  for (int i = 0; i < publishes; ++i) ASSERT_TRUE(node.publish(room_target("r"), data).ok());
  std::string during = scrape(node);
  const double queued = value_of(during, "wsedge_outbound_queued_messages");
  EXPECT_GT(queued, 0);
  EXPECT_LE(queued, publishes);
  EXPECT_GT(value_of(during, "wsedge_outbound_queued_bytes"), queued * 64 * 1024);
  EXPECT_GE(value_of(during, "wsedge_shard_mailbox_tasks{shard=\"0\"}"), 0);
  EXPECT_GE(value_of(during, "wsedge_shard_mailbox_tasks{shard=\"1\"}"), 0);

  // The reader goes away: the next write fails and its queue is dropped with the connection.
  stalled.reset();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string after;
  do {
    after = scrape(node);
  } while ((value_of(after, "wsedge_outbound_queued_messages") != 0 ||
            value_of(after, "wsedge_connections") != 0) &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(value_of(after, "wsedge_outbound_queued_messages"), 0);
  EXPECT_EQ(value_of(after, "wsedge_outbound_queued_bytes"), 0);
  EXPECT_EQ(value_of(after, "wsedge_connections"), 0);
}

}  // namespace
}  // namespace wsedge::testing
