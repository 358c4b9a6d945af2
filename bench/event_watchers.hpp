// Backends watching the event stream: N WatchEvents calls on their own threads, counting the
// events each receives and timing client messages whose data carries a send stamp ("t").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wsedge::bench {

class event_watchers {
 public:
  // Starts `count` watchers of every kind; returns once each is registered with the server.
  event_watchers(const std::string& address, int count);
  ~event_watchers();  // cancels the streams and joins their threads

  // Events received since the last reset, summed over the watchers, and by the one that got
  // the fewest.
  std::uint64_t received() const;
  std::uint64_t fewest_received() const;
  // Streams the server ended (a watcher cut for falling behind, or the server gone).
  int ended() const;
  // Send-to-watcher latencies (ns) of stamped client messages since the last reset.
  std::vector<std::uint64_t> take_latencies();
  void reset();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wsedge::bench
