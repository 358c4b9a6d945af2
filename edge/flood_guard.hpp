// Per-connection inbound limit: a token bucket, and what to do with a client that stays over it.
#pragma once

#include <chrono>
#include <memory>

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
    if (!flood_) flood_ = std::make_unique<flood>();
    flood& f = *flood_;
    // A refusal long after the last one starts a new flood; tokens that trickle in meanwhile
    // (a client at ten times the rate still gets one now and then) do not end one.
    if (!f.flooding || now - f.last_refused > limits.close_after) {
      f.flooding = true;
      f.since = now;
    }
    f.last_refused = now;
    if (now - f.since >= limits.close_after) return verdict::close;
    // At most one answer a second: the server never sends more than a flooder sends it.
    if (f.answered && now - f.last_answer < std::chrono::seconds(1)) return verdict::refuse_quietly;
    f.answered = true;
    f.last_answer = now;
    return verdict::refuse;
  }

 private:
  token_bucket bucket_;
  // From the first refusal on (on the heap: most connections never go over the limit).
  struct flood {
    bool flooding = false;
    bool answered = false;
    clock::time_point since{};
    clock::time_point last_refused{};
    clock::time_point last_answer{};
  };
  std::unique_ptr<flood> flood_;
};

}  // namespace wsedge::edge
