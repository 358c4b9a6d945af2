// Node-wide room table: member counts per shard and each room's seq. Thread-safe, lock-striped.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/functional/function_ref.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/edge_observer.hpp"
#include "edge/string_map.hpp"

namespace wsedge::edge {

class room_directory {
 public:
  room_directory(std::size_t shard_count, edge_observer& observer);

  struct join_result {
    bool joined = false;  // false: the room is full
    std::uint64_t members = 0;
  };
  // Counts a member of `room` on `shard`. max_members 0 = unlimited.
  join_result join(std::string_view room, std::size_t shard, std::size_t max_members);
  void leave(std::string_view room, std::size_t shard);

  // Assigns the room's next seq and calls `deliver(seq, members_per_shard)` while holding the
  // room's lock, so every shard receives one room's messages in seq order. Returns the seq, or 0
  // (without calling `deliver`) when the room has no members.
  using deliver_fn = absl::FunctionRef<void(std::uint64_t, std::span<const std::uint32_t>)>;
  std::uint64_t publish(std::string_view room, deliver_fn deliver);

  std::uint64_t members(std::string_view room) const;
  std::size_t room_count() const { return room_count_.load(std::memory_order_relaxed); }
  // (room, members) for every room with members; takes one stripe lock at a time.
  std::vector<std::pair<std::string, std::uint64_t>> snapshot() const;

 private:
  struct room_entry {
    std::uint64_t seq = 0;
    std::uint64_t members = 0;
    std::vector<std::uint32_t> per_shard;
  };
  struct stripe {
    // std::mutex, not absl::Mutex, throughout the edge: Debian's Abseil is not built with
    // ThreadSanitizer, so TSan cannot see absl::Mutex and would report every guarded access.
    mutable std::mutex mutex;
    string_map<std::string, room_entry> rooms ABSL_GUARDED_BY(mutex);
  };
  static constexpr std::size_t stripe_count = 64;

  stripe& stripe_for(std::string_view room) const;

  std::size_t shard_count_;
  edge_observer& observer_;
  std::atomic<std::size_t> room_count_{0};
  mutable std::array<stripe, stripe_count> stripes_;
};

}  // namespace wsedge::edge
