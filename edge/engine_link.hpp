// The node's side of the cluster engine: what the engine asks of this node (its part of a
// cluster-wide publish, Kick, Stats or Presence, and the messages of the rooms it subscribed
// to), answered through the node's shards.
#pragma once

#include "edge/cluster_engine.hpp"

namespace wsedge::edge {

class node_context;

class engine_link final : public node_requests {
 public:
  explicit engine_link(node_context& node) : node_(node) {}

  void local_publish(target_kind kind, std::string value, std::string data,
                     std::function<void(std::uint64_t)> done) override;
  void local_kick(kick_selector selector, std::string value, std::string reason,
                  std::function<void(std::uint64_t)> done) override;
  void local_stats(std::string room, std::function<void(stats_snapshot)> done) override;
  void local_presence(std::string room,
                      std::function<void(std::vector<room_member>, bool)> done) override;
  void on_room_message(engine_message message) override;
  void on_room_resubscribed(std::string room) override;
  void ingest(publish_target target, std::string data) override;
  void count_error(std::string_view kind) override;
  void on_events(std::vector<client_event> events, bool history) override;

 private:
  node_context& node_;
};

}  // namespace wsedge::edge
