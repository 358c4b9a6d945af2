// wss:// on the edge port with a certificate made by openssl at test time; ws:// on the same
// port keeps working; an unusable key fails at start-up.
#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>

#include "tests/support/test_files.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

// A wss:// client trusting the test certificate; every step has a deadline.
class wss_client {
 public:
  explicit wss_client(const std::string& ca_pem) : tls_(net::ssl::context::tls_client) {
    tls_.add_certificate_authority(net::buffer(ca_pem));
    tls_.set_verify_mode(net::ssl::verify_peer);
    ws_.emplace(context_, tls_);
  }

  bool connect(std::uint16_t port, const std::string& target) {
    auto& tcp = beast::get_lowest_layer(*ws_);
    tcp.expires_after(std::chrono::seconds(10));
    bool ok = false;
    tcp.async_connect({net::ip::make_address("127.0.0.1"), port}, [&](beast::error_code ec) {
      if (ec) return;
      ws_->next_layer().async_handshake(net::ssl::stream_base::client, [&](beast::error_code e) {
        if (e) return;
        beast::get_lowest_layer(*ws_).expires_never();
        ws_->async_handshake("127.0.0.1", target, [&](beast::error_code h) { ok = !h; });
      });
    });
    context_.run_for(std::chrono::seconds(15));
    context_.restart();
    return ok;
  }

  json::value read() {
    json::value result;
    ws_->async_read(buffer_, [&](beast::error_code ec, std::size_t) {
      if (!ec) result = json::parse(beast::buffers_to_string(buffer_.data()));
      buffer_.clear();
    });
    context_.run_for(std::chrono::seconds(10));
    context_.restart();
    return result;
  }

 private:
  net::io_context context_;
  net::ssl::context tls_;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
  beast::flat_buffer buffer_;
};

class EdgeTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(make_test_certificate("edge"), 0); }
  static app::server_config tls_config() {
    auto config = test_config();
    config.edge.tls_cert_pem = read_file(private_temp_path("edge.pem"));
    config.edge.tls_key_pem = read_file(private_temp_path("edge.key"));
    return config;
  }
};

TEST_F(EdgeTls, WssDeliversAndWsStillWorksOnTheSamePort) {
  test_node node(tls_config());
  wss_client secure(read_file(private_temp_path("edge.pem")));
  ASSERT_TRUE(secure.connect(node.ws_port(), "/ws/rooms/secure"));
  EXPECT_EQ(str(secure.read().at("type")), "connected");
  EXPECT_EQ(str(secure.read().at("type")), "subscribed");

  ws_client plain;
  ASSERT_TRUE(plain.connect(node.ws_port(), "/ws/rooms/secure"));
  plain.read_json();
  plain.read_json();

  wsedge::v1::PublishResponse response;
  ASSERT_TRUE(node.publish(room_target("secure"), R"({"over":"tls"})", &response).ok());
  EXPECT_EQ(response.recipients(), 2u);
  EXPECT_EQ(str(secure.read().at("data").at("over")), "tls");
  EXPECT_EQ(str(plain.read_json().at("data").at("over")), "tls");
}

TEST_F(EdgeTls, UnusableKeyFailsAtStartUp) {
  auto config = tls_config();
  config.edge.tls_key_pem = "not a key";
  app::wsedge_server server(config);
  auto status = server.start();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(std::string(status.message()).find("tls_key"), std::string::npos);
}

}  // namespace
}  // namespace wsedge::testing
