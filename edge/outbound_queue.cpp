// Outbound queue bound policy.
#include "edge/outbound_queue.hpp"

namespace wsedge::edge {

push_result outbound_queue::push(outbound_frame frame, const queue_limits& limits) {
  const std::size_t size = frame.payload.size();
  // A frame larger than the whole byte budget still goes through on an empty queue, so one
  // big message is not mistaken for a slow reader.
  if (!empty() && (this->size() >= limits.max_messages || bytes_ + size > limits.max_bytes))
    return push_result::overflow;
  // Reclaim consumed slots once they are half the vector, so a queue that never quite empties
  // stays bounded (amortised O(1)).
  if (head_ != 0 && head_ * 2 >= frames_.size()) {
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  bytes_ += size;
  frames_.push_back(std::move(frame));
  return push_result::queued;
}

void outbound_queue::pop() {
  bytes_ -= frames_[head_].payload.size();
  frames_[head_++] = {};
  front_written_ = 0;
  if (empty()) clear();
}

void outbound_queue::clear() {
  frames_.clear();
  head_ = 0;
  front_written_ = 0;
  bytes_ = 0;
  // Keep a few slots for the next burst; give back what a long backlog grew.
  if (frames_.capacity() > retained_slots) frames_ = {};
}

}  // namespace wsedge::edge
