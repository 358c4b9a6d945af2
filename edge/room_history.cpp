// The bounded ring of a room's recent frames and the "what came after seq" question.
#include "edge/room_history.hpp"

namespace wsedge::edge {

void room_history::append(std::uint64_t seq, frame bytes) {
  if (max_messages_ == 0) return;
  // A gap (a message not kept) would make an answer skip it: start again from this one.
  if (!entries_.empty() && entries_.back().seq + 1 != seq) clear();
  bytes_ += bytes->size();
  entries_.push_back({seq, std::move(bytes)});
  while (entries_.size() > max_messages_ || (bytes_ > max_bytes_ && entries_.size() > 1)) {
    bytes_ -= entries_.front().bytes->size();
    entries_.pop_front();
  }
}

std::optional<std::vector<room_history::frame>> room_history::since(std::uint64_t seq,
                                                                    std::uint64_t last_seq) const {
  if (seq > last_seq) return std::nullopt;
  std::vector<frame> missed;
  if (seq == last_seq) return missed;
  // Messages seq+1 … last_seq must all be here.
  if (entries_.empty() || entries_.front().seq > seq + 1 || entries_.back().seq != last_seq)
    return std::nullopt;
  missed.reserve(last_seq - seq);
  for (auto it = entries_.begin() + static_cast<std::ptrdiff_t>(seq + 1 - entries_.front().seq);
       it != entries_.end(); ++it)
    missed.push_back(it->bytes);
  return missed;
}

void room_history::clear() {
  entries_.clear();
  bytes_ = 0;
}

}  // namespace wsedge::edge
