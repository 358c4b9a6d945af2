// The bounded ring of a room's recent frames and the "what came after seq" question.
#include "edge/room_history.hpp"

#include <algorithm>

namespace wsedge::edge {

void room_history::append(std::uint64_t seq, frame bytes) {
  if (max_messages_ == 0) return;
  // A gap (a message not kept) would make an answer skip it: start again from this one.
  if (count_ != 0 && at(count_ - 1).seq + 1 != seq) clear();
  if (count_ == max_messages_) drop_oldest();
  bytes_ += bytes->size();
  if (count_ < ring_.size()) {
    ring_[(first_ + count_) % ring_.size()] = {seq, std::move(bytes)};
  } else {
    // Full but below max_messages: straighten the ring, then grow it at the end (doubling,
    // but never past max_messages: no room holds capacity it can never use).
    std::rotate(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(first_), ring_.end());
    first_ = 0;
    if (ring_.size() == ring_.capacity())
      ring_.reserve(std::min(std::max<std::size_t>(4, 2 * ring_.capacity()), max_messages_));
    ring_.push_back({seq, std::move(bytes)});
  }
  ++count_;
  while (bytes_ > max_bytes_ && count_ > 1) drop_oldest();
}

void room_history::drop_oldest() {
  entry& oldest = ring_[first_];
  bytes_ -= oldest.bytes->size();
  oldest = {};
  first_ = (first_ + 1) % ring_.size();
  --count_;
}

std::optional<std::vector<room_history::frame>> room_history::since(std::uint64_t seq,
                                                                    std::uint64_t last_seq) const {
  if (seq > last_seq) return std::nullopt;
  std::vector<frame> missed;
  if (seq == last_seq) return missed;
  // Messages seq+1 … last_seq must all be here.
  if (count_ == 0 || at(0).seq > seq + 1 || at(count_ - 1).seq != last_seq) return std::nullopt;
  missed.reserve(last_seq - seq);
  for (std::size_t i = seq + 1 - at(0).seq; i < count_; ++i) missed.push_back(at(i).bytes);
  return missed;
}

void room_history::after(std::uint64_t seq, std::size_t limit,
                         std::vector<std::pair<std::uint64_t, frame>>& out) const {
  std::size_t begin = 0;
  while (begin < count_ && at(begin).seq <= seq) ++begin;
  if (limit != 0 && count_ - begin > limit) begin = count_ - limit;
  for (std::size_t i = begin; i < count_; ++i) out.emplace_back(at(i).seq, at(i).bytes);
}

void room_history::clear() {
  ring_ = {};
  first_ = 0;
  count_ = 0;
  bytes_ = 0;
}

}  // namespace wsedge::edge
