// One page of Stats' room_stats: largest rooms first (ties by name), resumed after a page token.
#pragma once

#include <absl/status/statusor.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/room_summary.hpp"

namespace wsedge::control {

// Rooms per page when the caller sets no limit. 1,000 rooms of 128-character names are about
// 140 KB; the cap keeps the largest page (about 1.4 MB) well under gRPC's 4 MB receive limit.
inline constexpr std::size_t default_room_page = 1000;
inline constexpr std::size_t max_room_page = 10000;

// The last room of a page: the next page starts after it in (members desc, name asc) order.
// Keyset paging needs no state on the server, and a room that appears or goes between two
// calls shifts nothing else.
struct room_cursor {
  std::uint64_t members = 0;
  std::string room;
};

// The opaque next_page_token for `last`.
std::string encode_page_token(const room_cursor& last);
// InvalidArgument for a token encode_page_token did not make.
absl::StatusOr<room_cursor> decode_page_token(std::string_view token);

// 0 becomes the default; more than the cap becomes the cap.
std::size_t room_page_size(std::uint32_t requested);

// Leaves in `rooms` the `limit` largest rooms (ties by name) that come after `after`, in that
// order. Returns the cursor of the last one kept when rooms are left beyond it.
std::optional<room_cursor> take_room_page(std::vector<edge::room_summary>& rooms, std::size_t limit,
                                          const std::optional<room_cursor>& after);

}  // namespace wsedge::control
