// Stream entries to events and back, and the watchers' filters for the append script.
#include "engine/redis/event_entries.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <string_view>

namespace wsedge::engine::redis {

namespace {

std::string_view text(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_STRING ? std::string_view(r->str, r->len)
                                                       : std::string_view();
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

void add(std::vector<std::string>& fields, const char* name, std::string value) {
  if (value.empty()) return;
  fields.emplace_back(name);
  fields.push_back(std::move(value));
}

}  // namespace

std::vector<std::string> event_fields(const edge::client_event& event) {
  std::vector<std::string> fields;
  fields.reserve(18);
  fields.emplace_back("k");
  fields.push_back(std::to_string(static_cast<unsigned>(event.kind)));
  add(fields, "t", std::to_string(event.ts));
  add(fields, "n", event.node);
  add(fields, "c", event.client_id);
  add(fields, "u", event.user_id);
  add(fields, "r", event.room);
  add(fields, "d", event.data);
  if (event.kind == edge::client_event_kind::disconnected) {
    add(fields, "x", std::to_string(event.code));
    add(fields, "y", event.reason);
  }
  return fields;
}

std::optional<edge::client_event> decode_event_entry(const redisReply* entry) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return {};
  const std::string_view id = text(entry->element[0]);
  const redisReply* fields = entry->element[1];
  const auto dash = id.find('-');
  edge::client_event event;
  if (dash == std::string_view::npos || !parse_number(id.substr(dash + 1), event.id) ||
      fields == nullptr || fields->type != REDIS_REPLY_ARRAY)
    return {};
  bool has_kind = false;
  for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
    const std::string_view name = text(fields->element[f]);
    const std::string_view value = text(fields->element[f + 1]);
    if (name == "k") {
      unsigned kind = 0;
      // Only a client's doing: a gap is never stored.
      if (!parse_number(value, kind) || kind >= edge::client_event_kind_names.size()) return {};
      event.kind = static_cast<edge::client_event_kind>(kind);
      has_kind = true;
    } else if (name == "t") {
      parse_number(value, event.ts);
    } else if (name == "n") {
      event.node = value;
    } else if (name == "c") {
      event.client_id = value;
    } else if (name == "u") {
      event.user_id = value;
    } else if (name == "r") {
      event.room = value;
    } else if (name == "d") {
      event.data = value;
    } else if (name == "x") {
      parse_number(value, event.code);
    } else if (name == "y") {
      event.reason = value;
    }
  }
  if (!has_kind) return {};
  return event;
}

std::vector<edge::client_event> decode_event_entries(const redisReply* entries, bool newest_first) {
  std::vector<edge::client_event> events;
  if (entries == nullptr || entries->type != REDIS_REPLY_ARRAY) return events;
  events.reserve(entries->elements);
  for (std::size_t i = 0; i < entries->elements; ++i) {
    const std::size_t at = newest_first ? entries->elements - 1 - i : i;
    if (auto event = decode_event_entry(entries->element[at])) events.push_back(std::move(*event));
  }
  return events;
}

std::string encode_filters(const std::vector<edge::event_filter>& filters) {
  std::string out;
  for (const auto& f : filters) {
    out += std::to_string(f.kinds);
    out += ' ';
    out += std::to_string(f.room_prefix.size());
    out += ' ';
    out += f.room_prefix;
  }
  return out;
}

}  // namespace wsedge::engine::redis
