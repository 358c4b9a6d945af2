// Owner-shard room state: seq and epoch assignment, member counts, history, and the sweep of
// rooms whose members and messages are gone.
#include "edge/owned_rooms.hpp"

#include <algorithm>

namespace wsedge::edge {

std::size_t owner_shard(std::string_view room, std::size_t shards) {
  return string_hash{}(room) % shards;
}

owned_rooms::owned_rooms(limits bounds, std::uint64_t seed) : limits_(bounds), random_(seed) {}

std::string owned_rooms::fresh_epoch() {
  // 48 random bits as 12 hex digits: short on the wire, and two epochs of one room never meet.
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t bits = random_();
  std::string text(12, '0');
  for (char& c : text) {
    c = digits[bits & 0xf];
    bits >>= 4;
  }
  return text;
}

owned_rooms::room_state& owned_rooms::open(std::string_view room) {
  auto it = rooms_.find(room);
  if (it != rooms_.end()) return it->second;
  return rooms_
      .try_emplace(std::string(room), limits_.shards, fresh_epoch(), limits_.history_size,
                   limits_.history_max_bytes)
      .first->second;
}

owned_rooms::join_result owned_rooms::join(std::string_view room, std::size_t shard,
                                           std::size_t max_members, join_options options) {
  room_state& state = open(room);
  join_result result;
  result.members = state.members;
  result.seq = state.seq;
  result.epoch = state.epoch;
  // (A full room has members, so a refused join never leaves a room behind.)
  if (max_members != 0 && state.members >= max_members) return result;
  result.joined = true;
  result.opened = state.members == 0;
  result.members = ++state.members;
  ++state.per_shard[shard];
  if (options.join_leave) ++state.watchers;
  if (const stream_position* since = options.since) {
    std::optional<std::vector<frame>> missed;
    if (since->epoch == state.epoch) missed = state.history.since(since->seq, state.seq);
    result.recovered = missed.has_value();
    if (missed) result.missed = std::move(*missed);
  }
  return result;
}

bool owned_rooms::leave(std::string_view room, std::size_t shard, bool join_leave,
                        clock::time_point now) {
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.members == 0) return false;
  room_state& state = it->second;
  --state.members;
  --state.per_shard[shard];
  if (join_leave) --state.watchers;
  if (state.members != 0) return false;
  state.last_used = now;
  await_sweep(room, state, now);
  return true;
}

owned_rooms::publish_slot owned_rooms::next_seq(std::string_view room, clock::time_point now) {
  room_state& state = open(room);
  ++state.seq;
  state.last_used = now;
  if (state.members == 0) await_sweep(room, state, now);
  return {state.seq, state.epoch, state.per_shard};
}

void owned_rooms::keep(std::string_view room, std::uint64_t seq, frame bytes) {
  if (limits_.history_size == 0) return;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  room_state& state = it->second;
  history_bytes_ -= state.history.bytes();
  state.history.append(seq, std::move(bytes));
  history_bytes_ += state.history.bytes();
  unlink(state);
  link_newest(state);
  enforce_total_bytes();
}

void owned_rooms::enforce_total_bytes() {
  if (limits_.history_total_bytes == 0) return;
  // The newest room keeps its history whatever its size: the bound takes from the others.
  while (history_bytes_ > limits_.history_total_bytes && oldest_ != nullptr && oldest_ != newest_) {
    room_state& victim = *oldest_;
    history_bytes_ -= victim.history.bytes();
    victim.history.clear();
    // Its history is lost: a new epoch tells clients that recovery from before is impossible.
    victim.epoch = fresh_epoch();
    unlink(victim);
  }
}

void owned_rooms::unlink(room_state& state) {
  if (state.older == nullptr && state.newer == nullptr && oldest_ != &state) return;
  (state.older != nullptr ? state.older->newer : oldest_) = state.newer;
  (state.newer != nullptr ? state.newer->older : newest_) = state.older;
  state.older = state.newer = nullptr;
}

void owned_rooms::link_newest(room_state& state) {
  state.older = newest_;
  state.newer = nullptr;
  (newest_ != nullptr ? newest_->newer : oldest_) = &state;
  newest_ = &state;
}

void owned_rooms::await_sweep(std::string_view room, room_state& state, clock::time_point now) {
  if (state.awaiting_sweep) return;
  state.awaiting_sweep = true;
  sweep_queue_.push({now + limits_.ttl, std::string(room)});
}

std::size_t owned_rooms::sweep(clock::time_point now, std::size_t budget) {
  std::size_t dropped = 0;
  while (budget-- > 0 && !sweep_queue_.empty() && sweep_queue_.top().due <= now) {
    sweep_entry entry = std::move(const_cast<sweep_entry&>(sweep_queue_.top()));
    sweep_queue_.pop();
    auto it = rooms_.find(entry.room);
    if (it == rooms_.end()) continue;
    room_state& state = it->second;
    state.awaiting_sweep = false;
    if (state.members != 0) continue;  // queued again when its last member leaves
    const clock::time_point due = state.last_used + limits_.ttl;
    if (due > now) {
      // Used since it was queued: wait for the rest of its time.
      state.awaiting_sweep = true;
      sweep_queue_.push({due, std::move(entry.room)});
      continue;
    }
    history_bytes_ -= state.history.bytes();
    unlink(state);
    rooms_.erase(it);
    ++dropped;
  }
  return dropped;
}

owned_rooms::room_info owned_rooms::describe(const room_state& state) const {
  return {state.members, state.seq, state.epoch, state.history.size()};
}

std::optional<owned_rooms::room_info> owned_rooms::info(std::string_view room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  return describe(it->second);
}

std::uint32_t owned_rooms::watchers(std::string_view room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.watchers;
}

std::span<const std::uint32_t> owned_rooms::members_per_shard(std::string_view room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {};
  return it->second.per_shard;
}

std::uint64_t owned_rooms::members(std::string_view room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.members;
}

std::optional<owned_rooms::history_page> owned_rooms::history(std::string_view room,
                                                              std::uint64_t since_seq,
                                                              std::size_t limit) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  const room_state& state = it->second;
  history_page page{state.seq, state.epoch, {}};
  state.history.after(since_seq, limit, page.messages);
  return page;
}

void owned_rooms::append_to(std::vector<room_summary>& out) const {
  for (const auto& [name, state] : rooms_)
    if (state.members > 0) out.push_back({name, state.members, state.seq, state.history.size()});
}

}  // namespace wsedge::edge
