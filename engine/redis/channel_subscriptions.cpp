// Channel subscriptions: the wanted set, one command in flight per channel, restores.
#include "engine/redis/channel_subscriptions.hpp"

#include <hiredis/hiredis.h>

namespace wsedge::engine::redis {

channel_subscriptions::channel_subscriptions(
    std::function<void(std::string_view, std::string_view)> message,
    std::function<void(const std::string&)> restored)
    : message_(std::move(message)),
      restored_(std::move(restored)),
      push_([this](const redisReply* push) { on_push(push); }) {}

void channel_subscriptions::want(const std::string& name, std::function<void()> ready) {
  channel& c = channels_[name];
  c.wanted = true;
  // Wanted while the connection is down: whoever waits goes on at once, so what is published
  // before the subscription is in place must be read back when it is (as after a restore).
  if (!up_) c.restoring = true;
  if (ready) {
    if (c.now == state::subscribed || !up_) {
      ready();
    } else {
      c.ready.push_back(std::move(ready));
    }
  }
  step(name, c);
}

void channel_subscriptions::drop(const std::string& name) {
  auto it = channels_.find(name);
  if (it == channels_.end()) return;
  it->second.wanted = false;
  step(name, it->second);
  if (it->second.now == state::idle) channels_.erase(it);
}

bool channel_subscriptions::subscribed(std::string_view name) const {
  auto it = channels_.find(name);
  return it != channels_.end() && it->second.now == state::subscribed;
}

std::size_t channel_subscriptions::wanted() const {
  std::size_t n = 0;
  for (const auto& [name, c] : channels_) n += c.wanted;
  return n;
}

void channel_subscriptions::step(const std::string& name, channel& c) {
  if (!up_ || connection_ == nullptr) return;
  if (c.wanted && c.now == state::idle) {
    if (connection_->subscribe_command({"SUBSCRIBE", name}, &push_)) c.now = state::subscribing;
  } else if (!c.wanted && c.now == state::subscribed) {
    if (connection_->subscribe_command({"UNSUBSCRIBE", name}, &push_)) c.now = state::unsubscribing;
  }
}

void channel_subscriptions::on_connection(bool up) {
  up_ = up;
  for (auto it = channels_.begin(); it != channels_.end();) {
    channel& c = it->second;
    if (!up) {
      c.restoring = c.restoring || c.now == state::subscribed || c.now == state::subscribing;
      c.now = state::idle;
      // Nobody waits on a connection that is down: the subscription follows when it is back.
      auto ready = std::move(c.ready);
      c.ready.clear();
      for (auto& r : ready) r();
    }
    if (!c.wanted && c.now == state::idle) {
      channels_.erase(it++);
      continue;
    }
    ++it;
  }
  if (!up) return;
  for (auto& [name, c] : channels_) step(name, c);
}

void channel_subscriptions::on_push(const redisReply* push) {
  if (push->type != REDIS_REPLY_ARRAY || push->elements < 3) return;
  const redisReply* kind = push->element[0];
  const redisReply* name = push->element[1];
  if (kind->type != REDIS_REPLY_STRING || name->type != REDIS_REPLY_STRING) return;
  const std::string_view what(kind->str, kind->len);
  const std::string_view channel_name(name->str, name->len);
  if (what == "message") {
    const redisReply* payload = push->element[2];
    if (payload->type == REDIS_REPLY_STRING)
      message_(channel_name, std::string_view(payload->str, payload->len));
    return;
  }
  auto it = channels_.find(channel_name);
  if (it == channels_.end()) return;
  const std::string key = it->first;
  channel& c = it->second;
  if (what == "subscribe") {
    c.now = state::subscribed;
    auto ready = std::move(c.ready);
    c.ready.clear();
    const bool restored = c.restoring;
    c.restoring = false;
    for (auto& r : ready) r();
    if (restored && restored_) restored_(key);
  } else if (what == "unsubscribe") {
    c.now = state::idle;
  } else {
    return;
  }
  // The callbacks above may have changed the set: look the channel up again.
  it = channels_.find(key);
  if (it == channels_.end()) return;
  step(key, it->second);
  if (!it->second.wanted && it->second.now == state::idle) channels_.erase(it);
}

}  // namespace wsedge::engine::redis
