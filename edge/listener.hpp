// Accepts TCP connections and spreads them over the shards round-robin.
#pragma once

#include <memory>

#include "edge/net.hpp"

namespace wsedge::edge {

class node_context;
class shard;

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(node_context& node, net::io_context& context);
  // Binds and listens; returns the error, if any, with what failed.
  beast::error_code open(const tcp::endpoint& endpoint, std::string& what);
  std::uint16_t port() const { return port_; }
  void run();
  // Stops accepting (from any thread).
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  node_context& node_;
  net::io_context& context_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::size_t next_shard_ = 0;
  shard* accepting_into_ = nullptr;  // the shard whose io_context owns the pending accept
  std::uint16_t port_ = 0;
};

}  // namespace wsedge::edge
