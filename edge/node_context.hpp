// What the hub, its shards and its sessions share on one node: configuration, the shards, the
// listener, the observer, the connection slots and the drain flag.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/connection_slot.hpp"
#include "edge/counting_observer.hpp"
#include "edge/edge_config.hpp"
#include "edge/edge_metrics.hpp"
#include "edge/edge_observer.hpp"
#include "edge/event_log.hpp"
#include "edge/hub.hpp"
#include "edge/ip_rate_limiter.hpp"
#include "edge/message_deflater.hpp"
#include "edge/outbound_queue.hpp"
#include "edge/token_verifier.hpp"

namespace boost::asio::ssl {
class context;
}

namespace wsedge::edge {

class shard;
class listener;
class cluster_engine;
class engine_link;

class node_context {
 public:
  node_context(edge_config cfg, edge_observer& obs, const token_verifier* verifier,
               cluster_engine* engine);
  ~node_context();
  node_context(const node_context&) = delete;
  node_context& operator=(const node_context&) = delete;

  const edge_config& config() const { return config_; }
  const queue_limits& queue_bounds() const { return queue_bounds_; }
  // Every event is counted on the calling shard, then passed to the observer given at start.
  edge_observer& observer() const { return counting_; }
  // The counters of every shard, summed now.
  edge_metrics metrics() const;
  // nullptr: tokens are not accepted (every connection is anonymous).
  const token_verifier* verifier() const { return verifier_; }
  const std::string& node_id() const { return node_id_; }
  // The cluster engine, or nullptr when the node is alone.
  cluster_engine* engine() const { return engine_; }
  // Starts the engine (answering it for this node); false without one.
  bool start_engine();
  void stop_engine();
  std::chrono::steady_clock::time_point started() const { return started_; }

  std::size_t shard_count() const { return shards_.size(); }
  shard& shard_at(std::size_t i) const { return *shards_[i]; }
  // The shard that owns `room`.
  shard& owner_of(std::string_view room) const;
  // The shard a client id was issued by (and the serial it carries), or nullptr.
  shard* shard_of_client(std::string_view client_id, std::uint64_t* serial = nullptr) const;

  // Any thread: publishes into a room through its owner shard.
  void publish_room(std::string room, std::string data, std::function<void(publish_result)> done);
  // Any thread: to a user, role, client or everyone (of this node).
  void publish_matching(target_kind kind, std::string value, std::string_view data,
                        std::function<void(publish_result)> done);
  // Any thread: this node's part of Stats, Kick and Presence (the shards asked on their own
  // threads, the answer given by the last one).
  void local_stats(std::string room, std::function<void(stats_snapshot)> done) const;
  void local_kick(kick_selector selector, std::string value, std::string reason,
                  std::function<void(std::uint64_t)> done);
  void local_presence(std::string room,
                      std::function<void(std::vector<room_member>, bool)> done) const;

  // Connection slots (max_connections), taken when a connection is accepted and given back
  // when it ends, whatever it became (an upgrade, a health probe, nothing).
  // An empty slot when the node is full.
  connection_slot take_connection_slot();
  void release_connection_slot();

  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  bool start_draining() { return !draining_.exchange(true); }

  // What clients do, for the backends' event stream (any thread).
  event_log& events() { return events_; }
  const event_log& events() const { return events_; }

  // permessage-deflate: every message deflated once for the connections that take it.
  message_deflater& deflater() { return deflater_; }

  // Set by the hub at start-up.
  std::vector<std::unique_ptr<shard>>& shards() { return shards_; }
  std::shared_ptr<listener> acceptor;
  // Set when the edge serves TLS (tls_cert_pem / tls_key_pem).
  std::unique_ptr<boost::asio::ssl::context> tls;
  ip_rate_limiter connect_limiter;

 private:
  const edge_config config_;
  const queue_limits queue_bounds_{config_.max_queue_messages, config_.max_queue_bytes};
  mutable counting_observer counting_;
  const token_verifier* verifier_;
  cluster_engine* const engine_;
  std::unique_ptr<engine_link> engine_link_;
  // Random per process, so client ids do not repeat across restarts.
  const std::string node_id_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  event_log events_;
  message_deflater deflater_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace wsedge::edge
