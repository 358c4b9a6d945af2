// Stats paging: order, cut and page tokens of room_stats.
#include "control/room_page.hpp"

#include <absl/strings/escaping.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <algorithm>

#include "edge/room_name.hpp"

namespace wsedge::control {

namespace {

using room_count = edge::room_summary;

// Largest rooms first, ties by name: a total order, since a room appears once.
bool comes_before(std::uint64_t members, std::string_view room, std::uint64_t other_members,
                  std::string_view other_room) {
  if (members != other_members) return members > other_members;
  return room < other_room;
}

}  // namespace

std::string encode_page_token(const room_cursor& last) {
  // Room names never hold a comma, so the first one ends the count.
  return absl::WebSafeBase64Escape(absl::StrCat(last.members, ",", last.room));
}

absl::StatusOr<room_cursor> decode_page_token(std::string_view token) {
  // This Abseil's string_view is its own type, not std::string_view.
  std::string text;
  std::size_t comma = std::string::npos;
  if (absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &text))
    comma = text.find(',');
  room_cursor cursor;
  if (comma == std::string::npos || !absl::SimpleAtoi(text.substr(0, comma), &cursor.members) ||
      !edge::is_valid_room_name(std::string_view(text).substr(comma + 1)))
    return absl::InvalidArgumentError(
        "page_token is not one this server made: pass next_page_token from the previous reply");
  cursor.room = text.substr(comma + 1);
  return cursor;
}

std::size_t room_page_size(std::uint32_t requested) {
  if (requested == 0) return default_room_page;
  return std::min<std::size_t>(requested, max_room_page);
}

std::optional<room_cursor> take_room_page(std::vector<room_count>& rooms, std::size_t limit,
                                          const std::optional<room_cursor>& after) {
  if (after) {
    std::erase_if(rooms, [&](const room_count& r) {
      return !comes_before(after->members, after->room, r.members, r.room);
    });
  }
  const auto order = [](const room_count& a, const room_count& b) {
    return comes_before(a.members, a.room, b.members, b.room);
  };
  if (rooms.size() <= limit) {
    std::sort(rooms.begin(), rooms.end(), order);
    return std::nullopt;
  }
  // Only the page is sorted; the rest is dropped.
  std::partial_sort(rooms.begin(), rooms.begin() + static_cast<std::ptrdiff_t>(limit), rooms.end(),
                    order);
  rooms.resize(limit);
  if (rooms.empty()) return std::nullopt;
  return room_cursor{rooms.back().members, rooms.back().room};
}

}  // namespace wsedge::control
