// Which room names are valid: 1–128 characters from A–Z a–z 0–9 _ - . : @ /.
#pragma once

#include <string_view>

namespace wsedge::edge {

inline constexpr std::size_t max_room_name_length = 128;

bool is_valid_room_name(std::string_view room);

}  // namespace wsedge::edge
