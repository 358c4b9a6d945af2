// Many WebSocket subscribers on a few threads: connect, join a room each, count and time every
// delivered message whose payload carries a send timestamp; the first member of each room can
// also publish into it.
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
  std::vector<std::uint16_t> ports = {8080};  // connection i goes to ports[i % size]
  int connections = 100;
  int rooms = 10;            // connection i joins room "bench-<i % rooms>"
  int threads = 1;           // client event-loop threads
  int source_addresses = 1;  // bind to 127.0.0.1 … 127.0.0.N to pass one address's port range
  std::string token;         // appended as ?token= when set
  bool deflate = false;      // offer permessage-deflate (Beast inflates what comes compressed)
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
  // {"type":"error"} replies received since the last reset (e.g. rate_limited publishes).
  std::uint64_t errors() const;
  void reset();
  // Client publishing: `rate` publishes per second for `duration`, publish i sent by connection
  // k = i % rooms (the member of bench-k that connection k is) with a stamped payload of about
  // `payload_bytes`. Returns how many were sent; each reaches every member of its room.
  std::uint64_t publish_paced(double rate, std::chrono::milliseconds duration,
                              std::size_t payload_bytes);
  // Client messages for the backends: `rate` sends per second, send i by connection
  // i % connections, each {"type":"send"} with a stamped payload (see event_watchers).
  std::uint64_t send_paced(double rate, std::chrono::milliseconds duration,
                           std::size_t payload_bytes);
  // Connections 0 … churners-1 leave and rejoin their room back to back for `duration`;
  // returns the rejoins answered (each one leave and one join on the server).
  std::uint64_t churn(int churners, std::chrono::milliseconds duration);
  // One leave and rejoin by connection `index`, without waiting (a paced churn, e.g. the soak's).
  void rejoin(int index);
  // Rejoins answered (by churn() or rejoin()) since the last churn() started.
  std::uint64_t rejoined() const;
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// "bench-<n % rooms>": the room connection n joins and publish n goes to.
inline std::string bench_room(std::uint64_t n, int rooms) {
  return "bench-" + std::to_string(n % static_cast<std::uint64_t>(rooms));
}

// Nanoseconds on CLOCK_MONOTONIC, the same clock in every process of this machine.
std::uint64_t now_ns();

}  // namespace wsedge::bench
