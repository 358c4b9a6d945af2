// A real redis-server for a test: Debian's binary on 127.0.0.1 and a free port, in memory only,
// killed (SIGKILL) and started again on the same port when a test needs Redis to go away.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace wsedge::testing {

inline constexpr const char* redis_server_binary = "/usr/bin/redis-server";

inline std::uint16_t free_tcp_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

class redis_server {
 public:
  explicit redis_server(std::uint16_t port = free_tcp_port()) : port_(port) { start(); }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  bool running() const { return process_ != nullptr; }

  // Starts it (again); true once it says it is ready.
  bool start() {
    process_ = std::make_unique<child_process>(std::vector<std::string>{
        redis_server_binary, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--loglevel", "notice"});
    while (auto line = process_->read_line(std::chrono::seconds(10)))
      if (line->find("Ready to accept connections") != std::string::npos) return true;
    return false;
  }
  // Kills it at once (its data is gone).
  void kill() {
    if (!process_) return;
    process_->signal(SIGKILL);
    process_->wait_exit(std::chrono::seconds(10));
    process_.reset();
  }

  static bool available() { return std::filesystem::exists(redis_server_binary); }

 private:
  std::uint16_t port_;
  std::unique_ptr<child_process> process_;
};

}  // namespace wsedge::testing
