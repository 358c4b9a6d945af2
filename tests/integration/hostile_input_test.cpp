// Rows of docs/security.md not covered elsewhere: each hostile input gets its documented answer,
// and a bystander on the same node keeps working.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "tests/support/client_frame.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

class HostileInput : public ::testing::Test {
 protected:
  HostileInput() : node(small_limits()) { bystander.connect_and_greet(node.ws_port()); }

  static app::server_config small_limits() {
    auto config = test_config();
    config.edge.max_message_bytes = 4096;
    return config;
  }
  void expect_bystander_fine() {
    bystander.send(R"({"type":"ping"})");
    EXPECT_EQ(str(bystander.read_json().at("type")), "pong");
  }

  test_node node;
  ws_client bystander;
};

TEST_F(HostileInput, WrongWebSocketVersionIsRefusedBeforeTheUpgrade) {
  auto [status, body] = http_get(node.ws_port(), "/ws",
                                 {{"Upgrade", "websocket"},
                                  {"Connection", "Upgrade"},
                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                  {"Sec-WebSocket-Version", "8"}});
  EXPECT_EQ(status, 426);
  expect_bystander_fine();
}

TEST_F(HostileInput, InvalidUtf8InATextFrameClosesWith1007) {
  ws_client c;
  c.connect_and_greet(node.ws_port());
  c.send("{\"type\":\"ping\",\"x\":\"\xc3\x28\"}");
  EXPECT_EQ(c.wait_for_close(), 1007);
  expect_bystander_fine();
}

TEST_F(HostileInput, FragmentFloodIsBoundedByTheMessageLimit) {
  ws_client c;
  c.connect_and_greet(node.ws_port());
  // 102 fragments stay under the 4 KB limit; the 103rd crosses it (the last one sent, so the
  // client is reading, not writing, when the server closes).
  c.send_fragments(103, 40);
  EXPECT_EQ(c.wait_for_close(), 1009);
  expect_bystander_fine();
}

TEST_F(HostileInput, DeeplyNestedJsonIsAnErrorNotACrash) {
  ws_client c;
  c.connect_and_greet(node.ws_port());
  c.send(std::string(1000, '[') + std::string(1000, ']'));
  EXPECT_EQ(str(c.read_json().at("code")), "invalid_json");
  c.send(R"({"type":"publish","room":"r","data":)" + std::string(60, '[') + std::string(60, ']') +
         "}");
  EXPECT_EQ(str(c.read_json().at("code")), "not_subscribed");  // parsed fine, within depth
  expect_bystander_fine();
}

TEST_F(HostileInput, HugeNumbersPassThroughVerbatim) {
  ws_client c;
  c.connect_and_greet(node.ws_port());
  c.send(R"({"type":"subscribe","room":"n"})");
  c.read_json();
  const std::string huge = "1" + std::string(300, '0') + ".5e99999";
  c.send(R"({"type":"publish","room":"n","data":)" + huge + "}");
  auto text = c.read();
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("\"data\":" + huge), std::string::npos);
}

TEST_F(HostileInput, SubscribeFloodHitsTheSubscriptionLimit) {
  ws_client c;
  c.connect_and_greet(node.ws_port());
  int refused = 0;
  for (int i = 0; i < 150; ++i) {
    c.send(R"({"type":"subscribe","room":"flood)" + std::to_string(i) + R"("})");
    auto reply = c.read_json();
    if (str(reply.at("type")) == "error") {
      EXPECT_EQ(str(reply.at("code")), "too_many_subscriptions");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 150 - 128);
  expect_bystander_fine();
}

// A complete upgrade request, for tests that write bytes behind it.
constexpr std::string_view upgrade_request =
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// Reads from `socket` until `needle` shows up in what arrived (or the connection ends / 10 s).
std::string read_until_seen(boost::asio::io_context& io, boost::asio::ip::tcp::socket& socket,
                            std::string_view needle) {
  std::string received;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (received.find(needle) == std::string::npos) {
    bool done = false;
    boost::system::error_code ec;
    std::size_t n = 0;
    socket.async_read_some(boost::asio::buffer(buffer), [&](auto e, std::size_t k) {
      ec = e;
      n = k;
      done = true;
    });
    io.restart();
    while (!done && io.run_one_until(deadline) != 0) {
    }
    if (!done) {
      socket.cancel();
      io.restart();
      io.run();
      break;
    }
    if (ec) break;
    received.append(buffer, n);
  }
  return received;
}

TEST_F(HostileInput, FramesSentWithTheUpgradeRequestAreRead) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), node.ws_port()});
  // The request and two frames in one write: the frames sit in the server's HTTP buffer.
  boost::asio::write(socket, boost::asio::buffer(std::string(upgrade_request) +
                                                 client_frame(0x81, R"({"type":"ping","id":71})") +
                                                 client_frame(0x81, R"({"type":"ping","id":72})")));
  const std::string received = read_until_seen(io, socket, R"("id":72)");
  EXPECT_NE(received.find("101 Switching Protocols"), std::string::npos);
  EXPECT_NE(received.find(R"("id":71)"), std::string::npos) << received;
  EXPECT_NE(received.find(R"("id":72)"), std::string::npos) << received;
  expect_bystander_fine();
}

TEST_F(HostileInput, HalfAFramePipelinedWithTheRequestIsCompletedLater) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), node.ws_port()});
  const std::string frame = client_frame(0x81, R"({"type":"ping","id":"half"})");
  boost::asio::write(socket,
                     boost::asio::buffer(std::string(upgrade_request) + frame.substr(0, 5)));
  EXPECT_NE(read_until_seen(io, socket, "\"connected\"").find("101"), std::string::npos);
  boost::asio::write(socket, boost::asio::buffer(frame.substr(5)));
  EXPECT_NE(read_until_seen(io, socket, R"("id":"half")").find(R"("type":"pong")"),
            std::string::npos);
}

TEST_F(HostileInput, KickReasonsAreCutBetweenCharacters) {
  for (const std::string& reason :
       {std::string(122, 'a') + "\xC3\xA9", std::string(200, 'z') + "\xF0\x9F\x98\x80",
        std::string(40, ' ') + "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC" + std::string(80, 'e')}) {
    ws_client c;
    const std::string id = c.connect_and_greet(node.ws_port());
    wsedge::v1::KickRequest kick;
    kick.set_client_id(id);
    kick.set_reason(reason);
    wsedge::v1::KickResponse response;
    ASSERT_TRUE(node.kick(kick, &response).ok());
    // A strict client (Beast checks the reason's UTF-8) sees the code, not a protocol error.
    EXPECT_EQ(c.wait_for_close(), 4000) << c.last_error();
    EXPECT_LE(c.close_reason().size(), 123u);
    EXPECT_EQ(c.close_reason(), reason.substr(0, c.close_reason().size()));
    EXPECT_GE(c.close_reason().size(), 120u);
  }
  expect_bystander_fine();
}

TEST_F(HostileInput, AMalformedOrRepeatedWebSocketKeyIsRefusedWith400BeforeTheUpgrade) {
  // Beast would answer 101 to each: it reads the first of several keys, of up to 24 characters.
  for (const std::string key :
       {"abc", "AAAAAAAAAAAAAAAA" /* 12 bytes */, "!!!!!!!!!!!!!!!!!!!!!!=="}) {
    auto [status, body] = http_get(node.ws_port(), "/ws",
                                   {{"Upgrade", "websocket"},
                                    {"Connection", "Upgrade"},
                                    {"Sec-WebSocket-Key", key},
                                    {"Sec-WebSocket-Version", "13"}});
    EXPECT_EQ(status, 400) << key;
  }
  // Two keys, each valid alone.
  std::string request(upgrade_request);
  request.insert(request.find("Sec-WebSocket-Version"),
                 "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n");
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), node.ws_port()});
  boost::asio::write(socket, boost::asio::buffer(request));
  const std::string answer = read_until_seen(io, socket, "\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  EXPECT_TRUE(node.events().wait_for([](const event_counts& c) {
    auto it = c.rejected.find("bad_request");
    return it != c.rejected.end() && it->second == 4;
  }));
  expect_bystander_fine();
}

// A client's close frame is answered with its own code when RFC 6455 §7.4 allows the code, and
// with 1002 otherwise: Beast 1.81 refuses the reserved codes below 3000 itself, and the edge's
// write layer turns Beast's echo of a code from 5000 up (no range assigns them) into 1002.
TEST_F(HostileInput, UnassignedOrForbiddenClientCloseCodesGet1002AndValidOnesAreEchoed) {
  const auto code_bytes = [](int code) {
    return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  };
  const auto answer_to = [&](const std::string& close_payload) {
    ws_client c;
    c.connect_and_greet(node.ws_port());
    c.send_raw(client_frame(0x88, close_payload));
    return c.wait_for_close();
  };
  for (int code : {0, 999, 1004, 1005, 1006, 1014, 1015, 1016, 2999})
    EXPECT_EQ(answer_to(code_bytes(code) + "bye"), 1002) << code;
  EXPECT_EQ(answer_to("\x03"), 1002);                         // half a code
  EXPECT_EQ(answer_to(code_bytes(1000) + "\xC3\x28"), 1002);  // a reason that is not UTF-8
  // Codes from 5000 have no range in RFC 6455 §7.4.2: Beast would echo them; we answer 1002.
  for (int code : {5000, 65535}) EXPECT_EQ(answer_to(code_bytes(code) + "bye"), 1002) << code;
  for (int code : {1000, 3000, 4999}) EXPECT_EQ(answer_to(code_bytes(code) + "bye"), code) << code;
  expect_bystander_fine();
}

}  // namespace
}  // namespace wsedge::testing
