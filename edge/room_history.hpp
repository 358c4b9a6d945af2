// A room's recent messages on its owner shard, for clients that reconnect with `since`: the last
// `max_messages` frames (and at most `max_bytes` of them), each with its seq, oldest first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wsedge::edge {

class room_history {
 public:
  using frame = std::shared_ptr<const std::string>;

  room_history(std::size_t max_messages, std::size_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // Keeps `bytes` as message `seq` (one more than the last one kept, or the first), dropping
  // the oldest past either bound. With max_messages 0 nothing is kept.
  void append(std::uint64_t seq, frame bytes);

  // Every message after `seq`, oldest first, when history still reaches back to seq + 1 (an
  // empty list when nothing came after it); nullopt when messages after `seq` were dropped or
  // `seq` is ahead of the room (`last_seq` is the room's newest seq).
  std::optional<std::vector<frame>> since(std::uint64_t seq, std::uint64_t last_seq) const;
  // The kept messages after `seq` (the newest `limit` of them; 0 = all), oldest first.
  void after(std::uint64_t seq, std::size_t limit,
             std::vector<std::pair<std::uint64_t, frame>>& out) const;

  std::size_t size() const { return count_; }
  std::size_t bytes() const { return bytes_; }
  void clear();

 private:
  struct entry {
    std::uint64_t seq = 0;
    frame bytes;
  };
  const entry& at(std::size_t i) const { return ring_[(first_ + i) % ring_.size()]; }
  void drop_oldest();

  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  // A ring that grows to max_messages as messages come (an idle room allocates nothing).
  std::vector<entry> ring_;
  std::size_t first_ = 0;
  std::size_t count_ = 0;
};

}  // namespace wsedge::edge
