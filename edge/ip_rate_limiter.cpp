// Per-address token buckets, pruned when the table grows large.
#include "edge/ip_rate_limiter.hpp"

namespace wsedge::edge {

bool ip_rate_limiter::allow(std::string_view address, token_bucket::clock::time_point now) {
  if (limit_.rate <= 0) return true;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(address);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_tracked) {
      // A bucket idle long enough to refill completely carries no state worth keeping.
      auto refill = std::chrono::duration<double>(limit_.burst / limit_.rate);
      absl::erase_if(buckets_, [&](const auto& entry) {
        return now - entry.second.last_use() >
               std::chrono::duration_cast<token_bucket::clock::duration>(refill);
      });
    }
    it = buckets_.try_emplace(std::string(address), limit_, now).first;
  }
  return it->second.try_take(limit_, now);
}

}  // namespace wsedge::edge
