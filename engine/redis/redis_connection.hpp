// One connection to Redis on an Asio io_context (hiredis, asynchronous): commands are pipelined,
// replies come back in order through callbacks on the io_context's thread, and a lost connection
// is re-established with exponential backoff until stop(). Nothing here blocks the thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace wsedge::engine::redis {

class redis_connection : public std::enable_shared_from_this<redis_connection> {
 public:
  struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    // Backoff between connection attempts: doubles from min to max.
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{2'000};
    // Called on the io_context's thread whenever the connection comes up or goes down.
    std::function<void(bool up)> on_state;
  };
  // `reply` is valid only during the call; `error` is empty on success (a Redis error reply is a
  // reply, of type REDIS_REPLY_ERROR, not an error here).
  using reply_handler = std::function<void(const redisReply* reply, std::string_view error)>;

  static std::shared_ptr<redis_connection> create(boost::asio::io_context& io, options opts);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Io_context thread only, from here on.
  void start();
  // Disconnects for good; pending commands get the error "stopped". Call before the io_context
  // is destroyed.
  void stop();
  bool up() const { return up_; }
  // Sends one command (its arguments, binary-safe). While the connection is down the handler is
  // called at once with the error "unavailable"; commands in flight when it drops get
  // "connection lost".
  void command(const std::vector<std::string>& args, reply_handler done);

 private:
  redis_connection(boost::asio::io_context& io, options opts);
  void connect();
  void schedule_reconnect();
  void on_connected(bool ok);
  void on_disconnected();
  static void on_connect_status(const redisAsyncContext* context, int status);
  static void on_disconnect_status(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);

  boost::asio::io_context& io_;
  options options_;
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds backoff_;
  redisAsyncContext* context_ = nullptr;
  bool up_ = false;
  bool stopped_ = false;
};

}  // namespace wsedge::engine::redis
