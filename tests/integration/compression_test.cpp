// permessage-deflate end to end, over real sockets with a raw client that sees every frame's
// RSV1 bit: negotiation, one publish reaching a compressed and a plain member (each in its own
// framing), the size threshold, a client asking for a smaller window, compressed client
// messages, and an inflate bomb closed with 1009 without the server inflating it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <string>

#include "edge/message_deflater.hpp"
#include "tests/support/client_frame.hpp"
#include "tests/support/deflate_helpers.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/ws_client.hpp"

namespace wsedge::testing {
namespace {

// A WebSocket client on a bare socket: it offers permessage-deflate as asked and reports each
// frame as it came (RSV1 and all), inflating compressed ones itself.
class raw_client {
 public:
  // Connects, sends the upgrade with `extensions` (none when empty), reads the 101 response.
  raw_client(std::uint16_t port, const std::string& target, const std::string& extensions) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    std::string request = "GET " + target +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    if (!extensions.empty()) request += "Sec-WebSocket-Extensions: " + extensions + "\r\n";
    send_all(request + "\r\n");
    while (buffer_.find("\r\n\r\n") == std::string::npos)
      if (!fill()) return;
    const auto end = buffer_.find("\r\n\r\n") + 4;
    response_ = buffer_.substr(0, end);
    buffer_.erase(0, end);
  }
  ~raw_client() { ::close(fd_); }

  bool upgraded() const { return response_.starts_with("HTTP/1.1 101"); }
  // The Sec-WebSocket-Extensions the server answered ("" when none).
  std::string extensions() const {
    const std::string name = "Sec-WebSocket-Extensions: ";
    const auto at = response_.find(name);
    if (at == std::string::npos) return {};
    const auto from = at + name.size();
    return response_.substr(from, response_.find("\r\n", from) - from);
  }

  struct frame {
    bool compressed = false;  // RSV1
    int opcode = 0;
    std::string payload;  // as sent (still deflated when compressed)
    std::string text;     // the message: inflated when compressed
  };
  std::optional<frame> read_frame() {
    while (buffer_.size() < 2)
      if (!fill()) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(buffer_[0]);
    std::size_t length = static_cast<unsigned char>(buffer_[1]) & 0x7F, header = 2;
    if (length >= 126) {
      header = length == 126 ? 4 : 10;
      while (buffer_.size() < header)
        if (!fill()) return std::nullopt;
      length = 0;
      for (std::size_t i = 2; i < header; ++i)
        length = (length << 8) | static_cast<unsigned char>(buffer_[i]);
    }
    while (buffer_.size() < header + length)
      if (!fill()) return std::nullopt;
    frame f;
    f.compressed = (b0 & 0x40) != 0;
    f.opcode = b0 & 0x0F;
    f.payload = buffer_.substr(header, length);
    buffer_.erase(0, header + length);
    f.text = f.compressed ? inflate_fresh(f.payload) : f.payload;
    return f;
  }
  // The next text message parsed (skipping nothing: every frame here is one message).
  boost::json::value read_json() {
    auto f = read_frame();
    return f ? boost::json::parse(f->text) : boost::json::value();
  }
  // Reads until the server's close frame; its code (0 when the connection ended without one).
  int wait_for_close() {
    while (auto f = read_frame())
      if (f->opcode == 0x8)
        return f->payload.size() >= 2 ? (static_cast<unsigned char>(f->payload[0]) << 8) |
                                            static_cast<unsigned char>(f->payload[1])
                                      : 0;
    return 0;
  }
  void send_all(const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

 private:
  bool fill() {
    char chunk[65536];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string response_;
  std::string buffer_;
};

// Raw DEFLATE of `bytes` zero bytes as RFC 7692 sends it, made a chunk at a time.
std::string deflate_zeros(std::size_t bytes) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string zeros(1 << 20, '\0'), out;
  char chunk[65536];
  for (std::size_t left = bytes; left > 0;) {
    const std::size_t now = std::min(left, zeros.size());
    left -= now;
    zs.next_in = reinterpret_cast<Bytef*>(zeros.data());
    zs.avail_in = static_cast<uInt>(now);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(chunk);
      zs.avail_out = sizeof chunk;
      deflate(&zs, left == 0 ? Z_SYNC_FLUSH : Z_NO_FLUSH);
      out.append(chunk, sizeof chunk - zs.avail_out);
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  out.resize(out.size() - 4);  // the sync flush's 00 00 FF FF
  return out;
}

app::server_config compressing_config() {
  auto config = test_config();
  config.edge.permessage_deflate = true;
  return config;
}

std::uint64_t metric(std::uint16_t port, const std::string& name) {
  const auto body = http_get(port, "/metrics").second;
  const auto at = body.find("\n" + name + " ");
  return at == std::string::npos ? ~0ull : std::stoull(body.substr(at + name.size() + 2));
}

TEST(Compression, OneCompressedPublishReachesCompressedAndPlainMembers) {
  test_node node(compressing_config());
  raw_client compressed(node.ws_port(), "/ws/rooms/r", "permessage-deflate");
  ASSERT_TRUE(compressed.upgraded());
  EXPECT_EQ(compressed.extensions(), "permessage-deflate; server_no_context_takeover");
  EXPECT_EQ(str(compressed.read_json().at("type")), "connected");
  EXPECT_EQ(str(compressed.read_json().at("type")), "subscribed");
  // Connections go to the shards in turn: this one is on the other shard from the first.
  raw_client other_shard(node.ws_port(), "/ws/rooms/r", "permessage-deflate");
  ASSERT_TRUE(other_shard.upgraded());
  other_shard.read_json();
  other_shard.read_json();
  ws_client plain;
  ASSERT_FALSE(plain.connect_and_greet(node.ws_port(), "/ws/rooms/r").empty());
  EXPECT_EQ(str(plain.read_json().at("type")), "subscribed");

  const std::string data = R"({"rows":)" + json_rows(400) + "}";  // ~16 KB
  ASSERT_GT(data.size(), 12000u);
  wsedge::v1::PublishResponse response;
  ASSERT_TRUE(node.publish(room_target("r"), data, &response).ok());
  EXPECT_EQ(response.recipients(), 3u);

  auto f = compressed.read_frame();
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->compressed);
  EXPECT_LT(f->payload.size(), data.size() / 3);
  const std::uint64_t deflated_bytes = f->payload.size(), message_bytes = f->text.size();
  EXPECT_EQ(boost::json::serialize(boost::json::parse(f->text).at("data")),
            boost::json::serialize(boost::json::parse(data)));
  auto message = plain.read_json();
  EXPECT_EQ(boost::json::serialize(message.at("data")),
            boost::json::serialize(boost::json::parse(data)));
  // The very same compressed bytes: deflated once, not once per member or per shard.
  auto same = other_shard.read_frame();
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->compressed);
  EXPECT_EQ(same->payload, f->payload);

  // Under compression_min_bytes (512): plain even on the compressed connection.
  ASSERT_TRUE(node.publish(room_target("r"), R"({"small":true})").ok());
  f = compressed.read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->compressed);
  EXPECT_EQ(boost::json::parse(f->text).at("data").at("small"), true);

  EXPECT_EQ(metric(node.metrics_port(), "wsedge_compressed_connections"), 2u);
  EXPECT_EQ(metric(node.metrics_port(), "wsedge_messages_deflated_total"), 1u);
  // Deflated once for the room (the plain member shares nothing of it).
  EXPECT_EQ(metric(node.metrics_port(), "wsedge_deflate_input_bytes_total"), message_bytes);
  EXPECT_EQ(metric(node.metrics_port(), "wsedge_deflate_output_bytes_total"), deflated_bytes);
}

TEST(Compression, OffByDefaultAndPlainForClientsThatDoNotOffer) {
  test_node off;
  raw_client offered(off.ws_port(), "/ws", "permessage-deflate");
  ASSERT_TRUE(offered.upgraded());
  EXPECT_EQ(offered.extensions(), "");

  test_node on(compressing_config());
  raw_client not_offered(on.ws_port(), "/ws/rooms/r", "");
  ASSERT_TRUE(not_offered.upgraded());
  EXPECT_EQ(not_offered.extensions(), "");
  EXPECT_EQ(str(not_offered.read_json().at("type")), "connected");
  EXPECT_EQ(str(not_offered.read_json().at("type")), "subscribed");
  ASSERT_TRUE(on.publish(room_target("r"), json_rows(100)).ok());
  auto f = not_offered.read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->compressed);
  EXPECT_EQ(metric(on.metrics_port(), "wsedge_compressed_connections"), 0u);
}

TEST(Compression, AClientAskingForASmallerServerWindowGetsPlainFrames) {
  // The shared compressed frames use a 15-bit window; one built for 10 bits would be per client.
  test_node node(compressing_config());
  raw_client client(node.ws_port(), "/ws/rooms/r", "permessage-deflate; server_max_window_bits=10");
  ASSERT_TRUE(client.upgraded());
  EXPECT_NE(client.extensions().find("server_max_window_bits=10"), std::string::npos);
  EXPECT_EQ(str(client.read_json().at("type")), "connected");
  EXPECT_EQ(str(client.read_json().at("type")), "subscribed");
  ASSERT_TRUE(node.publish(room_target("r"), json_rows(100)).ok());
  auto f = client.read_frame();
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->compressed);
  EXPECT_EQ(metric(node.metrics_port(), "wsedge_compressed_connections"), 0u);
}

TEST(Compression, ACompressedClientMessageIsInflatedAndPublished) {
  test_node node(compressing_config());
  raw_client sender(node.ws_port(), "/ws/rooms/r", "permessage-deflate");
  ASSERT_TRUE(sender.upgraded());
  sender.read_json();
  sender.read_json();
  ws_client plain;
  ASSERT_FALSE(plain.connect_and_greet(node.ws_port(), "/ws/rooms/r").empty());
  plain.read_json();
  const std::string data = json_rows(50);
  const std::string publish = R"({"type":"publish","room":"r","data":)" + data + "}";
  sender.send_all(client_frame(0xC1, edge::deflate_payload(publish, 6)));  // FIN + RSV1 + text
  auto message = plain.read_json();
  ASSERT_TRUE(message.is_object()) << plain.last_error();
  EXPECT_EQ(boost::json::serialize(message.at("data")),
            boost::json::serialize(boost::json::parse(data)));
}

std::size_t peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stoul(line.substr(6));
  return 0;
}

TEST(Compression, AnInflateBombClosesWith1009WithoutInflatingIt) {
  auto config = compressing_config();
  config.edge.max_message_bytes = 1 << 20;
  test_node node(config);
  // 512 MiB of zeros deflate to about 0.5 MB: under max_message_bytes as it travels.
  const std::string bomb = deflate_zeros(std::size_t{512} << 20);
  ASSERT_LT(bomb.size(), std::size_t{1} << 20);
  const std::size_t peak_before = peak_rss_kib();
  raw_client attacker(node.ws_port(), "/ws", "permessage-deflate");
  ASSERT_TRUE(attacker.upgraded());
  attacker.read_json();
  attacker.send_all(client_frame(0xC2, bomb));  // FIN + RSV1 + binary
  EXPECT_EQ(attacker.wait_for_close(), 1009);
  // Inflated whole, it would have taken 512 MiB; stopped at 1 MiB, the peak barely moves.
  EXPECT_LT(peak_rss_kib() - peak_before, 64u * 1024);
  // The node is unharmed: a new client is served.
  ws_client next;
  EXPECT_FALSE(next.connect_and_greet(node.ws_port()).empty());
}

}  // namespace
}  // namespace wsedge::testing
