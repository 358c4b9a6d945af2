// The Redis engine's side of the backends' event stream: every node's events numbered by one
// script into one stream (event_entries.hpp has its form), each node's watchers' filters in a
// hash the script checks a client message against, and a bounded backlog for the events made
// while Redis is away. Reading the stream back is event_feed's job.
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <charconv>
#include <optional>

#include "engine/redis/engine_state.hpp"
#include "engine/redis/event_entries.hpp"

namespace wsedge::engine::redis {

namespace {
// What the stream keeps when the node keeps nothing (events_retention 0): enough for every
// node's reader to see each event before it is trimmed.
constexpr std::size_t transport_minimum = 1000;
}  // namespace

void redis_engine::append_event(edge::client_event event,
                                std::function<void(bool, std::string)> done) {
  if (!running_) {
    if (done) done(false, "unavailable");
    return;
  }
  net::post(state_->io,
            [s = state_.get(), event = std::move(event), done = std::move(done)]() mutable {
              s->append_event(std::move(event), std::move(done));
            });
}

void redis_engine::set_event_watchers(std::vector<edge::event_filter> filters) {
  if (!running_) return;
  net::post(state_->io, [s = state_.get(), encoded = encode_filters(filters)]() mutable {
    if (encoded == s->watcher_filters) return;
    s->watcher_filters = std::move(encoded);
    s->announce_watchers();
  });
}

void redis_engine::state::append_event(edge::client_event event,
                                       std::function<void(bool, std::string)> done) {
  if (stopped) {
    if (done) done(false, "unavailable");
    return;
  }
  event.node = options.node_name;
  if (commands->up() && event_backlog.empty()) return send_event(std::move(event), std::move(done));
  if (event.kind == edge::client_event_kind::client_message) {
    // Nobody can be said to have it: the client hears so at once.
    if (done) done(false, "unavailable");
    return;
  }
  park_event(std::move(event), std::move(done));
}

void redis_engine::state::park_event(edge::client_event event,
                                     std::function<void(bool, std::string)> done) {
  if (event_backlog.size() >= options.event_backlog) {
    if (done) done(false, "event backlog full");
    return;
  }
  event_backlog.push_back({std::move(event), std::move(done)});
}

void redis_engine::state::flush_event_backlog() {
  // In order, pipelined, before any event made from now on (append_event sends directly only
  // once the backlog is empty).
  while (!event_backlog.empty() && commands->up()) {
    waiting_event waiting = std::move(event_backlog.front());
    event_backlog.pop_front();
    send_event(std::move(waiting.event), std::move(waiting.done));
  }
}

void redis_engine::state::send_event(edge::client_event event,
                                     std::function<void(bool, std::string)> done) {
  const bool message = event.kind == edge::client_event_kind::client_message;
  const std::size_t keep =
      options.events_retention > 0 ? options.events_retention : transport_minimum;
  // A client message needs a watcher; with nothing kept, so does every event.
  const bool needs_watcher = message || options.events_retention == 0;
  std::vector<std::string> args{std::to_string(keep),
                                std::to_string(options.node_timeout.count()),
                                needs_watcher ? "1" : "0",
                                std::to_string(static_cast<unsigned>(event.kind)),
                                event.room,
                                std::to_string(events->last_read())};
  for (std::string& field : event_fields(event)) args.push_back(std::move(field));
  // A connection's life event is kept for a resend.
  std::optional<edge::client_event> kept;
  if (!message) kept = std::move(event);
  script(append_event_script, {events_key(), event_ids_key(), event_watchers_key(), nodes_key()},
         std::move(args),
         [this, kept = std::move(kept), done = std::move(done)](const redisReply* r,
                                                                std::string_view error) mutable {
           const bool transport = !error.empty() || r == nullptr;
           const bool refused = !transport && r->type == REDIS_REPLY_ERROR;
           if ((transport || refused) && kept && !stopped && error != "stopped") {
             // The connection went while the event was on its way, or Redis could not take it
             // now (LOADING, READONLY after a failover, BUSY): it waits like the events made
             // while Redis is away, and goes again on the next heartbeat or reconnection. It
             // may then be added twice (if Redis ran the script before the reply was lost),
             // never lost in silence.
             return park_event(std::move(*kept), std::move(done));
           }
           if (!done) return;
           if (transport)
             return done(false, error == "connection lost" || error == "stopped" || r == nullptr
                                    ? std::string("unavailable")
                                    : std::string(error));
           if (r->type == REDIS_REPLY_ERROR)
             return done(false, "redis: " + std::string(r->str, r->len));
           std::uint64_t id = 0;
           if (r->type == REDIS_REPLY_STRING) std::from_chars(r->str, r->str + r->len, id);
           done(id != 0, {});
         });
}

void redis_engine::state::announce_watchers() {
  // Told when the connection comes back, and once the tail is read: a client message accepted
  // for a watcher here must be one this node reads live, not in the tail.
  if (!commands->up() || !events->tail_read()) return;
  auto ignore = [](const redisReply*, std::string_view) {};
  if (watcher_filters.empty())
    return commands->command({"HDEL", event_watchers_key(), options.node_name}, ignore);
  commands->command({"HSET", event_watchers_key(), options.node_name, watcher_filters}, ignore);
}

}  // namespace wsedge::engine::redis
