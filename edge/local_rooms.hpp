// A shard's members of every room: room name → the sessions of this shard in it. Shard thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edge/string_map.hpp"

namespace wsedge::edge {

class session;

// Joining and leaving are O(1) whatever the room's size: each membership keeps its position in
// the room's member list (its slot), and a leave moves the last member into the hole.
class local_rooms {
 public:
  struct room;
  // One session's membership of one room; owned by the session, at a stable address while
  // joined (the room's member list points back at it to fix its position).
  struct slot {
    room* in = nullptr;
    std::uint32_t position = 0;
    bool join_leave = false;  // the member gets the room's join and leave events
  };
  struct member {
    session* who;
    slot* membership;
  };
  struct room {
    std::string name;
    std::vector<member> members;
  };

  // `membership` must not be joined to a room already. `who` is stored, never called here.
  void join(std::string_view name, session* who, slot& membership);
  // Leaves the room `membership` is in (nothing when it is in none); an emptied room is dropped.
  void leave(slot& membership);

  // The name of the room `membership` is in (empty when it is in none). A membership keeps no
  // copy of it: one string less per subscription.
  static const std::string& name_of(const slot& membership);
  // The room's members on this shard (empty when none).
  std::span<const member> members(std::string_view name) const;
  std::size_t room_count() const { return rooms_.size(); }

 private:
  string_map<std::string_view, std::unique_ptr<room>> rooms_;  // key: the room's own name
};

}  // namespace wsedge::edge
