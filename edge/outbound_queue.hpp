// A connection's bounded queue of frames waiting to be written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "edge/frame_ref.hpp"

namespace wsedge::edge {

// One message to send: its complete WebSocket frame (header + payload, see ws_frame.hpp),
// immutable and shared by every recipient of the same message on this shard.
struct outbound_frame {
  frame_ref payload;
};

enum class push_result { queued, overflow };

// The bound of every connection's queue (one copy in the configuration, not one per queue).
struct queue_limits {
  std::size_t max_messages;
  std::size_t max_bytes;
};

// Bounded by message count and bytes: a reader that falls this far behind is a slow consumer,
// and is closed rather than allowed to hold memory other clients need.
class outbound_queue {
 public:
  push_result push(outbound_frame frame, const queue_limits& limits);
  const outbound_frame& front() const { return frames_[head_]; }
  // The i-th queued frame, front() being 0.
  const outbound_frame& operator[](std::size_t i) const { return frames_[head_ + i]; }
  void pop();
  void clear();
  // Bytes of the front frame already written by a short write (its rest goes next); back to 0
  // when the front is popped.
  std::size_t front_written() const { return front_written_; }
  void wrote_front(std::size_t bytes) { front_written_ += bytes; }

  bool empty() const { return head_ == frames_.size(); }
  std::size_t size() const { return frames_.size() - head_; }
  std::size_t bytes() const { return bytes_; }

 private:
  // A vector consumed from `head_`: unlike std::deque (which allocates ~600 bytes up front),
  // an idle connection's queue holds at most a few slots.
  std::vector<outbound_frame> frames_;
  std::uint32_t head_ = 0;  // a queue is bounded far below 2^32 frames
  std::size_t front_written_ = 0;
  static constexpr std::size_t retained_slots = 8;
  std::size_t bytes_ = 0;
};

}  // namespace wsedge::edge
