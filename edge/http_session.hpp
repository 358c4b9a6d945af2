// Reads one HTTP request: answers health and readiness, refuses bad upgrades, hands good ones on.
#pragma once

#include <memory>
#include <optional>

#include "edge/net.hpp"

namespace wsedge::edge {

class shard;
struct hub_state;

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(hub_state& hub, shard& home, tcp::socket&& socket);
  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void route(http::request<http::string_body>&& request);
  void respond(http::status status, std::string_view body, std::string_view reject_reason = {});
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);

  hub_state& hub_;
  shard& shard_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

}  // namespace wsedge::edge
