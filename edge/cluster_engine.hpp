// The cluster engine: what makes several nodes one edge. Without one (the default) a node is
// alone and its owner shards keep each room's seq, epoch and history themselves; with one (the
// Redis engine in engine/redis), the engine numbers and keeps every room's messages for the whole
// cluster, delivers them back to each node that has members, and carries the requests that
// concern every node (user, role, client and all targets, Kick, Stats, Presence).
// The edge knows only this interface; nothing here names Redis.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/edge_metrics.hpp"
#include "edge/hub.hpp"

namespace wsedge::edge {

// One room message as the engine numbered and kept it.
struct engine_message {
  std::string room;
  std::uint64_t seq = 0;
  std::string epoch;
  std::int64_t ts = 0;
  std::string from;
  std::string data;  // raw JSON
};

// A room's position and the kept messages after a given seq, oldest first.
struct engine_read {
  std::string error;  // empty on success ("unavailable" while the engine is down)
  std::uint64_t seq = 0;
  std::string epoch;
  // The first seq still kept (0: none kept): messages after `since` are all there when
  // since + 1 >= first_kept, or when nothing was published after `since`.
  std::uint64_t first_kept = 0;
  std::uint64_t kept = 0;     // how many messages are kept
  std::uint64_t members = 0;  // members on every live node
  std::vector<engine_message> messages;
};

// Whether a publish was taken; recipients count the whole cluster.
struct engine_publish_result {
  std::string error;  // empty on success
  publish_result result;
};

// A cluster-wide answer also names the nodes that did not answer in time.
struct gathered_count {
  std::uint64_t count = 0;
  std::vector<std::string> nodes_missing;
};

// What every node answers for itself (the engine gathers them).
class node_requests {
 public:
  virtual ~node_requests() = default;
  virtual void local_publish(target_kind kind, std::string value, std::string data,
                             std::function<void(std::uint64_t recipients)> done) = 0;
  virtual void local_kick(kick_selector selector, std::string value, std::string reason,
                          std::function<void(std::uint64_t kicked)> done) = 0;
  virtual void local_stats(std::string room, std::function<void(stats_snapshot)> done) = 0;
  virtual void local_presence(std::string room,
                              std::function<void(std::vector<room_member>, bool)> done) = 0;
  // A message of a room this node subscribed to, in the room's order.
  virtual void on_room_message(engine_message message) = 0;
  // The room's subscription was restored after the engine lost its connection: messages
  // published meanwhile are to be read back (what history still holds).
  virtual void on_room_resubscribed(std::string room) = 0;
  // A publish that came in through the engine (ingestion): checked like one from gRPC.
  virtual void ingest(publish_target target, std::string data) = 0;
  // An error for metrics ("ingest_invalid": a malformed ingestion message was dropped).
  virtual void count_error(std::string_view kind) = 0;
  // The cluster's event stream, every node's events in id order (see event_log::receive): first
  // the tail the cluster retains (`history`), then each event as it is added.
  virtual void on_events(std::vector<client_event> events, bool history) = 0;
};

// Every method may be called from any thread; completions run on the engine's own thread and
// must not block.
class cluster_engine {
 public:
  virtual ~cluster_engine() = default;

  // Connects and starts answering `node` (which must outlive stop()).
  virtual void start(node_requests& node) = 0;
  virtual void stop() = 0;
  virtual bool up() const = 0;
  virtual engine_metrics metrics() const = 0;
  // This node's name in the cluster.
  virtual const std::string& node_name() const = 0;

  // Numbers, keeps and fans the message out to every node subscribed to the room.
  virtual void publish_room(std::string room, std::string data, std::string from, std::int64_t ts,
                            std::function<void(engine_publish_result)> done) = 0;
  // Members of `room` on this node (0: none left); the engine subscribes while it is above 0.
  // `done` runs once messages published from then on are sure to arrive (at once when the room
  // is already subscribed).
  virtual void set_local_members(std::string room, std::uint64_t members,
                                 std::function<void()> done) = 0;
  // The room's position and up to `limit` of its newest kept messages after `since`
  // (limit 0: every kept one; since UINT64_MAX: the position only). With `open`, a room the
  // engine does not know is opened with a new epoch (a joining member learns it at once).
  virtual void read(std::string room, std::uint64_t since, std::size_t limit, bool open,
                    std::function<void(engine_read)> done) = 0;

  // Asked of every live node (this one included), answers gathered within a deadline.
  virtual void publish_everywhere(target_kind kind, std::string value, std::string data,
                                  std::function<void(std::string error, gathered_count)> done) = 0;
  virtual void kick_everywhere(kick_selector selector, std::string value, std::string reason,
                               std::function<void(gathered_count)> done) = 0;
  virtual void stats_everywhere(std::string room, std::function<void(stats_snapshot)> done) = 0;
  virtual void presence_everywhere(
      std::string room, std::function<void(std::vector<room_member>, bool truncated)> done) = 0;

  // The backends' event stream, one for the whole cluster. Numbers the event (its node named)
  // and adds it to the stream every node reads back (node_requests::on_events). A client
  // message is added only when a watcher on a live node wants it: `done` gets whether one did
  // (asked only of client messages), or an error. While Redis is away, other events wait in a
  // bounded backlog; when it is full they are lost and `done` says so.
  virtual void append_event(client_event event,
                            std::function<void(bool taken, std::string error)> done) = 0;
  // This node's watchers, by filter: what the cluster checks a client message against.
  virtual void set_event_watchers(std::vector<event_filter> filters) = 0;
};

}  // namespace wsedge::edge
