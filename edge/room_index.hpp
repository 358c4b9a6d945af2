// A shard's own rooms: room name → the shard's member sessions. Used on the shard thread only.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edge/string_map.hpp"

namespace wsedge::edge {

template <typename Member>
class room_index {
 public:
  // Returns false when `member` was already in `room`.
  bool add(std::string_view room, Member* member) {
    auto& members = rooms_[room];
    for (Member* m : members)
      if (m == member) return false;
    members.push_back(member);
    return true;
  }

  // Returns false when `member` was not in `room`.
  bool remove(std::string_view room, Member* member) {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return false;
    auto& members = it->second;
    for (auto& m : members) {
      if (m == member) {
        m = members.back();
        members.pop_back();
        if (members.empty()) rooms_.erase(it);
        return true;
      }
    }
    return false;
  }

  std::span<Member* const> members(std::string_view room) const {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return {};
    return it->second;
  }

  std::size_t room_count() const { return rooms_.size(); }

 private:
  string_map<std::string, std::vector<Member*>> rooms_;
};

}  // namespace wsedge::edge
