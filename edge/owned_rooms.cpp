// Owner-shard room state: seq assignment and member counts.
#include "edge/owned_rooms.hpp"

namespace wsedge::edge {

std::size_t owner_shard(std::string_view room, std::size_t shards) {
  return string_hash{}(room) % shards;
}

owned_rooms::join_result owned_rooms::join(std::string_view room, std::size_t shard,
                                           std::size_t max_members) {
  auto [it, inserted] = rooms_.try_emplace(room);
  room_state& state = it->second;
  if (inserted) state.per_shard.assign(shards_, 0);
  if (max_members != 0 && state.members >= max_members)
    return {false, state.members, state.seq, false};
  ++state.members;
  ++state.per_shard[shard];
  return {true, state.members, state.seq, inserted};
}

bool owned_rooms::leave(std::string_view room, std::size_t shard) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return false;
  room_state& state = it->second;
  --state.members;
  --state.per_shard[shard];
  // An empty room keeps nothing: its seq starts again at 1 when someone joins.
  if (state.members != 0) return false;
  rooms_.erase(it);
  return true;
}

owned_rooms::publish_slot owned_rooms::next_seq(std::string_view room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.members == 0) return {};
  return {++it->second.seq, it->second.per_shard};
}

std::uint64_t owned_rooms::members(std::string_view room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.members;
}

void owned_rooms::append_to(std::vector<std::pair<std::string, std::uint64_t>>& out) const {
  for (const auto& [name, state] : rooms_)
    if (state.members > 0) out.emplace_back(name, state.members);
}

}  // namespace wsedge::edge
