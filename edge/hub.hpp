// The edge's public C++ API: start the WebSocket listener and shards, publish, stats, kick, drain.
#pragma once

#include <absl/status/status.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/edge_config.hpp"
#include "edge/edge_metrics.hpp"
#include "edge/edge_observer.hpp"
#include "edge/event_log.hpp"
#include "edge/protocol.hpp"
#include "edge/room_summary.hpp"
#include "edge/token_verifier.hpp"

namespace wsedge::edge {

enum class target_kind { room, user, role, client, all };

struct publish_target {
  target_kind kind = target_kind::all;
  std::string value;  // room name, user id, role or client id; unused for `all`
};

struct publish_result {
  std::uint64_t seq = 0;         // room targets only
  std::uint64_t recipients = 0;  // connections the message was queued to
  std::string epoch;             // room targets only
  // Cluster mode: the nodes that did not answer in time (their recipients are not counted).
  std::vector<std::string> nodes_missing;
  // Empty when the message was taken; "unavailable" when the cluster engine is down.
  std::string error;
};

// A room's kept messages (History): its position and the frames' JSON, oldest first.
struct history_result {
  bool found = false;  // false: the room is unknown (never used, or expired)
  std::uint64_t seq = 0;
  std::string epoch;
  struct message {
    std::uint64_t seq = 0;
    std::string data;  // raw JSON
    std::string from;
    std::int64_t ts = 0;
  };
  std::vector<message> messages;
};

// One node's own figures, as a cluster-wide Stats lists them.
struct node_stats {
  std::string name;
  std::uint64_t connections = 0;
  std::uint64_t rooms = 0;
  std::uint64_t subscriptions = 0;
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
  double uptime_seconds = 0;
};

struct stats_snapshot {
  std::uint64_t connections = 0;
  std::uint64_t rooms = 0;
  std::uint64_t subscriptions = 0;
  std::vector<room_summary> room_stats;
  std::map<std::string, std::uint64_t> connections_by_role;
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
  double uptime_seconds = 0;
  std::uint64_t shards = 0;
  bool draining = false;
  // Cluster mode: every node that answered, and those that did not in time.
  std::vector<node_stats> nodes;
  std::vector<std::string> nodes_missing;
};

struct kick_result {
  std::uint64_t kicked = 0;
  std::vector<std::string> nodes_missing;  // cluster mode
};

enum class kick_selector { client_id, user_id };

// Why a publish cannot be made (invalid JSON, a bad target), or OK.
absl::Status check_publish(const publish_target& target, std::string_view data);

class node_context;
class cluster_engine;

// Thread-safe: every method may be called from any thread. Completion callbacks run on a shard
// thread (in cluster mode, some on the engine's thread) and must not block.
class hub {
 public:
  // `verifier` (optional, must outlive the hub) checks client tokens. `engine` (optional, must
  // outlive the hub) makes this node one of a cluster; without it the node is alone.
  hub(edge_config config, edge_observer& observer, const token_verifier* verifier = nullptr,
      cluster_engine* engine = nullptr);
  ~hub();
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;

  // Binds the WebSocket listener and starts the shards.
  absl::Status start();
  std::uint16_t ws_port() const;

  // InvalidArgument (and `done` never called) for invalid JSON or a bad target; otherwise
  // `done` runs once every shard has queued the message.
  absl::Status publish(const publish_target& target, std::string_view data,
                       std::function<void(publish_result)> done);
  // publish() in two steps, for callers that check a whole batch before publishing any of it:
  // the same checks, then a publish of what passed them (nothing is checked again).
  absl::Status validate_publish(const publish_target& target, std::string_view data) const;
  void publish_validated(const publish_target& target, std::string_view data,
                         std::function<void(publish_result)> done);
  // `room` empty: every room with members in room_stats; otherwise only that room (when it is
  // known, members or not). Gathered from every
  // shard on its own thread (map-reduce); `done` runs on a shard thread.
  void stats(std::string room, std::function<void(stats_snapshot)> done) const;
  std::size_t shard_count() const;
  // This node's random id (the prefix of its client ids).
  const std::string& node_id() const;
  // The room's kept messages after `since_seq` (the newest `limit`; 0 = all kept); `done` runs
  // on the room's owner shard.
  void history(std::string room, std::uint64_t since_seq, std::size_t limit,
               std::function<void(history_result)> done) const;
  // Up to presence_limit members of the room; `done` runs on a shard thread.
  void presence(std::string room,
                std::function<void(std::vector<room_member>, bool truncated)> done) const;
  // Every counter of the node, summed over the shards now (any thread; for /metrics).
  edge_metrics metrics() const;
  // Closes the selected connections with 4000 and `reason`; `done` gets how many.
  void kick(kick_selector selector, std::string value, std::string reason,
            std::function<void(kick_result)> done);
  // The backends' event stream: a watcher of what clients do (see event_log::watch), and its
  // end (after which its wake is never called).
  std::shared_ptr<event_log::watcher> watch_events(event_filter filter, std::uint64_t after_id,
                                                   std::function<void()> wake);
  void unwatch_events(const std::shared_ptr<event_log::watcher>& watcher);
  // False in cluster mode until this node has read the cluster's event stream (Redis away since
  // start-up): a watcher would not know where it starts.
  bool events_serving() const;
  // This node's name (in events, and among the nodes of a cluster).
  const std::string& node_name() const;

  // Cluster mode: whether the engine is connected (always true for a single node).
  bool engine_up() const;

  // Readiness off (/readyz 503), refuse new upgrades (503), close every client with 1001 after
  // what is queued for it, in waves over a quarter of drain_timeout.
  void drain();
  // True once no connection is left, false at the deadline.
  bool wait_until_idle(std::chrono::steady_clock::time_point deadline) const;
  // Stops the shards and joins their threads (also done by the destructor).
  void stop();

 private:
  std::unique_ptr<node_context> node_;
};

}  // namespace wsedge::edge
