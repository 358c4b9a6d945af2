// Outbound queue bound policy.
#include "edge/outbound_queue.hpp"

namespace wsedge::edge {

push_result outbound_queue::push(outbound_frame frame) {
  const std::size_t size = frame.payload->size();
  // A frame larger than the whole byte budget still goes through on an empty queue, so one
  // big message is not mistaken for a slow reader.
  if (!frames_.empty() && (frames_.size() >= max_messages_ || bytes_ + size > max_bytes_))
    return push_result::overflow;
  bytes_ += size;
  frames_.push_back(std::move(frame));
  return push_result::queued;
}

void outbound_queue::pop() {
  bytes_ -= frames_.front().payload->size();
  frames_.pop_front();
}

void outbound_queue::clear() {
  frames_.clear();
  bytes_ = 0;
}

}  // namespace wsedge::edge
