// The rooms one shard owns (a hash of the name picks the owner): each room's seq and member
// counts, per member shard. Shard thread only: every change to a room happens on its owner.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/string_map.hpp"

namespace wsedge::edge {

// Which shard owns `room` among `shards`: the same answer on every thread.
std::size_t owner_shard(std::string_view room, std::size_t shards);

class owned_rooms {
 public:
  explicit owned_rooms(std::size_t shards) : shards_(shards) {}

  struct join_result {
    bool joined = false;  // false: the room is full
    std::uint64_t members = 0;
    std::uint64_t seq = 0;  // the room's last seq when the member joined
    bool opened = false;    // the room had no member before
  };
  // Counts a member on `shard`; max_members 0 = unlimited.
  join_result join(std::string_view room, std::size_t shard, std::size_t max_members);
  // Returns true when the room lost its last member (and was dropped).
  bool leave(std::string_view room, std::size_t shard);

  struct publish_slot {
    std::uint64_t seq = 0;                   // 0: the room has no member, nothing to deliver
    std::span<const std::uint32_t> members;  // per shard
  };
  // Assigns the room's next seq.
  publish_slot next_seq(std::string_view room);

  std::uint64_t members(std::string_view room) const;
  std::size_t size() const { return rooms_.size(); }
  // (room, members) for every room with members.
  void append_to(std::vector<std::pair<std::string, std::uint64_t>>& out) const;

 private:
  struct room_state {
    std::uint64_t seq = 0;
    std::uint64_t members = 0;
    std::vector<std::uint32_t> per_shard;
  };
  std::size_t shards_;
  string_map<std::string, room_state> rooms_;
};

}  // namespace wsedge::edge
