// What every publisher shares: a fixed-rate schedule and the timestamped payload it publishes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "bench/load_clients.hpp"

namespace wsedge::bench {

// Calls each(i) for i = 0, 1, … at `rate` per second for `duration` (absolute schedule, so a
// late call does not delay the rest); returns how many calls were made.
template <class Each>
std::uint64_t run_paced(double rate, std::chrono::milliseconds duration, Each&& each) {
  const auto start = std::chrono::steady_clock::now();
  const auto count =
      static_cast<std::uint64_t>(rate * static_cast<double>(duration.count()) / 1000.0);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                              1e9 * static_cast<double>(i) / rate)));
    each(i);
  }
  return count;
}

// {"t":<now_ns>,"p":"xx…"}: about `payload_bytes` of JSON whose "t" the receivers time against.
inline std::string stamped_payload(std::size_t payload_bytes) {
  return "{\"t\":" + std::to_string(now_ns()) + ",\"p\":\"" +
         std::string(payload_bytes > 40 ? payload_bytes - 40 : 1, 'x') + "\"}";
}

}  // namespace wsedge::bench
