// The cluster's event stream as Redis holds it: one stream entry per event, its id "0-<event
// id>", its fields short names ("k" kind, "t" ts, "n" node, "c" client id, "u" user id, "r"
// room, "d" data, "x" close code, "y" close reason; empty ones left out). And the watchers'
// filters as each node announces them, in a form the append script reads. Private to
// engine/redis.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edge/client_event.hpp"

struct redisReply;

namespace wsedge::engine::redis {

// The event's fields as XADD arguments (name, value, name, value, ...).
std::vector<std::string> event_fields(const edge::client_event& event);

// One entry of an XRANGE/XREAD reply ([id, [field, value, ...]]); nullopt when it is not an
// event this version understands (the entry is skipped, never trusted).
std::optional<edge::client_event> decode_event_entry(const redisReply* entry);

// The entries of an XRANGE/XREVRANGE reply (an array of entries), oldest first either way.
std::vector<edge::client_event> decode_event_entries(const redisReply* entries, bool newest_first);

// Filters as "<kinds bits> <prefix length> <prefix>", one after another (empty: no watcher).
std::string encode_filters(const std::vector<edge::event_filter>& filters);

}  // namespace wsedge::engine::redis
