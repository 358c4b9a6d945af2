// The soak scenario: steady members, gRPC publishes and every kind of churn for a while, with
// the server's memory, descriptors and gauges sampled; fails on growth after warm-up.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "bench/load_clients.hpp"
#include "bench/soak_actions.hpp"

namespace wsedge::bench {

struct soak_options {
  load_options members;          // steady members, connection i in bench-<i % rooms>
  soak_actions_options actions;  // the churn around them (its rejoin is set by run_soak)
  double publish_rate = 50;      // gRPC publishes per second into the members' rooms
  std::size_t payload = 100;
  std::uint16_t metrics_port = 0;  // the server's /metrics (required)
  pid_t server_pid = 0;            // the server's process (required): RSS, descriptors, liveness
  std::chrono::seconds duration{300};
  // Growth is measured from the end of warm-up: it must cover the fill of the server's bounded
  // stores (history_size messages per room, events_retention events, allocator arenas).
  std::chrono::seconds warmup{100};
  std::chrono::seconds sample_every{5};
  double max_rss_growth_mb = 8;
  int max_fd_growth = 16;
  std::string label;
  std::string out;  // every line is appended here too
};

// Prints one JSON line per sample and a summary line (also to `out`). Returns 0 when the server
// lived and neither RSS nor descriptors grew past the bounds after warm-up, 1 otherwise, 2 when
// the run could not start.
int run_soak(soak_options options);

}  // namespace wsedge::bench
