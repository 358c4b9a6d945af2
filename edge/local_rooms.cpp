// Shard-local room membership with O(1) join and leave.
#include "edge/local_rooms.hpp"

namespace wsedge::edge {

const std::string& local_rooms::name_of(const slot& membership) {
  static const std::string none;
  return membership.in != nullptr ? membership.in->name : none;
}

void local_rooms::join(std::string_view name, session* who, slot& membership) {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) {
    auto created = std::make_unique<room>();
    created->name = std::string(name);
    std::string_view key = created->name;
    it = rooms_.emplace(key, std::move(created)).first;
  }
  room& r = *it->second;
  membership.in = &r;
  membership.position = static_cast<std::uint32_t>(r.members.size());
  r.members.push_back({who, &membership});
}

void local_rooms::leave(slot& membership) {
  room* r = membership.in;
  if (r == nullptr) return;
  auto& members = r->members;
  // Move the last member into the hole and tell it where it now is.
  member& hole = members[membership.position];
  hole = members.back();
  hole.membership->position = membership.position;
  members.pop_back();
  membership.in = nullptr;
  if (members.empty()) rooms_.erase(std::string_view(r->name));
}

std::span<const local_rooms::member> local_rooms::members(std::string_view name) const {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) return {};
  return it->second->members;
}

}  // namespace wsedge::edge
