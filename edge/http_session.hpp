// Reads one HTTP request: answers health and readiness, refuses bad upgrades, hands good ones on.
// Runs over plain TCP or TLS (explicitly instantiated for both); start_connection picks which.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "edge/connection_slot.hpp"
#include "edge/net.hpp"

namespace wsedge::edge {

class shard;
class node_context;

template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  // `buffer` holds bytes already read from the connection (by TLS detection); `deadline` is
  // when the connection is closed unless it has become a WebSocket (handshake_timeout).
  http_session(node_context& node, shard& home, Stream&& stream, beast::flat_buffer&& buffer,
               connection_slot slot, std::chrono::steady_clock::time_point deadline);
  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void route(http::request<http::string_body>&& request);
  void respond(http::status status, std::string_view body, std::string_view reject_reason = {},
               std::string_view content_type = "text/plain; charset=utf-8");
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void shutdown();

  node_context& node_;
  shard& shard_;
  Stream stream_;
  beast::flat_buffer buffer_;
  connection_slot slot_;
  std::chrono::steady_clock::time_point deadline_;
  std::size_t requests_ = 0;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

}  // namespace wsedge::edge
