// Client protocol codec: Boost.JSON validates and reads requests (replies: server_messages.cpp).
#include "edge/protocol.hpp"

#include <array>
#include <boost/json.hpp>
#include <chrono>

#include "edge/json_members.hpp"
#include "edge/room_name.hpp"

namespace wsedge::edge {

namespace json = boost::json;

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::invalid_json:
      return "invalid_json";
    case error_code::unknown_type:
      return "unknown_type";
    case error_code::room_required:
      return "room_required";
    case error_code::invalid_room:
      return "invalid_room";
    case error_code::not_subscribed:
      return "not_subscribed";
    case error_code::room_full:
      return "room_full";
    case error_code::too_many_subscriptions:
      return "too_many_subscriptions";
    case error_code::forbidden:
      return "forbidden";
    case error_code::rate_limited:
      return "rate_limited";
    case error_code::invalid_request:
      return "invalid_request";
    case error_code::unavailable:
      return "unavailable";
    case error_code::no_receiver:
      return "no_receiver";
  }
  return "invalid_request";
}

namespace {

json::value parse_value(std::string_view text, json::storage_ptr storage, json::error_code& ec) {
  json::parse_options options;
  options.max_depth = max_json_depth;
  return json::parse(text, ec, std::move(storage), options);
}

bool request_type_from(std::string_view name, request_type& type) {
  static constexpr std::array<std::pair<std::string_view, request_type>, 8> names{{
      {"subscribe", request_type::subscribe},
      {"unsubscribe", request_type::unsubscribe},
      {"publish", request_type::publish},
      {"rooms", request_type::rooms},
      {"ping", request_type::ping},
      {"heartbeat", request_type::heartbeat},
      {"presence", request_type::presence},
      {"send", request_type::send},
  }};
  for (const auto& [n, t] : names) {
    if (n == name) {
      type = t;
      return true;
    }
  }
  return false;
}

bool needs_room(request_type type) {
  return type == request_type::subscribe || type == request_type::unsubscribe ||
         type == request_type::publish || type == request_type::presence;
}

// "since": {"seq": <non-negative integer>, "epoch": "<string>"}.
std::optional<stream_position> read_since(const json::value& since) {
  const json::object* object = since.if_object();
  if (object == nullptr) return std::nullopt;
  const json::value* seq = object->if_contains("seq");
  const json::value* epoch = object->if_contains("epoch");
  if (seq == nullptr || epoch == nullptr || !epoch->is_string()) return std::nullopt;
  stream_position position;
  if (seq->is_uint64()) {
    position.seq = seq->get_uint64();
  } else if (seq->is_int64() && seq->get_int64() >= 0) {
    position.seq = static_cast<std::uint64_t>(seq->get_int64());
  } else {
    return std::nullopt;
  }
  position.epoch = epoch->get_string();
  return position;
}

}  // namespace

parse_result parse_request(std::string_view text) {
  // Small requests parse without touching the heap.
  std::array<unsigned char, 4096> scratch;
  json::monotonic_resource resource(scratch.data(), scratch.size());
  json::error_code ec;
  json::value doc = parse_value(text, &resource, ec);
  if (ec) return request_error{error_code::invalid_json, "malformed JSON: " + ec.message(), {}};
  const json::object* object = doc.if_object();
  if (object == nullptr)
    return request_error{error_code::invalid_json, "expected a JSON object", {}};

  // The raw scanner (which copies values verbatim) and the parser must agree on every member
  // the protocol reads: one given twice, however its name is spelt, is refused, not read twice.
  static constexpr std::array<std::string_view, 4> protocol_keys{"type", "id", "room", "data"};
  std::array<std::string_view, protocol_keys.size()> raw{};
  std::array<int, protocol_keys.size()> seen{};
  std::string_view duplicate;
  for_each_raw_member(text, [&](std::string_view key, std::string_view value) {
    for (std::size_t i = 0; i < protocol_keys.size(); ++i) {
      if (key != protocol_keys[i]) continue;
      if (seen[i]++ != 0) duplicate = protocol_keys[i];
      raw[i] = value;
    }
  });
  if (!duplicate.empty())
    return request_error{
        error_code::invalid_request, "duplicate key \"" + std::string(duplicate) + "\"", {}};

  client_request request;
  if (const json::value* id = object->if_contains("id")) {
    if (!id->is_string() && !id->is_number())
      return request_error{error_code::invalid_request, "\"id\" must be a string or a number", {}};
    request.id = seen[1] != 0 ? std::string(raw[1]) : json::serialize(*id);
  }

  const json::value* type = object->if_contains("type");
  if (type == nullptr || !type->is_string())
    return request_error{error_code::unknown_type, "\"type\" must be a string", request.id};
  if (!request_type_from(type->get_string(), request.type))
    return request_error{error_code::unknown_type,
                         "unknown type \"" + std::string(type->get_string()) + "\"", request.id};

  // A send may name a room (the event then carries it), but need not.
  const bool room_optional = request.type == request_type::send && !object->contains("room");
  if (needs_room(request.type) || (request.type == request_type::send && !room_optional)) {
    const json::value* room = object->if_contains("room");
    if (room == nullptr || (room->is_string() && room->get_string().empty()))
      return request_error{error_code::room_required, "\"room\" is required", request.id};
    if (!room->is_string() || !is_valid_room_name(room->get_string()))
      return request_error{error_code::invalid_room,
                           "a room name is 1-128 characters of A-Z a-z 0-9 _ - . : @ /",
                           request.id};
    request.room = room->get_string();
  }

  if (request.type == request_type::publish || request.type == request_type::send) {
    const json::value* data = object->if_contains("data");
    if (data == nullptr)
      return request_error{
          error_code::invalid_request,
          std::string(request.type == request_type::send ? "send" : "publish") + " needs \"data\"",
          request.id};
    request.data = seen[3] != 0 ? std::string(raw[3]) : json::serialize(*data);
  }

  if (request.type == request_type::subscribe) {
    if (const json::value* since = object->if_contains("since")) {
      request.since = read_since(*since);
      if (!request.since)
        return request_error{error_code::invalid_request,
                             "\"since\" must be {\"seq\": <integer >= 0>, \"epoch\": \"<string>\"}",
                             request.id};
    }
    if (const json::value* join_leave = object->if_contains("join_leave")) {
      if (!join_leave->is_bool())
        return request_error{error_code::invalid_request, "\"join_leave\" must be true or false",
                             request.id};
      request.join_leave = join_leave->get_bool();
    }
  }
  return request;
}

bool is_valid_json(std::string_view text) {
  std::array<unsigned char, 4096> scratch;
  json::monotonic_resource resource(scratch.data(), scratch.size());
  json::error_code ec;
  parse_value(text, &resource, ec);
  return !ec;
}

std::int64_t now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace wsedge::edge
