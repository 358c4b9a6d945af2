// What clients do, as the backends' event stream (WatchEvents) reports it: the vocabulary the
// edge emits into its event log and the control plane turns into gRPC messages.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsedge::edge {

enum class client_event_kind : std::uint8_t {
  connected,
  disconnected,
  joined,
  left,
  client_message,
  // Not a client's doing: a resuming watcher asked for events no longer retained.
  gap,
};

// The names a watcher filters by (every kind but gap, which is never filtered out).
inline constexpr std::array<std::string_view, 5> client_event_kind_names{
    "connected", "disconnected", "joined", "left", "client_message"};

std::string_view to_string(client_event_kind kind);
// False when `name` is none of client_event_kind_names.
bool client_event_kind_from(std::string_view name, client_event_kind& kind);

struct client_event {
  client_event_kind kind = client_event_kind::connected;
  // Assigned by the event log: increasing, and above every id an earlier run of the node used.
  std::uint64_t id = 0;
  std::int64_t ts = 0;  // milliseconds since the Unix epoch
  // The node the client is on; empty: this node (in cluster mode the engine names every event's).
  std::string node = {};
  std::string client_id = {};
  std::string user_id = {};
  std::string room = {};    // joined, left; a client_message that named a room
  std::string data = {};    // client_message: the client's JSON `data`, verbatim
  std::uint16_t code = 0;   // disconnected: the close code
  std::string reason = {};  // disconnected: the close reason
  // gap: the events after gap_after and before gap_resume are no longer retained.
  std::uint64_t gap_after = 0;
  std::uint64_t gap_resume = 0;
};

// What one watcher wants: a set of kinds (all when none is named) and a room prefix (when set,
// only events about a room that starts with it).
struct event_filter {
  static constexpr std::uint32_t all_kinds = (1u << client_event_kind_names.size()) - 1;
  std::uint32_t kinds = all_kinds;
  std::string room_prefix = {};

  bool wants(const client_event& event) const {
    if (event.kind == client_event_kind::gap) return true;
    if ((kinds & (1u << static_cast<unsigned>(event.kind))) == 0) return false;
    return room_prefix.empty() ||
           (!event.room.empty() && std::string_view(event.room).starts_with(room_prefix));
  }
};

}  // namespace wsedge::edge
