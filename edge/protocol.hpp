// The client JSON protocol: parsing client requests and encoding server messages.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "edge/stream_position.hpp"

namespace wsedge::edge {

enum class request_type { subscribe, unsubscribe, publish, rooms, ping, heartbeat, presence, send };

// Stable error codes sent to clients (snake_case on the wire).
enum class error_code {
  invalid_json,
  unknown_type,
  room_required,
  invalid_room,
  not_subscribed,
  room_full,
  too_many_subscriptions,
  forbidden,
  rate_limited,
  invalid_request,
  unavailable,
  no_receiver,
};

std::string_view to_string(error_code code);

struct client_request {
  request_type type = request_type::heartbeat;
  std::string id;    // raw JSON text of "id" (a string or number), empty when absent
  std::string room;  // decoded room name, empty when absent (optional for send)
  std::string data;  // raw JSON text of "data" for publish and send
  // subscribe: recover from this position ("since"), and receive join/leave events.
  std::optional<stream_position> since;
  bool join_leave = false;
};

struct request_error {
  error_code code = error_code::invalid_json;
  std::string message;
  std::string id;  // raw JSON text of "id" when it could be read
};

using parse_result = std::variant<client_request, request_error>;

// Deepest nesting accepted in a client message (deeper is invalid_json).
inline constexpr std::size_t max_json_depth = 64;

parse_result parse_request(std::string_view text);

// True when `text` is one complete JSON value.
bool is_valid_json(std::string_view text);

// Milliseconds since the Unix epoch, as carried in "ts".
std::int64_t now_unix_ms();

// Server messages. `id` is raw JSON text (or empty: no "id" member).
std::string encode_connected(std::string_view client_id, std::string_view user_id, std::int64_t ts);
// The reply to a subscribe: the room's members and position; `recovered` only when the request
// asked to recover (then `missed` counts the messages that follow the reply).
struct subscribed_reply {
  std::uint64_t members = 0;
  std::uint64_t seq = 0;
  std::string_view epoch;
  std::optional<bool> recovered;
  std::size_t missed = 0;
};
std::string encode_subscribed(std::string_view room, const subscribed_reply& reply,
                              std::string_view id);
std::string encode_unsubscribed(std::string_view room, std::string_view id);
std::string encode_published(std::string_view room, std::uint64_t seq, std::string_view epoch,
                             std::string_view id);
// One member of a room, as presence reports it.
struct room_member {
  std::string client_id;
  std::string user_id;
  std::string node;  // cluster mode: the node the member is connected to
};
std::string encode_presence(std::string_view room, std::span<const room_member> members,
                            bool truncated, std::string_view id);
// A join or leave event for the members of `room` that asked for them.
std::string encode_join_leave(bool joined, std::string_view room, std::string_view client_id,
                              std::string_view user_id);
// The answer to a send: a backend watcher has the message queued.
std::string encode_sent(std::string_view id);
std::string encode_rooms(std::span<const std::string> rooms, std::string_view id);
std::string encode_pong(std::int64_t ts, std::string_view id);
std::string encode_error(error_code code, std::string_view message, std::string_view id);
// A delivered message; `data` is raw JSON, seq 0 means "no seq" (non-room targets).
std::string encode_message(std::string_view room, std::uint64_t seq, std::string_view data,
                           std::string_view from, std::int64_t ts);

}  // namespace wsedge::edge
