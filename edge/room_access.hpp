// Who may join which room: personal rooms (user:{id}) and a token's `rooms` allowance.
#pragma once

#include <string_view>

#include "edge/token_verifier.hpp"

namespace wsedge::edge {

// Rooms named user:{id} belong to that user alone.
inline constexpr std::string_view personal_room_prefix = "user:";

// A room pattern is an exact name, or a prefix ending in '*' ("*" matches every room).
bool room_pattern_matches(std::string_view pattern, std::string_view room);

// True when `rooms` (a token's allowance; null = unrestricted) lets its holder into `room`.
bool rooms_allow(const std::vector<std::string>* rooms, std::string_view room);

// Personal rooms and the token's allowance (room rules are checked separately).
bool may_join(const identity& who, std::string_view room);

}  // namespace wsedge::edge
