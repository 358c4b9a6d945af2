// Who may join which room: personal rooms (user:{id}) and a token's `rooms` allowance.
#pragma once

#include <string_view>

#include "edge/token_verifier.hpp"

namespace wsedge::edge {

// Rooms named user:{id} belong to that user alone.
inline constexpr std::string_view personal_room_prefix = "user:";

bool may_join(const identity& who, std::string_view room);

}  // namespace wsedge::edge
