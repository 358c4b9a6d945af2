// Room access rules.
#include "edge/room_access.hpp"

#include <algorithm>

namespace wsedge::edge {

bool room_pattern_matches(std::string_view pattern, std::string_view room) {
  if (pattern.ends_with('*')) return room.starts_with(pattern.substr(0, pattern.size() - 1));
  return room == pattern;
}

bool rooms_allow(const std::vector<std::string>* rooms, std::string_view room) {
  if (!rooms) return true;
  return std::any_of(rooms->begin(), rooms->end(), [room](std::string_view pattern) {
    return room_pattern_matches(pattern, room);
  });
}

bool may_join(const identity& who, std::string_view room) {
  if (room.starts_with(personal_room_prefix)) {
    std::string_view owner = room.substr(personal_room_prefix.size());
    if (who.user_id.empty() || owner != who.user_id) return false;
  }
  return rooms_allow(who.rooms.get(), room);
}

}  // namespace wsedge::edge
