// The rooms one shard owns (a hash of the name picks the owner): each room's seq, epoch, history
// and member counts per member shard. Shard thread only: every change to a room happens on its
// owner. This is the in-process engine's room state; a room outlives its members by
// history_ttl, so a client that reconnects can recover what it missed.
#pragma once

#include <absl/container/node_hash_map.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/room_history.hpp"
#include "edge/room_summary.hpp"
#include "edge/stream_position.hpp"
#include "edge/string_map.hpp"

namespace wsedge::edge {

// Which shard owns `room` among `shards`: the same answer on every thread.
std::size_t owner_shard(std::string_view room, std::size_t shards);

// The bounds of one owner shard's rooms.
struct owned_rooms_limits {
  std::size_t shards = 1;
  std::size_t history_size = 100;           // messages per room (0: none kept)
  std::size_t history_max_bytes = 1 << 20;  // bytes per room
  std::size_t history_total_bytes = 0;      // over all of this shard's rooms; 0 = unbounded
  std::chrono::steady_clock::duration ttl = std::chrono::minutes(5);
};

// How a member joins.
struct room_join_options {
  // Also take the messages after this position from history, in the same step (nothing can
  // be published in between).
  const stream_position* since = nullptr;
  // The member gets join and leave events (the room counts such watchers).
  bool join_leave = false;
};

class owned_rooms {
 public:
  using clock = std::chrono::steady_clock;
  using frame = room_history::frame;

  using limits = owned_rooms_limits;

  explicit owned_rooms(limits bounds, std::uint64_t seed = std::random_device{}());
  // The default bounds for `shards` shards.
  explicit owned_rooms(std::size_t shards) : owned_rooms(limits{.shards = shards}) {}

  struct join_result {
    bool joined = false;  // false: the room is full
    std::uint64_t members = 0;
    std::uint64_t seq = 0;  // the room's last seq when the member joined
    std::string epoch;
    bool opened = false;  // the room had no member before
    // Only when the join asked to recover from a position.
    std::optional<bool> recovered;
    std::vector<frame> missed;  // when recovered: every message after the position, in order
  };
  using join_options = room_join_options;
  // Counts a member on `shard`; max_members 0 = unlimited.
  join_result join(std::string_view room, std::size_t shard, std::size_t max_members,
                   join_options options = {});
  // Returns true when the room lost its last member (it stays for history_ttl).
  bool leave(std::string_view room, std::size_t shard, bool join_leave = false,
             clock::time_point now = clock::now());
  // Members that want join and leave events, and the member count per shard.
  std::uint32_t watchers(std::string_view room) const;
  std::span<const std::uint32_t> members_per_shard(std::string_view room) const;

  struct publish_slot {
    std::uint64_t seq = 0;
    std::string_view epoch;                  // valid until the next change to the rooms
    std::span<const std::uint32_t> members;  // per shard
  };
  // Assigns the room's next seq (creating the room when it is unknown).
  publish_slot next_seq(std::string_view room, clock::time_point now = clock::now());
  // Keeps the frame of message `seq` (just assigned by next_seq) in the room's history.
  void keep(std::string_view room, std::uint64_t seq, frame bytes);

  struct room_info {
    std::uint64_t members = 0;
    std::uint64_t seq = 0;
    std::string epoch;
    std::size_t history_messages = 0;
  };
  // nullopt: the room is unknown (never used, or expired).
  std::optional<room_info> info(std::string_view room) const;
  std::uint64_t members(std::string_view room) const;
  // The room's history after `since_seq` (at most `limit` of the newest; 0 = all kept).
  struct history_page {
    std::uint64_t seq = 0;
    std::string epoch;
    std::vector<std::pair<std::uint64_t, frame>> messages;
  };
  std::optional<history_page> history(std::string_view room, std::uint64_t since_seq,
                                      std::size_t limit) const;

  // Drops rooms without members whose history_ttl has passed, at most `budget` checks per call
  // (the rest wait for the next call). Returns how many rooms were dropped.
  std::size_t sweep(clock::time_point now, std::size_t budget = 4096);

  std::size_t size() const { return rooms_.size(); }
  std::size_t history_bytes() const { return history_bytes_; }
  // Every room with members.
  void append_to(std::vector<room_summary>& out) const;

 private:
  struct room_state {
    std::uint64_t seq = 0;
    std::uint64_t members = 0;
    std::uint32_t watchers = 0;
    std::vector<std::uint32_t> per_shard;
    std::string epoch;
    room_history history;
    clock::time_point last_used;  // last message or last member's leave
    bool awaiting_sweep = false;  // has an entry in sweep_queue_
    // The rooms with history, least recently published first (for the shard's byte bound).
    room_state* older = nullptr;
    room_state* newer = nullptr;
    room_state(std::size_t shards, std::string epoch_text, std::size_t max_messages,
               std::size_t max_bytes)
        : per_shard(shards, 0), epoch(std::move(epoch_text)), history(max_messages, max_bytes) {}
  };
  using room_map = absl::node_hash_map<std::string, room_state, string_hash, string_equal>;

  room_state& open(std::string_view room);
  room_info describe(const room_state& state) const;
  void await_sweep(std::string_view room, room_state& state, clock::time_point now);
  void unlink(room_state& state);
  void link_newest(room_state& state);
  // Drops history (oldest rooms first) until the shard is within its byte bound.
  void enforce_total_bytes();
  std::string fresh_epoch();

  limits limits_;
  std::mt19937_64 random_;
  room_map rooms_;
  std::size_t history_bytes_ = 0;
  room_state* oldest_ = nullptr;
  room_state* newest_ = nullptr;
  struct sweep_entry {
    clock::time_point due;
    std::string room;
    bool operator>(const sweep_entry& other) const { return due > other.due; }
  };
  std::priority_queue<sweep_entry, std::vector<sweep_entry>, std::greater<>> sweep_queue_;
};

}  // namespace wsedge::edge
