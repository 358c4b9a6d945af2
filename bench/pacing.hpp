// What every publisher shares: a fixed-rate schedule and the timestamped payload it publishes.
#pragma once

#include <atomic>
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

// What fills a stamped payload: 'x' filler (the default), or JSON records that compress the
// way real messages do (--payload_kind=json, for the compression runs).
enum class payload_kind { filler, json };
inline std::atomic<payload_kind> stamped_payload_kind{payload_kind::filler};

// JSON records of about `bytes` in all: ids, names, scores and flags from a fixed sequence.
inline std::string json_records(std::size_t bytes) {
  std::string s = "[";
  for (std::uint64_t i = 0; s.size() + 2 < bytes; ++i) {
    const std::uint64_t id = i * 2654435761u % 1000003;
    s += "{\"id\":" + std::to_string(id) + ",\"user\":\"user-" + std::to_string(id % 997) +
         "\",\"score\":" + std::to_string(id % 10007) + "." + std::to_string(i % 100) +
         ",\"active\":" + (id % 3 == 0 ? "true" : "false") + "},";
  }
  if (s.size() > 1) s.pop_back();
  return s + "]";
}

// {"t":<now_ns>,"p":…}: about `payload_bytes` of JSON whose "t" the receivers time against.
inline std::string stamped_payload(std::size_t payload_bytes) {
  const std::size_t fill = payload_bytes > 40 ? payload_bytes - 40 : 1;
  std::string head = "{\"t\":" + std::to_string(now_ns()) + ",\"p\":";
  if (stamped_payload_kind.load(std::memory_order_relaxed) == payload_kind::json)
    return head + json_records(fill) + "}";
  return head + "\"" + std::string(fill, 'x') + "\"}";
}

}  // namespace wsedge::bench
