// One node's reader of the cluster's event stream, on a Redis connection of its own (XREAD
// blocks it): first the tail the stream keeps (XREVRANGE), then every event added after it
// (XREAD BLOCK from the last id read). After a lost connection it goes on from the last id it
// read, so nothing the stream still keeps is missed. Engine thread only. Private to
// engine/redis.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "edge/client_event.hpp"
#include "engine/redis/redis_connection.hpp"

namespace wsedge::engine::redis {

class event_feed {
 public:
  // Events in id order; `history` once, first, with the tail (at most `tail` events).
  using events_handler = std::function<void(std::vector<edge::client_event>, bool history)>;

  // `on_tail_read` runs once, after the tail was handed over.
  event_feed(boost::asio::io_context& io, redis_connection::options connection, std::string key,
             std::size_t tail, events_handler on_events, std::function<void()> on_tail_read);
  ~event_feed();
  event_feed(const event_feed&) = delete;
  event_feed& operator=(const event_feed&) = delete;

  void start();
  void stop();
  const redis_connection& connection() const { return *connection_; }
  // The tail has been read: from now on every event reaches this node's watchers.
  bool tail_read() const { return tail_read_; }
  // The highest event id read so far (0: none).
  std::uint64_t last_read() const { return last_read_; }

 private:
  void on_state(bool up);
  // Sends the next read (the tail first) unless one is in flight.
  void read_next();
  void on_tail(const redisReply* reply, std::string_view error);
  void on_read(const redisReply* reply, std::string_view error);
  // A read failed while the connection stayed up (an error reply): tries again in a second.
  void retry_later();
  void on_lost();

  boost::asio::io_context& io_;
  std::shared_ptr<redis_connection> connection_;
  boost::asio::steady_timer retry_;
  const std::string key_;
  const std::size_t tail_;
  events_handler on_events_;
  std::function<void()> on_tail_read_;
  std::string last_id_ = "0-0";
  std::uint64_t last_read_ = 0;
  bool tail_read_ = false;
  bool reading_ = false;
  bool stopped_ = false;
};

}  // namespace wsedge::engine::redis
