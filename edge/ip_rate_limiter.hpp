// Node-wide limit on new connections per client IP address (token bucket per address).
#pragma once

#include <absl/base/thread_annotations.h>

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "edge/string_map.hpp"
#include "edge/token_bucket.hpp"

namespace wsedge::edge {

class ip_rate_limiter {
 public:
  // rate 0 turns the limit off.
  ip_rate_limiter(double rate, double burst) : limit_{rate, burst} {}

  // Thread-safe. False when `address` has opened connections faster than the rate allows.
  bool allow(std::string_view address, token_bucket::clock::time_point now);

 private:
  // Above this many tracked addresses, idle ones are forgotten (their buckets are full anyway).
  static constexpr std::size_t max_tracked = 65'536;

  rate_limit limit_;
  std::mutex mutex_;
  string_map<std::string, token_bucket> buckets_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace wsedge::edge
