// Room directory: the only state shared by all shards, split into independently locked stripes.
#include "edge/room_directory.hpp"

namespace wsedge::edge {

room_directory::room_directory(std::size_t shard_count, edge_observer& observer)
    : shard_count_(shard_count), observer_(observer) {}

room_directory::stripe& room_directory::stripe_for(std::string_view room) const {
  return stripes_[string_hash{}(room) % stripe_count];
}

room_directory::join_result room_directory::join(std::string_view room, std::size_t shard,
                                                 std::size_t max_members) {
  stripe& s = stripe_for(room);
  bool opened = false;
  join_result result;
  {
    std::lock_guard lock(s.mutex);
    auto [it, inserted] = s.rooms.try_emplace(room);
    room_entry& entry = it->second;
    if (inserted) entry.per_shard.assign(shard_count_, 0);
    if (max_members != 0 && entry.members >= max_members) return {false, entry.members};
    ++entry.members;
    ++entry.per_shard[shard];
    opened = inserted;
    result = {true, entry.members};
  }
  if (opened) {
    room_count_.fetch_add(1, std::memory_order_relaxed);
    observer_.on_room_opened();
  }
  return result;
}

void room_directory::leave(std::string_view room, std::size_t shard) {
  stripe& s = stripe_for(room);
  bool closed = false;
  {
    std::lock_guard lock(s.mutex);
    auto it = s.rooms.find(room);
    if (it == s.rooms.end()) return;
    room_entry& entry = it->second;
    --entry.members;
    --entry.per_shard[shard];
    // An empty room keeps nothing: its seq starts again at 1 when someone joins.
    if (entry.members == 0) {
      s.rooms.erase(it);
      closed = true;
    }
  }
  if (closed) {
    room_count_.fetch_sub(1, std::memory_order_relaxed);
    observer_.on_room_closed();
  }
}

std::uint64_t room_directory::publish(std::string_view room, deliver_fn deliver) {
  stripe& s = stripe_for(room);
  std::lock_guard lock(s.mutex);
  auto it = s.rooms.find(room);
  if (it == s.rooms.end()) return 0;
  room_entry& entry = it->second;
  deliver(++entry.seq, entry.per_shard);
  return entry.seq;
}

std::uint64_t room_directory::members(std::string_view room) const {
  stripe& s = stripe_for(room);
  std::lock_guard lock(s.mutex);
  auto it = s.rooms.find(room);
  return it == s.rooms.end() ? 0 : it->second.members;
}

std::vector<std::pair<std::string, std::uint64_t>> room_directory::snapshot() const {
  std::vector<std::pair<std::string, std::uint64_t>> rooms;
  for (stripe& s : stripes_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [name, entry] : s.rooms) rooms.emplace_back(name, entry.members);
  }
  return rooms;
}

}  // namespace wsedge::edge
