// Many WebSocket subscribers on a few threads: connect, join a room each, count and time every
// delivered message whose payload carries a send timestamp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wsedge::bench {

struct load_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int connections = 100;
  int rooms = 10;            // connection i joins room "bench-<i % rooms>"
  int threads = 1;           // client event-loop threads
  int source_addresses = 1;  // bind to 127.0.0.1 … 127.0.0.N to pass one address's port range
  std::string token;         // appended as ?token= when set
};

class load_clients {
 public:
  explicit load_clients(load_options options);
  ~load_clients();

  // Opens every connection; returns how many completed the handshake within the timeout.
  int connect_all(std::chrono::seconds timeout);
  // Delivered messages since the last reset, and their publish-to-receipt latencies (ns).
  std::uint64_t received() const;
  std::vector<std::uint64_t> take_latencies();
  void reset();
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Nanoseconds on CLOCK_MONOTONIC, the same clock in every process of this machine.
std::uint64_t now_ns();

}  // namespace wsedge::bench
