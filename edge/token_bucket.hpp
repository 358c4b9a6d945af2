// Per-connection inbound rate limit: `rate` tokens per second, at most `burst` saved up.
#pragma once

#include <algorithm>
#include <chrono>

namespace wsedge::edge {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst, clock::time_point now)
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  clock::time_point last_use() const { return last_; }

  // Takes one token; false when the bucket is empty.
  bool try_take(clock::time_point now) {
    std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace wsedge::edge
