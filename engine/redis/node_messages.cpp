// Node messages as JSON (Boost.JSON), checked field by field on the way in.
#include "engine/redis/node_messages.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "edge/json_members.hpp"
#include "edge/protocol.hpp"

namespace wsedge::engine::redis {

namespace json = boost::json;

namespace {

constexpr std::string_view op_names[] = {"publish", "kick", "stats", "presence", "left"};
constexpr std::string_view kind_names[] = {"room", "user", "role", "client", "all"};

std::optional<json::object> parse_object(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::uint64_t number_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return 0;
}

double real_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  return 0;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

template <std::size_t N>
std::optional<std::size_t> index_of(const std::string_view (&names)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return i;
  return std::nullopt;
}

}  // namespace

std::string encode(const node_request& r) {
  json::object o;
  o["op"] = op_names[static_cast<std::size_t>(r.op)];
  o["id"] = r.id;
  o["from"] = r.from;
  switch (r.op) {
    case node_op::publish:
      o["kind"] = kind_names[static_cast<std::size_t>(r.kind)];
      o["value"] = r.value;
      o["data"] = r.data;
      break;
    case node_op::kick:
      o["by"] = r.selector == edge::kick_selector::client_id ? "client_id" : "user_id";
      o["value"] = r.value;
      o["reason"] = r.reason;
      break;
    case node_op::stats:
    case node_op::presence:
      o["room"] = r.room;
      break;
    case node_op::left:
      break;
  }
  return json::serialize(o);
}

std::optional<node_request> decode_request(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return std::nullopt;
  auto op = index_of(op_names, text_of(*o, "op"));
  if (!op) return std::nullopt;
  node_request r;
  r.op = static_cast<node_op>(*op);
  r.id = number_of(*o, "id");
  r.from = text_of(*o, "from");
  if (r.from.empty()) return std::nullopt;
  switch (r.op) {
    case node_op::publish: {
      auto kind = index_of(kind_names, text_of(*o, "kind"));
      if (!kind || *kind == 0) return std::nullopt;  // rooms go through their own channels
      r.kind = static_cast<edge::target_kind>(*kind);
      r.value = text_of(*o, "value");
      r.data = text_of(*o, "data");
      if (!edge::is_valid_json(r.data)) return std::nullopt;
      break;
    }
    case node_op::kick: {
      const std::string by = text_of(*o, "by");
      if (by != "client_id" && by != "user_id") return std::nullopt;
      r.selector =
          by == "client_id" ? edge::kick_selector::client_id : edge::kick_selector::user_id;
      r.value = text_of(*o, "value");
      r.reason = text_of(*o, "reason");
      break;
    }
    case node_op::stats:
    case node_op::presence:
      r.room = text_of(*o, "room");
      break;
    case node_op::left:
      break;
  }
  return r;
}

std::string encode(node_op op, const node_reply& r) {
  json::object o;
  o["id"] = r.id;
  o["node"] = r.node;
  switch (op) {
    case node_op::publish:
    case node_op::kick:
      o["count"] = r.count;
      break;
    case node_op::stats: {
      const edge::stats_snapshot& s = r.stats;
      json::object stats{{"connections", s.connections},
                         {"rooms", s.rooms},
                         {"subscriptions", s.subscriptions},
                         {"messages_in", s.messages_in},
                         {"messages_out", s.messages_out},
                         {"uptime", s.uptime_seconds},
                         {"shards", s.shards},
                         {"draining", s.draining}};
      json::object roles;
      for (const auto& [role, n] : s.connections_by_role) roles[role] = n;
      stats["roles"] = std::move(roles);
      json::array rooms;
      for (const auto& room : s.room_stats)
        rooms.push_back(
            json::object{{"room", room.room}, {"members", room.members}, {"seq", room.seq}});
      stats["room_stats"] = std::move(rooms);
      o["stats"] = std::move(stats);
      break;
    }
    case node_op::presence: {
      json::array members;
      for (const auto& m : r.members)
        members.push_back(json::object{{"client_id", m.client_id}, {"user_id", m.user_id}});
      o["members"] = std::move(members);
      o["truncated"] = r.truncated;
      break;
    }
    case node_op::left:  // never answered
      break;
  }
  return json::serialize(o);
}

std::optional<node_reply> decode_reply(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return std::nullopt;
  node_reply r;
  r.id = number_of(*o, "id");
  r.node = text_of(*o, "node");
  if (r.node.empty()) return std::nullopt;
  r.count = number_of(*o, "count");
  if (const json::value* stats = o->if_contains("stats"); stats != nullptr && stats->is_object()) {
    const json::object& s = stats->get_object();
    r.stats.connections = number_of(s, "connections");
    r.stats.rooms = number_of(s, "rooms");
    r.stats.subscriptions = number_of(s, "subscriptions");
    r.stats.messages_in = number_of(s, "messages_in");
    r.stats.messages_out = number_of(s, "messages_out");
    r.stats.uptime_seconds = real_of(s, "uptime");
    r.stats.shards = number_of(s, "shards");
    if (const json::value* d = s.if_contains("draining"); d != nullptr && d->is_bool())
      r.stats.draining = d->get_bool();
    if (const json::value* roles = s.if_contains("roles"); roles != nullptr && roles->is_object())
      for (const auto& [role, n] : roles->get_object())
        if (n.is_uint64() || (n.is_int64() && n.get_int64() >= 0))
          r.stats.connections_by_role[role] =
              n.is_uint64() ? n.get_uint64() : static_cast<std::uint64_t>(n.get_int64());
    if (const json::value* rooms = s.if_contains("room_stats");
        rooms != nullptr && rooms->is_array())
      for (const auto& room : rooms->get_array())
        if (room.is_object())
          r.stats.room_stats.push_back({text_of(room.get_object(), "room"),
                                        number_of(room.get_object(), "members"),
                                        number_of(room.get_object(), "seq"), 0});
  }
  if (const json::value* members = o->if_contains("members");
      members != nullptr && members->is_array()) {
    for (const auto& m : members->get_array())
      if (m.is_object())
        r.members.push_back(
            {text_of(m.get_object(), "client_id"), text_of(m.get_object(), "user_id"), r.node});
  }
  if (const json::value* t = o->if_contains("truncated"); t != nullptr && t->is_bool())
    r.truncated = t->get_bool();
  return r;
}

std::optional<ingest_publish> decode_ingest(std::string_view text) {
  if (!edge::is_valid_json(text)) return std::nullopt;
  auto o = parse_object(text);
  if (!o) return std::nullopt;
  auto data = edge::find_raw_member(text, "data");
  if (!data) return std::nullopt;
  ingest_publish p;
  p.data = std::string(*data);
  int targets = 0;
  auto pick = [&](std::string_view key, edge::target_kind kind) {
    const json::value* v = o->if_contains(key);
    if (v == nullptr) return;
    ++targets;
    if (kind == edge::target_kind::all) {
      if (!v->is_bool() || !v->get_bool()) targets = 99;
      p.target = {kind, {}};
    } else if (v->is_string()) {
      p.target = {kind, std::string(v->get_string())};
    } else {
      targets = 99;
    }
  };
  pick("room", edge::target_kind::room);
  pick("user_id", edge::target_kind::user);
  pick("role", edge::target_kind::role);
  pick("client_id", edge::target_kind::client);
  pick("all", edge::target_kind::all);
  if (targets != 1) return std::nullopt;
  return p;
}

std::optional<edge::engine_message> decode_room_message(std::string room,
                                                        std::string_view payload) {
  edge::engine_message m;
  m.room = std::move(room);
  std::string_view fields[4];
  for (auto& f : fields) {
    const std::size_t end = payload.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    f = payload.substr(0, end);
    payload.remove_prefix(end + 1);
  }
  if (!parse_number(fields[0], m.seq) || !parse_number(fields[2], m.ts)) return std::nullopt;
  m.epoch = std::string(fields[1]);
  m.from = std::string(fields[3]);
  m.data = std::string(payload);
  return m;
}

}  // namespace wsedge::engine::redis
