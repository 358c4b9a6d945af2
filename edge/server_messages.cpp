// Server messages of the client protocol, built as text (each once per message, whatever the
// number of recipients).
#include <boost/json.hpp>
#include <string>

#include "edge/protocol.hpp"

namespace wsedge::edge {

namespace json = boost::json;

namespace {

void append_id(std::string& out, std::string_view id) {
  if (id.empty()) return;
  out += ",\"id\":";
  out += id;
}

void append_string(std::string& out, std::string_view text) {
  out += json::serialize(text);
}

}  // namespace

std::string encode_connected(std::string_view client_id, std::string_view user_id,
                             std::int64_t ts) {
  std::string out = R"({"type":"connected","client_id":)";
  append_string(out, client_id);
  out += ",\"user_id\":";
  append_string(out, user_id);
  out += ",\"ts\":" + std::to_string(ts) + "}";
  return out;
}

std::string encode_subscribed(std::string_view room, const subscribed_reply& reply,
                              std::string_view id) {
  std::string out = R"({"type":"subscribed","room":)";
  append_string(out, room);
  out += ",\"members\":" + std::to_string(reply.members);
  out += ",\"seq\":" + std::to_string(reply.seq);
  out += ",\"epoch\":";
  append_string(out, reply.epoch);
  if (reply.recovered) {
    out += *reply.recovered ? ",\"recovered\":true" : ",\"recovered\":false";
    out += ",\"missed\":" + std::to_string(reply.missed);
  }
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_unsubscribed(std::string_view room, std::string_view id) {
  std::string out = R"({"type":"unsubscribed","room":)";
  append_string(out, room);
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_published(std::string_view room, std::uint64_t seq, std::string_view epoch,
                             std::string_view id) {
  std::string out = R"({"type":"published","room":)";
  append_string(out, room);
  out += ",\"seq\":" + std::to_string(seq);
  out += ",\"epoch\":";
  append_string(out, epoch);
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_sent(std::string_view id) {
  std::string out = R"({"type":"sent")";
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_rooms(std::span<const std::string> rooms, std::string_view id) {
  std::string out = R"({"type":"rooms","rooms":[)";
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    if (i) out += ',';
    append_string(out, rooms[i]);
  }
  out += ']';
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_presence(std::string_view room, std::span<const room_member> members,
                            bool truncated, std::string_view id) {
  std::string out = R"({"type":"presence","room":)";
  append_string(out, room);
  out += ",\"members\":[";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) out += ',';
    out += "{\"client_id\":";
    append_string(out, members[i].client_id);
    out += ",\"user_id\":";
    append_string(out, members[i].user_id);
    out += '}';
  }
  out += truncated ? "],\"truncated\":true" : "],\"truncated\":false";
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_join_leave(bool joined, std::string_view room, std::string_view client_id,
                              std::string_view user_id) {
  std::string out = joined ? R"({"type":"join","room":)" : R"({"type":"leave","room":)";
  append_string(out, room);
  out += ",\"client_id\":";
  append_string(out, client_id);
  out += ",\"user_id\":";
  append_string(out, user_id);
  out += '}';
  return out;
}

std::string encode_pong(std::int64_t ts, std::string_view id) {
  std::string out = R"({"type":"pong","ts":)" + std::to_string(ts);
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_error(error_code code, std::string_view message, std::string_view id) {
  std::string out = R"({"type":"error","code":")";
  out += to_string(code);
  out += "\",\"error\":";
  append_string(out, message);
  append_id(out, id);
  out += '}';
  return out;
}

std::string encode_message(std::string_view room, std::uint64_t seq, std::string_view data,
                           std::string_view from, std::int64_t ts) {
  std::string out;
  out.reserve(data.size() + room.size() + from.size() + 96);
  out += R"({"type":"message","room":)";
  append_string(out, room);
  if (seq != 0) out += ",\"seq\":" + std::to_string(seq);
  out += ",\"data\":";
  out += data;
  out += ",\"from\":";
  append_string(out, from);
  out += ",\"ts\":" + std::to_string(ts) + "}";
  return out;
}

}  // namespace wsedge::edge
