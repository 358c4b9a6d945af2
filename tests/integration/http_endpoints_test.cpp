// The edge port's HTTP side: health, readiness, unknown paths, refusals before the upgrade.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio.hpp>
#include <memory>
#include <vector>

#include "demo_assets.hpp"
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
  EXPECT_EQ(http_get(node.ws_port(), "/demo").first, 404);     // off by default
  node.server().hub().drain();
  EXPECT_EQ(http_get(node.ws_port(), "/readyz").first, 503);
  EXPECT_EQ(http_get(node.ws_port(), "/healthz").first, 200);
  ws_client late;
  EXPECT_FALSE(late.connect(node.ws_port()));
  EXPECT_EQ(late.http_status(), 503);
}

TEST(HttpEndpoints, TheDemoPageAndItsClientAreServedWhenEnabled) {
  app::server_config config = test_config();
  config.edge.demo_page = true;
  config.edge.demo_page_html = demo::page_html();
  config.edge.demo_client_js = demo::client_js();
  test_node node(config);
  auto [status, page] = http_get(node.ws_port(), "/demo");
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("id=\"status\""), std::string::npos);
  EXPECT_NE(page.find("id=\"log\""), std::string::npos);
  auto [script_status, script] = http_get(node.ws_port(), "/demo/wsedge-client.js");
  EXPECT_EQ(script_status, 200);
  EXPECT_NE(script.find("WsEdgeClient"), std::string::npos);
  EXPECT_GT(script.size(), 1000u);
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

TEST(HttpEndpoints, ConcurrentUpgradesNeverOvershootMaxConnections) {
  auto config = test_config();
  config.edge.max_connections = 5;
  test_node node(config);
  // 200 upgrade requests written at once, all sockets open until every answer is in.
  namespace net = boost::asio;
  net::io_context io;
  constexpr int attempts = 200;
  std::vector<std::unique_ptr<net::ip::tcp::socket>> sockets;
  std::vector<std::string> answers(attempts);
  std::vector<std::array<char, 512>> buffers(attempts);
  const std::string request =
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  int answered = 0;
  for (int i = 0; i < attempts; ++i) {
    auto& socket = sockets.emplace_back(std::make_unique<net::ip::tcp::socket>(io));
    socket->async_connect(
        {net::ip::make_address("127.0.0.1"), node.ws_port()}, [&, i](boost::system::error_code ec) {
          if (ec) return void(++answered);
          net::write(*sockets[i], net::buffer(request), ec);
          sockets[i]->async_read_some(net::buffer(buffers[i]),
                                      [&, i](boost::system::error_code, std::size_t n) {
                                        answers[i].assign(buffers[i].data(), n);
                                        ++answered;
                                      });
        });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (answered < attempts && io.run_one_until(deadline) != 0) {
  }
  ASSERT_EQ(answered, attempts);
  int upgraded = 0, full = 0;
  for (const auto& answer : answers) {
    upgraded += answer.starts_with("HTTP/1.1 101");
    full += answer.starts_with("HTTP/1.1 503");
  }
  EXPECT_EQ(upgraded, 5);
  EXPECT_EQ(full, attempts - 5);
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
