// The first moments of an accepted connection: TLS or plain, then its HTTP session.
#include "edge/start_connection.hpp"

#include <boost/beast/ssl.hpp>
#include <chrono>

#include "edge/http_session.hpp"
#include "edge/node_context.hpp"

namespace wsedge::edge {

namespace {

// Looks at the first bytes: a TLS ClientHello goes through the handshake, the rest is plain.
class tls_detector : public std::enable_shared_from_this<tls_detector> {
 public:
  tls_detector(node_context& node, shard& home, tcp::socket&& socket, connection_slot slot,
               std::chrono::steady_clock::time_point deadline)
      : node_(node),
        shard_(home),
        stream_(std::move(socket)),
        slot_(std::move(slot)),
        deadline_(deadline) {}

  void run() {
    stream_.expires_at(deadline_);
    beast::async_detect_ssl(
        stream_, buffer_, beast::bind_front_handler(&tls_detector::on_detect, shared_from_this()));
  }

 private:
  void on_detect(beast::error_code ec, bool is_tls) {
    if (ec == beast::error::timeout) node_.observer().on_connection_rejected("handshake_timeout");
    if (ec) return;
    if (!is_tls) {
      std::make_shared<http_session<beast::tcp_stream>>(
          node_, shard_, std::move(stream_), std::move(buffer_), std::move(slot_), deadline_)
          ->run();
      return;
    }
    tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(stream_), *node_.tls);
    tls_->async_handshake(
        net::ssl::stream_base::server, buffer_.data(),
        beast::bind_front_handler(&tls_detector::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec, std::size_t used) {
    if (ec) {
      node_.observer().on_connection_rejected(ec == beast::error::timeout ? "handshake_timeout"
                                                                          : "tls_handshake");
      return;
    }
    buffer_.consume(used);
    std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
        node_, shard_, std::move(*tls_), std::move(buffer_), std::move(slot_), deadline_)
        ->run();
  }

  node_context& node_;
  shard& shard_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  connection_slot slot_;
  std::chrono::steady_clock::time_point deadline_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
};

}  // namespace

void start_connection(node_context& node, shard& home, tcp::socket&& socket, connection_slot slot) {
  const auto deadline = std::chrono::steady_clock::now() + node.config().handshake_timeout;
  if (node.tls) {
    std::make_shared<tls_detector>(node, home, std::move(socket), std::move(slot), deadline)->run();
    return;
  }
  std::make_shared<http_session<beast::tcp_stream>>(node, home,
                                                    beast::tcp_stream(std::move(socket)),
                                                    beast::flat_buffer(), std::move(slot), deadline)
      ->run();
}

}  // namespace wsedge::edge
