// The Redis engine: N wsedge nodes behind one Service act as one edge. Room messages are
// numbered, kept and fanned out by one Lua script per publish (seq and epoch in a hash, history
// in a capped stream with a TTL, PUBLISH on the room's channel); each node subscribes to a
// room's channel while it has members there. Requests that concern every node travel on a
// shared channel and are answered on each requester's own channel, gathered within a deadline.
// Runs on its own io_context thread with two connections (commands, subscriptions); nothing
// blocks a shard.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "edge/cluster_engine.hpp"

namespace wsedge::engine::redis {

struct redis_engine_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string password;
  int db = 0;
  std::string prefix = "wsedge";  // of every key and channel
  std::string node_name;          // unique in the cluster
  // Channels whose messages are published into rooms (channel, room).
  std::vector<std::pair<std::string, std::string>> ingest;
  std::size_t history_size = 100;
  std::chrono::seconds history_ttl{300};
  std::size_t presence_limit = 1000;
  std::chrono::milliseconds gather_timeout{1000};  // a node silent this long is "missing"
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds node_timeout{5000};  // a node without a heartbeat this long is gone
  std::chrono::milliseconds lease{3000};         // the ingestion lease
  // The cluster's event stream: how many events it keeps (each node holds the same tail), and
  // how many of this node's events wait while Redis is away before they are lost.
  std::size_t events_retention = 10'000;
  std::size_t event_backlog = 10'000;
};

class redis_engine final : public edge::cluster_engine {
 public:
  explicit redis_engine(redis_engine_options options);
  ~redis_engine() override;

  void start(edge::node_requests& node) override;
  void stop() override;
  bool up() const override { return up_.load(std::memory_order_relaxed); }
  edge::engine_metrics metrics() const override;
  const std::string& node_name() const override { return options_.node_name; }

  void publish_room(std::string room, std::string data, std::string from, std::int64_t ts,
                    std::function<void(edge::engine_publish_result)> done) override;
  void set_local_members(std::string room, std::uint64_t members,
                         std::function<void()> done) override;
  void read(std::string room, std::uint64_t since, std::size_t limit, bool open,
            std::function<void(edge::engine_read)> done) override;
  void publish_everywhere(edge::target_kind kind, std::string value, std::string data,
                          std::function<void(std::string, edge::gathered_count)> done) override;
  void kick_everywhere(edge::kick_selector selector, std::string value, std::string reason,
                       std::function<void(edge::gathered_count)> done) override;
  void stats_everywhere(std::string room, std::function<void(edge::stats_snapshot)> done) override;
  void presence_everywhere(std::string room,
                           std::function<void(std::vector<edge::room_member>, bool)> done) override;
  void append_event(edge::client_event event,
                    std::function<void(bool taken, std::string error)> done) override;
  void set_event_watchers(std::vector<edge::event_filter> filters) override;

  // Holds the ingestion lease now (for tests and logs).
  bool ingesting() const { return ingesting_.load(std::memory_order_relaxed); }

 private:
  struct state;
  redis_engine_options options_;
  std::unique_ptr<state> state_;
  std::atomic<bool> up_{false};
  // Between start() and stop(): requests made outside it fail at once ("unavailable").
  std::atomic<bool> running_{false};
  std::atomic<bool> ingesting_{false};
  std::thread thread_;
};

}  // namespace wsedge::engine::redis
