// Room name validation.
#include "edge/room_name.hpp"

#include <algorithm>

namespace wsedge::edge {

namespace {
bool is_room_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || c == '@' || c == '/';
}
}  // namespace

bool is_valid_room_name(std::string_view room) {
  return !room.empty() && room.size() <= max_room_name_length &&
         std::all_of(room.begin(), room.end(), is_room_char);
}

}  // namespace wsedge::edge
