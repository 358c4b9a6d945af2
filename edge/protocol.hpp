// The client JSON protocol: parsing client requests and encoding server messages.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace wsedge::edge {

enum class request_type { subscribe, unsubscribe, publish, rooms, ping, heartbeat };

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
};

std::string_view to_string(error_code code);

struct client_request {
  request_type type = request_type::heartbeat;
  std::string id;    // raw JSON text of "id" (a string or number), empty when absent
  std::string room;  // decoded room name, empty when absent
  std::string data;  // raw JSON text of "data" for publish
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
std::string encode_subscribed(std::string_view room, std::uint64_t members, std::string_view id);
std::string encode_unsubscribed(std::string_view room, std::string_view id);
std::string encode_published(std::string_view room, std::uint64_t seq, std::string_view id);
std::string encode_rooms(std::span<const std::string> rooms, std::string_view id);
std::string encode_pong(std::int64_t ts, std::string_view id);
std::string encode_error(error_code code, std::string_view message, std::string_view id);
// A delivered message; `data` is raw JSON, seq 0 means "no seq" (non-room targets).
std::string encode_message(std::string_view room, std::uint64_t seq, std::string_view data,
                           std::string_view from, std::int64_t ts);

}  // namespace wsedge::edge
