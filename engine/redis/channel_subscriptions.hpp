// The channels one subscriber connection should be in, kept in step with what it is in: at most
// one SUBSCRIBE or UNSUBSCRIBE in flight per channel (hiredis keeps one callback per channel),
// waiters told once a subscription is in place, and every wanted channel subscribed again
// after the connection comes back. Io_context thread only.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/string_map.hpp"
#include "engine/redis/redis_connection.hpp"

namespace wsedge::engine::redis {

class channel_subscriptions {
 public:
  // `message(channel, payload)` for every message; `restored(channel)` when a channel that was
  // subscribed before the connection dropped is subscribed again.
  channel_subscriptions(
      std::function<void(std::string_view channel, std::string_view payload)> message,
      std::function<void(const std::string& channel)> restored);

  // The connection to subscribe on (its pushes must come to on_push()).
  void use(redis_connection& connection) { connection_ = &connection; }
  redis_connection::push_handler& push_handler() { return push_; }

  // Wants `channel`; `ready` runs once it is subscribed (at once when it already is, or when
  // the connection is down: the subscription follows when it is back).
  void want(const std::string& channel, std::function<void()> ready = nullptr);
  void drop(const std::string& channel);
  bool subscribed(std::string_view channel) const;
  std::size_t wanted() const;

  // The connection came up (subscribe every wanted channel) or went down.
  void on_connection(bool up);

 private:
  enum class state { idle, subscribing, subscribed, unsubscribing };
  struct channel {
    bool wanted = false;
    state now = state::idle;
    bool restoring = false;  // subscribed before the connection dropped
    std::vector<std::function<void()>> ready;
  };
  void on_push(const redisReply* push);
  void step(const std::string& name, channel& c);

  std::function<void(std::string_view, std::string_view)> message_;
  std::function<void(const std::string&)> restored_;
  redis_connection::push_handler push_;
  redis_connection* connection_ = nullptr;
  bool up_ = false;
  edge::string_map<std::string, channel> channels_;
};

}  // namespace wsedge::engine::redis
