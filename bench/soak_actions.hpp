// The soak's churn: connections opened and closed, connections kicked over gRPC, slow readers
// left to be evicted and tokens left to expire, each paced or held at a count on one thread,
// and each connection counted by how it ended.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace wsedge::bench {

struct soak_actions_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string grpc = "127.0.0.1:9090";
  int rooms = 20;     // kicked and expiring connections join bench-<n % rooms>
  std::string token;  // for every connection but the expiring ones (empty: none)
  // Connections per second that join a room by URL, join bench-<n % rooms>, and close: every
  // other one with the close handshake, the rest by dropping the socket.
  double connect_rate = 20;
  double kick_rate = 2;  // connections per second that join and are kicked (Kick by client_id)
  // rejoin(0), rejoin(1), … at rejoin_rate per second: the steady members' leaves and joins.
  double rejoin_rate = 20;
  std::function<void(std::uint64_t)> rejoin;
  // Slow readers, held at this count, join soak-slow and read nothing for slow_pause: the
  // slow_rate publishes of slow_payload bytes a second into soak-slow overflow their queue
  // (close 4001). They then read to the close; one not closed within 3 s closes itself.
  int slow_readers = 2;
  double slow_rate = 40;
  std::size_t slow_payload = 64 * 1024;
  std::chrono::milliseconds slow_pause{5000};
  // Connections held at this count whose tokens (HS256 with `secret`) the server closes with
  // 1008 token_lifetime after connecting. Empty secret: none.
  int expiring = 4;
  std::string secret;
  std::chrono::seconds token_lifetime{3};
};

// What the actions did so far.
struct soak_tally {
  std::uint64_t connects = 0;          // churned connections that joined both rooms and closed
  std::uint64_t connect_failures = 0;  // connections that ended before joining
  std::uint64_t connects_skipped = 0;  // not opened: 64 churned connections still in flight
  std::uint64_t kicks = 0;             // Kick calls that closed a connection (kicked = 1)
  std::uint64_t kicked_closes = 0;     // closes 4000 received
  std::uint64_t evictions = 0;         // closes 4001 received by slow readers
  std::uint64_t slow_not_evicted = 0;  // slow readers that found no close when reading again
  std::uint64_t expiries = 0;          // closes 1008 received by expiring connections
  std::uint64_t rejoins_asked = 0;
  std::uint64_t slow_publishes = 0;
  std::uint64_t control_errors = 0;  // Kick and slow Publish calls that failed
  std::uint64_t unexpected = 0;      // connections that ended otherwise than their kind should
  std::string last_unexpected;       // the last of them: kind, close code, reason
};

// HS256 token with `sub` and `exp`, signed by cpp-jwt as wsedgectl's `token` command does.
std::string mint_token(const std::string& secret, const std::string& sub,
                       std::chrono::system_clock::time_point expires);

class soak_actions {
 public:
  // Starts every action at once on a thread of its own.
  explicit soak_actions(soak_actions_options options);
  ~soak_actions();  // stop()

  soak_tally tally() const;
  // "on", or why token expiry is not part of the run (no secret, or the server ignores tokens).
  std::string expiry_status() const;
  // Stops the actions, drops the connections still open and waits for the calls in flight.
  void stop();

  struct impl;  // soak_actions.cpp; named there by the connections it runs

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace wsedge::bench
