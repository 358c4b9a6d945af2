// Per-connection inbound limit: a token bucket, and what to do with a client that stays over it.
#pragma once

#include <chrono>

#include "edge/token_bucket.hpp"

namespace wsedge::edge {

// The limits one connection's messages are held to (the same for every connection).
struct flood_limits {
  rate_limit messages;
  // A refusal less than this after the previous one continues the same flood; a flood this
  // long closes the connection.
  std::chrono::steady_clock::duration close_after{};
};

class flood_guard {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict {
    pass,            // within the limit
    refuse,          // over it: answer rate_limited
    refuse_quietly,  // over it, and told less than a second ago: drop without an answer
    close,           // over it for close_after without a break: close the connection (1008)
  };

  flood_guard(const flood_limits& limits, clock::time_point now) : bucket_(limits.messages, now) {}

  // Every inbound frame (text, binary, ping) takes one token.
  verdict take(const flood_limits& limits, clock::time_point now) {
    if (bucket_.try_take(limits.messages, now)) return verdict::pass;
    // A refusal long after the last one starts a new flood; tokens that trickle in meanwhile
    // (a client at ten times the rate still gets one now and then) do not end one.
    if (!flooding_ || now - last_refused_ > limits.close_after) {
      flooding_ = true;
      flooding_since_ = now;
    }
    last_refused_ = now;
    if (now - flooding_since_ >= limits.close_after) return verdict::close;
    // At most one answer a second: the server never sends more than a flooder sends it.
    if (answered_ && now - last_answer_ < std::chrono::seconds(1)) return verdict::refuse_quietly;
    answered_ = true;
    last_answer_ = now;
    return verdict::refuse;
  }

 private:
  token_bucket bucket_;
  bool flooding_ = false;
  bool answered_ = false;
  clock::time_point flooding_since_{};
  clock::time_point last_refused_{};
  clock::time_point last_answer_{};
};

}  // namespace wsedge::edge
