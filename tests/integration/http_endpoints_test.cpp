// The edge port's HTTP side: health, readiness, unknown paths, refusals before the upgrade.
#include <gtest/gtest.h>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

TEST(HttpEndpoints, HealthReadinessAndUnknownPaths) {
  test_node node;
  EXPECT_EQ(http_get(node.ws_port(), "/healthz").first, 200);
  EXPECT_EQ(http_get(node.ws_port(), "/readyz").first, 200);
  EXPECT_EQ(http_get(node.ws_port(), "/nope").first, 404);
  auto [status, body] = http_get(node.ws_port(), "/ws");
  EXPECT_EQ(status, 426);
  EXPECT_NE(body.find("WebSocket"), std::string::npos);
  EXPECT_EQ(http_get(node.ws_port(), "/ws/echo").first, 404);  // off by default
  node.server().hub().drain();
  EXPECT_EQ(http_get(node.ws_port(), "/readyz").first, 503);
  EXPECT_EQ(http_get(node.ws_port(), "/healthz").first, 200);
  ws_client late;
  EXPECT_FALSE(late.connect(node.ws_port()));
  EXPECT_EQ(late.http_status(), 503);
}

TEST(HttpEndpoints, MaxConnectionsRefusesWith503) {
  auto config = test_config();
  config.edge.max_connections = 1;
  test_node node(config);
  ws_client first, second;
  ASSERT_FALSE(first.connect_and_greet(node.ws_port()).empty());
  EXPECT_FALSE(second.connect(node.ws_port()));
  EXPECT_EQ(second.http_status(), 503);
  EXPECT_EQ(node.events().snapshot().rejected["max_connections"], 1);
}

TEST(HttpEndpoints, ConnectionRatePerAddressRefusesWith429) {
  auto config = test_config();
  config.edge.connect_rate_per_ip = 0.01;
  config.edge.connect_burst_per_ip = 2;
  test_node node(config);
  ws_client first, second, third;
  EXPECT_TRUE(first.connect(node.ws_port()));
  EXPECT_TRUE(second.connect(node.ws_port()));
  EXPECT_FALSE(third.connect(node.ws_port()));
  EXPECT_EQ(third.http_status(), 429);
  EXPECT_EQ(node.events().snapshot().rejected["ip_rate"], 1);
  // Health probes are not connections and are never limited.
  EXPECT_EQ(http_get(node.ws_port(), "/healthz").first, 200);
}

TEST(HttpEndpoints, DisallowedOriginIsRefusedWith403) {
  auto config = test_config();
  config.edge.allowed_origins = {"https://app.example"};
  test_node node(config);
  ws_client good, bad;
  EXPECT_TRUE(good.connect(node.ws_port(), "/ws", {{"Origin", "https://app.example"}}));
  EXPECT_FALSE(bad.connect(node.ws_port(), "/ws", {{"Origin", "https://evil.example"}}));
  EXPECT_EQ(bad.http_status(), 403);
}

TEST(HttpEndpoints, EchoEndpointEchoesTextAndBinaryWhenEnabled) {
  auto config = test_config();
  config.edge.echo_endpoint = true;
  test_node node(config);
  ws_client c;
  ASSERT_TRUE(c.connect(node.ws_port(), "/ws/echo"));
  c.send("not even json");
  EXPECT_EQ(c.read(), "not even json");
  c.send_binary(std::string("\x00\xff", 2));
  EXPECT_EQ(c.read(), std::string("\x00\xff", 2));
}

}  // namespace
}  // namespace wsedge::testing
