// Reads one HTTP request: answers health and readiness, refuses bad upgrades, hands good ones on.
// Runs over plain TCP or TLS (explicitly instantiated for both); start_connection picks which.
#pragma once

#include <memory>
#include <optional>

#include "edge/connection_slot.hpp"
#include "edge/net.hpp"

namespace wsedge::edge {

class shard;
class node_context;

// Starts serving an accepted connection: with TLS configured, a TLS handshake is detected by its
// first bytes and completed (wss://), anything else is served as plain HTTP (ws://).
// `slot` is empty when the node was full at accept: the connection's upgrade is refused (503).
void start_connection(node_context& node, shard& home, tcp::socket&& socket, connection_slot slot);

template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  // `buffer` holds bytes already read from the connection (by TLS detection).
  http_session(node_context& node, shard& home, Stream&& stream, beast::flat_buffer&& buffer,
               connection_slot slot);
  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void route(http::request<http::string_body>&& request);
  void respond(http::status status, std::string_view body, std::string_view reject_reason = {});
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void shutdown();

  node_context& node_;
  shard& shard_;
  Stream stream_;
  beast::flat_buffer buffer_;
  connection_slot slot_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

}  // namespace wsedge::edge
