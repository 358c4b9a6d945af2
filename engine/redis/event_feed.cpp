// The event stream's reader: the tail, then XREAD BLOCK in a loop.
#include "engine/redis/event_feed.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>

#include "engine/redis/event_entries.hpp"

namespace wsedge::engine::redis {

namespace {
// How long one XREAD waits for new events before it is sent again, and how many it takes.
constexpr const char* block_ms = "2000";
constexpr const char* batch = "512";

// The event id of a stream entry id ("0-<id>"); 0 when it is not one.
std::uint64_t event_id(const std::string& entry) {
  std::uint64_t id = 0;
  const auto dash = entry.find('-');
  if (dash != std::string::npos)
    std::from_chars(entry.data() + dash + 1, entry.data() + entry.size(), id);
  return id;
}

std::string entry_id(const redisReply* entry) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
      entry->element[0]->type != REDIS_REPLY_STRING)
    return {};
  return {entry->element[0]->str, entry->element[0]->len};
}
}  // namespace

event_feed::event_feed(boost::asio::io_context& io, redis_connection::options connection,
                       std::string key, std::size_t tail, events_handler on_events,
                       std::function<void()> on_tail_read)
    : io_(io),
      retry_(io),
      key_(std::move(key)),
      tail_(tail),
      on_events_(std::move(on_events)),
      on_tail_read_(std::move(on_tail_read)) {
  connection.on_state = [this](bool up) { on_state(up); };
  connection_ = redis_connection::create(io_, std::move(connection));
}

event_feed::~event_feed() = default;

void event_feed::start() {
  connection_->start();
}

void event_feed::stop() {
  stopped_ = true;
  retry_.cancel();
  connection_->stop();
}

void event_feed::on_state(bool up) {
  if (up) read_next();
}

void event_feed::read_next() {
  if (stopped_ || reading_ || !connection_->up()) return;
  reading_ = true;
  if (!tail_read_) {
    // The newest `tail` entries (one at least, for the position to read on from).
    return connection_->command(
        {"XREVRANGE", key_, "+", "-", "COUNT", std::to_string(std::max<std::size_t>(tail_, 1))},
        [this](const redisReply* r, std::string_view error) { on_tail(r, error); });
  }
  connection_->command({"XREAD", "COUNT", batch, "BLOCK", block_ms, "STREAMS", key_, last_id_},
                       [this](const redisReply* r, std::string_view error) { on_read(r, error); });
}

// A read that failed with the connection: its return reads again (or, if it is already back,
// a retry does).
void event_feed::on_lost() {
  if (!stopped_ && connection_->up()) retry_later();
}

void event_feed::on_tail(const redisReply* reply, std::string_view error) {
  reading_ = false;
  if (stopped_) return;
  if (!error.empty()) return on_lost();
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return retry_later();
  if (reply->elements > 0) last_id_ = entry_id(reply->element[0]);
  if (last_id_.empty()) last_id_ = "0-0";
  last_read_ = std::max(last_read_, event_id(last_id_));
  std::vector<edge::client_event> events = decode_event_entries(reply, true);
  if (events.size() > tail_) events.erase(events.begin(), events.end() - tail_);
  tail_read_ = true;
  on_events_(std::move(events), true);
  if (on_tail_read_) on_tail_read_();
  read_next();
}

void event_feed::on_read(const redisReply* reply, std::string_view error) {
  reading_ = false;
  if (stopped_) return;
  if (!error.empty()) return on_lost();
  if (reply == nullptr || reply->type == REDIS_REPLY_NIL) return read_next();  // none in time
  // [[key, [entry, ...]]]
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1 ||
      reply->element[0]->type != REDIS_REPLY_ARRAY || reply->element[0]->elements != 2)
    return retry_later();
  const redisReply* entries = reply->element[0]->element[1];
  if (entries->type == REDIS_REPLY_ARRAY && entries->elements > 0) {
    const std::string last = entry_id(entries->element[entries->elements - 1]);
    if (!last.empty()) last_id_ = last;
    last_read_ = std::max(last_read_, event_id(last_id_));
    on_events_(decode_event_entries(entries, false), false);
  }
  read_next();
}

void event_feed::retry_later() {
  retry_.expires_after(std::chrono::seconds(1));
  retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) read_next();
  });
}

}  // namespace wsedge::engine::redis
