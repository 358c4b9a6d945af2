// What the hub, its shards and its sessions share: configuration, rooms, shards, node counters.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/edge_config.hpp"
#include "edge/edge_observer.hpp"
#include "edge/hub.hpp"
#include "edge/ip_rate_limiter.hpp"
#include "edge/outbound_queue.hpp"
#include "edge/room_directory.hpp"
#include "edge/token_verifier.hpp"

namespace boost::asio::ssl {
class context;
}

namespace wsedge::edge {

class shard;
class listener;

struct hub_state {
  hub_state(edge_config cfg, edge_observer& obs, const token_verifier* verifier);
  ~hub_state();

  // Publishes into a room from any thread: assigns the seq, encodes once, posts to the shards
  // holding members. Returns the seq (0 when the room is empty; `done` still runs).
  std::uint64_t publish_room(std::string_view room, std::string_view data, std::string_view from,
                             std::function<void(publish_result)> done);
  // Publishes to a user, role, client or everyone.
  void publish_matching(target_kind kind, std::string value, std::string_view data,
                        std::function<void(publish_result)> done);
  // The shard a client id was issued by, or nullptr.
  shard* shard_of_client(std::string_view client_id) const;

  const edge_config config;
  const queue_limits queue_bounds{config.max_queue_messages, config.max_queue_bytes};
  edge_observer& observer;
  // nullptr: tokens are not accepted (every connection is anonymous).
  const token_verifier* verifier;
  room_directory directory;
  ip_rate_limiter connect_limiter;
  std::vector<std::unique_ptr<shard>> shards;
  std::shared_ptr<listener> acceptor;
  // Set when the edge serves TLS (tls_cert_pem / tls_key_pem).
  std::unique_ptr<boost::asio::ssl::context> tls;
  // Random per process, so client ids do not repeat across restarts.
  const std::string node_id;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> draining{false};
};

}  // namespace wsedge::edge
