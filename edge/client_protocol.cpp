// Client protocol handler: rate limit, parse, authorize, then ask the sink.
#include "edge/client_protocol.hpp"

#include <algorithm>
#include <utility>

#include "edge/room_access.hpp"
#include "edge/room_rules.hpp"

namespace wsedge::edge {

namespace {
constexpr std::uint16_t close_policy = 1008;
}  // namespace

client_protocol::client_protocol(protocol_sink& sink, clock::time_point now)
    : sink_(sink), guard_(limits(), now) {}

void client_protocol::join_on_connect(connect_rooms initial) {
  if (initial.rooms.empty()) return;
  initial_ = std::make_unique<initial_join>();
  initial_->rooms.assign(std::make_move_iterator(initial.rooms.rbegin()),
                         std::make_move_iterator(initial.rooms.rend()));
  initial_->since = std::move(initial.since);
  if (!waiting()) join_next_initial();
}

void client_protocol::join_next_initial() {
  while (!waiting() && initial_) {
    std::string room = std::move(initial_->rooms.back());
    initial_->rooms.pop_back();
    // Only the first room recovers.
    const std::optional<stream_position> since = std::exchange(initial_->since, std::nullopt);
    if (initial_->rooms.empty()) initial_.reset();
    subscribe(room, {}, since ? &*since : nullptr, false);
  }
}

bool client_protocol::admit(clock::time_point now) {
  switch (guard_.take(limits(), now)) {
    case flood_guard::verdict::pass:
      return true;
    case flood_guard::verdict::refuse:
      reply_error(error_code::rate_limited, "too many messages; slow down", {});
      return false;
    case flood_guard::verdict::refuse_quietly:
      sink_.count_error(to_string(error_code::rate_limited));
      return false;
    case flood_guard::verdict::close:
      // A client that keeps flooding after being told is closed rather than answered forever.
      sink_.count_error("rate_limit_close");
      sink_.close(close_policy, "message rate limit exceeded", close_mode::discard);
      return false;
  }
  return false;
}

bool client_protocol::on_keepalive(clock::time_point now) {
  return admit(now);
}

void client_protocol::on_message(std::string_view text, bool binary, clock::time_point now) {
  if (!admit(now)) return;
  if (binary) {
    reply_error(error_code::invalid_json, "binary frames are not accepted; send JSON text", {});
    return;
  }
  parse_result parsed = parse_request(text);
  if (const auto* error = std::get_if<request_error>(&parsed)) {
    reply_error(error->code, error->message, error->id);
    return;
  }
  handle(std::get<client_request>(parsed));
}

void client_protocol::handle(const client_request& request) {
  switch (request.type) {
    case request_type::subscribe:
      return subscribe(request.room, request.id, request.since ? &*request.since : nullptr,
                       request.join_leave);
    case request_type::unsubscribe:
      return unsubscribe(request.room, request.id);
    case request_type::publish:
      return publish(request);
    case request_type::rooms:
      return sink_.reply(encode_rooms(rooms(), request.id));
    case request_type::ping:
      return sink_.reply(encode_pong(now_unix_ms(), request.id));
    case request_type::heartbeat:
      return;
    case request_type::presence:
      return presence(request.room, request.id);
    case request_type::send:
      return send(request);
  }
}

client_protocol::subscription* client_protocol::find(std::string_view room) {
  for (auto& s : subscriptions_)
    if (s.room() == room) return &s;
  return nullptr;
}

std::vector<std::string> client_protocol::rooms() const {
  std::vector<std::string> names;
  for (const auto& s : subscriptions_) names.push_back(s.room());
  std::reverse(names.begin(), names.end());  // in the order they were joined
  return names;
}

void client_protocol::subscribe(const std::string& room, const std::string& id,
                                const stream_position* since, bool join_leave) {
  if (find(room) != nullptr) {
    // Already a member: the reply still tells the room's members and position; with `since`,
    // nothing was missed (it has been receiving all along) if its epoch is still the room's.
    pending_ = std::make_unique<pending_request>(pending_kind::count, room, id, since != nullptr,
                                                 false, since ? since->epoch : std::string());
    sink_.join(room, true, nullptr, false);
    return;
  }
  const edge_config& config = sink_.config();
  // At most max_subscriptions long, and find() above walked it already.
  const auto joined = std::distance(subscriptions_.begin(), subscriptions_.end());
  if (static_cast<std::size_t>(joined) >= config.max_subscriptions) {
    reply_error(error_code::too_many_subscriptions,
                "at most " + std::to_string(config.max_subscriptions) + " rooms per connection",
                id);
    return;
  }
  const identity& who = sink_.who();
  if (!may_join(who, room) ||
      !rules_allow(config.room_rules, room, who.role, room_action::subscribe)) {
    reply_error(error_code::forbidden, "not allowed to join " + room, id);
    return;
  }
  pending_ =
      std::make_unique<pending_request>(pending_kind::join, room, id, since != nullptr, join_leave);
  sink_.join(room, false, since, join_leave);
}

void client_protocol::on_join_answer(const std::string& room, const join_answer& answer) {
  if (!pending_ || pending_->room != room ||
      (pending_->kind != pending_kind::join && pending_->kind != pending_kind::count))
    return;
  const std::unique_ptr<pending_request> request = std::move(pending_);
  subscribed_reply reply{answer.members, answer.seq, answer.epoch, std::nullopt, 0};
  if (!answer.error.empty()) {
    reply_error(error_code::unavailable, "cannot join " + room + ": " + answer.error, request->id);
  } else if (request->kind == pending_kind::count) {
    if (request->recovering) reply.recovered = request->since_epoch == answer.epoch;
    sink_.reply(encode_subscribed(room, reply, request->id));
  } else if (!answer.joined) {
    reply_error(error_code::room_full, "room " + room + " is full", request->id);
  } else {
    subscription& joined = subscriptions_.emplace_front();
    joined.membership.join_leave = request->join_leave;
    sink_.attach(room, joined.membership);
    if (request->recovering) {
      reply.recovered = answer.recovered.value_or(false);
      reply.missed = answer.missed.size();
    }
    sink_.reply(encode_subscribed(room, reply, request->id));
    // Before any live message: those reach this connection only after this answer.
    if (!answer.missed.empty()) sink_.send_frames(answer.missed);
  }
  join_next_initial();
}

void client_protocol::unsubscribe(const std::string& room, const std::string& id) {
  auto before = subscriptions_.before_begin();
  while (std::next(before) != subscriptions_.end() && std::next(before)->room() != room) ++before;
  if (std::next(before) == subscriptions_.end()) {
    reply_error(error_code::not_subscribed, "not subscribed to " + room, id);
    return;
  }
  sink_.leave(room, std::next(before)->membership);
  subscriptions_.erase_after(before);
  sink_.reply(encode_unsubscribed(room, id));
}

void client_protocol::leave_all() {
  for (auto& s : subscriptions_) {
    // A copy: leaving the last member drops the room and its name.
    const std::string room = s.room();
    sink_.leave(room, s.membership);
  }
  subscriptions_.clear();
  initial_.reset();
}

void client_protocol::publish(const client_request& request) {
  if (!sink_.config().client_publish) {
    reply_error(error_code::forbidden, "client publishing is disabled on this server", request.id);
    return;
  }
  if (find(request.room) == nullptr) {
    reply_error(error_code::not_subscribed, "subscribe to " + request.room + " before publishing",
                request.id);
    return;
  }
  if (!rules_allow(sink_.config().room_rules, request.room, sink_.who().role,
                   room_action::publish)) {
    reply_error(error_code::forbidden, "not allowed to publish into " + request.room, request.id);
    return;
  }
  // Without an id nothing is answered, so nothing needs to wait for the owner.
  const bool answer = !request.id.empty();
  if (answer)
    pending_ = std::make_unique<pending_request>(pending_kind::publish, request.room, request.id);
  sink_.publish(request.room, request.data, answer);
}

void client_protocol::send(const client_request& request) {
  if (!request.room.empty()) {
    if (find(request.room) == nullptr) {
      reply_error(error_code::not_subscribed,
                  "subscribe to " + request.room + " before sending about it", request.id);
      return;
    }
    if (!rules_allow(sink_.config().room_rules, request.room, sink_.who().role,
                     room_action::send)) {
      reply_error(error_code::forbidden, "not allowed to send about " + request.room, request.id);
      return;
    }
  }
  // Without an id only a refusal is answered, so nothing needs to wait for it.
  if (!request.id.empty())
    pending_ = std::make_unique<pending_request>(pending_kind::send, request.room, request.id);
  sink_.send_event(request.room, request.data, request.id);
}

void client_protocol::on_send_answer(const std::string& id, bool taken, std::string_view error) {
  if (!id.empty() && pending_ && pending_->kind == pending_kind::send && pending_->id == id)
    pending_.reset();
  // A refusal is said even to a send without an id: the message reached nobody.
  if (!error.empty()) {
    reply_error(error_code::unavailable, "cannot send: " + std::string(error), id);
  } else if (!taken) {
    reply_error(error_code::no_receiver, "no backend is watching client messages", id);
  } else if (!id.empty()) {
    sink_.reply(encode_sent(id));
  }
}

void client_protocol::on_publish_answer(const std::string& room, std::uint64_t seq,
                                        const std::string& epoch, std::string_view error) {
  const bool awaited =
      pending_ && pending_->kind == pending_kind::publish && pending_->room == room;
  if (!error.empty()) {
    // Said even to a publish without an id: the message was not taken.
    std::string id;
    if (awaited) {
      id = std::move(pending_->id);
      pending_.reset();
    }
    reply_error(error_code::unavailable, "cannot publish into " + room + ": " + std::string(error),
                id);
    return;
  }
  if (!awaited) return;
  const std::unique_ptr<pending_request> request = std::move(pending_);
  sink_.reply(encode_published(room, seq, epoch, request->id));
}

void client_protocol::presence(const std::string& room, const std::string& id) {
  if (find(room) == nullptr) {
    reply_error(error_code::not_subscribed, "subscribe to " + room + " to see who is in it", id);
    return;
  }
  if (!rules_allow(sink_.config().room_rules, room, sink_.who().role, room_action::presence)) {
    reply_error(error_code::forbidden, "not allowed to see who is in " + room, id);
    return;
  }
  pending_ = std::make_unique<pending_request>(pending_kind::presence, room, id);
  sink_.presence(room);
}

void client_protocol::on_presence_answer(const std::string& room,
                                         const std::vector<room_member>& members, bool truncated) {
  if (!pending_ || pending_->kind != pending_kind::presence || pending_->room != room) return;
  const std::unique_ptr<pending_request> request = std::move(pending_);
  sink_.reply(encode_presence(room, members, truncated, request->id));
}

void client_protocol::reply_error(error_code code, std::string_view message, std::string_view id) {
  sink_.count_error(to_string(code));
  sink_.reply(encode_error(code, message, id));
}

}  // namespace wsedge::edge
