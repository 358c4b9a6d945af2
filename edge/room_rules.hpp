// Room rules: for room patterns, which roles may subscribe, publish, ask for presence and send
// backend messages about the room.
#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <string_view>
#include <vector>

namespace wsedge::edge {

struct room_rule {
  std::string room;                    // exact name, or a prefix ending in '*' ("*" = every room)
  std::vector<std::string> subscribe;  // roles allowed to subscribe; "*" = anyone, [] = nobody
  std::vector<std::string> publish;    // roles allowed to publish (clients only; gRPC is trusted)
  std::vector<std::string> presence{"*"};  // roles that may ask who is in it (members only)
  std::vector<std::string> send{"*"};  // roles that may `send` to the backends naming it (members)
};

enum class room_action { subscribe, publish, presence, send };

// The first rule whose pattern matches the room decides; a room no rule matches is open to all.
bool rules_allow(const std::vector<room_rule>& rules, std::string_view room, std::string_view role,
                 room_action action);

// Parses a rules document:
//   {"rules":[{"room":"admin:*","subscribe":["admin"],"publish":["admin"]}, …]}
// A missing "subscribe", "publish", "presence" or "send" list means anyone ("*"); presence and a
// send naming the room are for its members only, whatever the list says.
absl::StatusOr<std::vector<room_rule>> parse_room_rules(std::string_view json_text);

}  // namespace wsedge::edge
