// Connections that never become WebSockets: silent or half-sent requests, keep-alive health
// checks, a full node. None may hold a socket past handshake_timeout.
#include <gtest/gtest.h>
#include <poll.h>

#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace net = boost::asio;
using net::ip::tcp;
using namespace std::chrono_literals;

const std::string health_request =
    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";

class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port) : socket_(io_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }

  // Everything the server sends until it closes the connection; nullopt if it is still open
  // after `timeout`.
  std::optional<std::string> read_until_closed(std::chrono::milliseconds timeout) {
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (!wait_readable(deadline)) return std::nullopt;
      std::array<char, 4096> chunk;
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(net::buffer(chunk), ec);
      received.append(chunk.data(), n);
      if (ec) return received;
    }
  }

  // One answer to health_request (headers and "ok"), nullopt at the deadline or a close.
  std::optional<std::string> read_health_answer(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pending_.ends_with("\r\n\r\nok\n")) {
      if (!wait_readable(deadline)) return std::nullopt;
      std::array<char, 4096> chunk;
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(net::buffer(chunk), ec);
      if (ec) return std::nullopt;
      pending_.append(chunk.data(), n);
    }
    return std::exchange(pending_, {});
  }

 private:
  bool wait_readable(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    pollfd fd{socket_.native_handle(), POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(left.count())) == 1;
  }

  net::io_context io_;
  tcp::socket socket_;
  std::string pending_;
};

TEST(HandshakeTimeout, SilentAndHalfSentRequestsAreClosedAndCounted) {
  auto config = test_config();
  config.edge.handshake_timeout = 300ms;
  test_node node(config);
  raw_connection silent(node.ws_port()), half(node.ws_port());
  half.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
  // The default write_timeout (10 s) used to be the only bound: 3 s is well inside it.
  EXPECT_TRUE(silent.read_until_closed(3s));
  EXPECT_TRUE(half.read_until_closed(3s));
  EXPECT_TRUE(node.events().wait_for(
      [](const event_counts& c) {
        return c.rejected.count("handshake_timeout") != 0 &&
               c.rejected.at("handshake_timeout") == 2;
      },
      5s));
}

TEST(HandshakeTimeout, KeepAliveHealthChecksDoNotExtendTheConnection) {
  auto config = test_config();
  config.edge.handshake_timeout = 500ms;
  test_node node(config);
  raw_connection prober(node.ws_port());
  // A health check every 100 ms used to reset the connection's timer each time.
  const auto start = std::chrono::steady_clock::now();
  int answered = 0;
  while (std::chrono::steady_clock::now() - start < 5s) {
    prober.send(health_request);
    if (!prober.read_health_answer(200ms)) break;
    ++answered;
    if (prober.read_until_closed(100ms)) break;  // the pacing wait: returns early on a close
  }
  EXPECT_GE(answered, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << answered << " answers";
}

TEST(HandshakeTimeout, KeepAliveRequestsPerConnectionAreBounded) {
  auto config = test_config();
  config.edge.http_keepalive_requests = 3;
  test_node node(config);
  raw_connection prober(node.ws_port());
  for (int i = 1; i <= 2; ++i) {
    prober.send(health_request);
    auto response = prober.read_health_answer(5s);
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->find("Connection: close"), std::string::npos) << *response;
  }
  prober.send(health_request);
  auto last = prober.read_until_closed(5s);
  ASSERT_TRUE(last) << "the third answer must end the connection";
  EXPECT_NE(last->find("200 OK"), std::string::npos) << *last;
  EXPECT_NE(last->find("Connection: close"), std::string::npos) << *last;
}

TEST(HandshakeTimeout, AFullNodeAnswersHealthChecksWithoutKeepingTheConnection) {
  auto config = test_config();
  config.edge.max_connections = 1;
  test_node node(config);
  ws_client member;
  ASSERT_FALSE(member.connect_and_greet(node.ws_port()).empty());
  raw_connection prober(node.ws_port());
  prober.send(health_request);
  auto answer = prober.read_until_closed(5s);
  ASSERT_TRUE(answer) << "a connection over max_connections must not be kept alive";
  EXPECT_NE(answer->find("200 OK"), std::string::npos) << *answer;
}

TEST(HandshakeTimeout, NewClientsAreServedWhileHundredsOfIdleConnectionsAreOpen) {
  auto config = test_config();
  config.edge.handshake_timeout = 1500ms;
  test_node node(config);
  std::vector<std::unique_ptr<raw_connection>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(std::make_unique<raw_connection>(node.ws_port()));
    if (i % 2 == 0) idle.back()->send("GET /ws HTTP/1.1\r\nHost: x\r\n");
  }
  ws_client client;
  ASSERT_FALSE(client.connect_and_greet(node.ws_port()).empty());
  EXPECT_EQ(http_get(node.ws_port(), "/healthz").first, 200);
  EXPECT_TRUE(node.events().wait_for(
      [](const event_counts& c) {
        return c.rejected.count("handshake_timeout") != 0 &&
               c.rejected.at("handshake_timeout") == 300;
      },
      10s));
  for (auto& connection : idle) EXPECT_TRUE(connection->read_until_closed(1s));
  // The WebSocket that upgraded in time is not touched by the handshake deadline.
  client.send(R"({"type":"ping","id":1})");
  EXPECT_EQ(str(client.read_json().at("type")), "pong");
}

}  // namespace
}  // namespace wsedge::testing
