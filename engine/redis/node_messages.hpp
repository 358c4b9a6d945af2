// What nodes say to each other on their channels, as JSON text: a request every node answers
// (a publish to a user, role, client or everyone, a Kick, Stats, Presence) and each node's
// reply. Message data travels as a JSON string holding the exact bytes, so it is delivered
// verbatim. decode_* return nullopt for anything malformed (a message is dropped, never
// trusted).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cluster_engine.hpp"
#include "edge/hub.hpp"

namespace wsedge::engine::redis {

// `left`: the node `from` is leaving the cluster (it stopped cleanly); nobody answers it, and
// every node stops expecting it at once instead of at its next heartbeat.
enum class node_op { publish, kick, stats, presence, left };

struct node_request {
  node_op op = node_op::stats;
  std::uint64_t id = 0;
  std::string from;                                             // the node to reply to
  edge::target_kind kind = edge::target_kind::all;              // publish
  edge::kick_selector selector = edge::kick_selector::user_id;  // kick
  std::string value;                                            // publish target, kick value
  std::string data;                                             // publish
  std::string reason;                                           // kick
  std::string room;  // stats (empty: every room), presence
};

struct node_reply {
  std::uint64_t id = 0;
  std::string node;
  std::uint64_t count = 0;                 // publish, kick
  edge::stats_snapshot stats;              // stats
  std::vector<edge::room_member> members;  // presence
  bool truncated = false;                  // presence
};

std::string encode(const node_request& request);
std::optional<node_request> decode_request(std::string_view text);
// `op` picks the fields written.
std::string encode(node_op op, const node_reply& reply);
std::optional<node_reply> decode_reply(std::string_view text);

// A publish sent through Redis (`PUBLISH <prefix>:publish '{"room":"r","data":…}'`, or
// "user_id", "role", "client_id", "all":true instead of "room"); `data` is kept as its exact
// JSON text. nullopt when malformed (not an object, no data, no or several targets).
struct ingest_publish {
  edge::publish_target target;
  std::string data;
};
std::optional<ingest_publish> decode_ingest(std::string_view text);

// A message on a room's channel, "seq\nepoch\nts\nfrom\ndata" as the publish script sends it
// (`data` last: it may hold newlines). nullopt when a field is missing or a number malformed.
std::optional<edge::engine_message> decode_room_message(std::string room, std::string_view payload);

}  // namespace wsedge::engine::redis
