// One connection to Redis on an Asio io_context (hiredis, asynchronous): commands are pipelined,
// replies come back in order through callbacks on the io_context's thread, and a lost connection
// is re-established with exponential backoff until stop(). Nothing here blocks the thread.
#pragma once

#include <atomic>
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
    // Sent first on every connection (AUTH, SELECT), when set.
    std::string password = {};
    int db = 0;
    // Called on the io_context's thread whenever the connection comes up or goes down.
    std::function<void(bool up)> on_state;
  };
  // Every reply to subscribe() commands and every message of the subscribed channels (an array
  // of "message"/"subscribe"/"unsubscribe", channel, payload or count).
  using push_handler = std::function<void(const redisReply* push)>;
  // What the connection counted so far (any thread).
  struct counts {
    std::uint64_t commands = 0;
    std::uint64_t errors = 0;  // error replies and commands without a reply
    std::uint64_t reconnects = 0;
    std::uint64_t answered = 0;
    double answered_seconds = 0;
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
  // Sends SUBSCRIBE or UNSUBSCRIBE (of one channel each time): what they answer, and the
  // channels' messages, come to `on_push`. At most one such command per channel may be in flight
  // (hiredis keeps one callback per channel), and a subscriber connection must keep at least
  // one channel at all times. False while the connection is down.
  bool subscribe_command(const std::vector<std::string>& args, push_handler* on_push);
  counts counted() const;

 private:
  redis_connection(boost::asio::io_context& io, options opts);
  void connect();
  void schedule_reconnect();
  void on_connected(bool ok);
  void on_disconnected();
  static void on_connect_status(const redisAsyncContext* context, int status);
  static void on_disconnect_status(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);
  static void on_push(redisAsyncContext* context, void* reply, void* privdata);
  void send_setup();
  void count_reply(bool failed, std::chrono::steady_clock::time_point sent);

  boost::asio::io_context& io_;
  options options_;
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds backoff_;
  redisAsyncContext* context_ = nullptr;
  bool up_ = false;
  bool stopped_ = false;
  bool connected_before_ = false;
  std::chrono::steady_clock::time_point connected_at_;
  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> answered_{0};
  std::atomic<std::uint64_t> answered_nanos_{0};
};

}  // namespace wsedge::engine::redis
