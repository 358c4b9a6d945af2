// A token bucket: `rate` tokens per second, at most `burst` saved up. The bucket holds only its
// state; the limit is given at each use, so that thousands of buckets under one limit (every
// connection's, every client address') do not each carry a copy of it.
#pragma once

#include <algorithm>
#include <chrono>

namespace wsedge::edge {

struct rate_limit {
  double rate = 0;   // tokens per second
  double burst = 1;  // at least 1 is used
};

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  // Starts full.
  token_bucket(const rate_limit& limit, clock::time_point now)
      : tokens_(std::max(limit.burst, 1.0)), last_(now) {}

  clock::time_point last_use() const { return last_; }

  // Takes one token; false when the bucket is empty.
  bool try_take(const rate_limit& limit, clock::time_point now) {
    std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(std::max(limit.burst, 1.0), tokens_ + elapsed.count() * limit.rate);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double tokens_;
  clock::time_point last_;
};

}  // namespace wsedge::edge
