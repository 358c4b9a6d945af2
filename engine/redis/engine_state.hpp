// The Redis engine's state on its own thread: connections, subscriptions, the live nodes and
// the cluster-wide requests still being gathered. Private to engine/redis.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/redis/channel_subscriptions.hpp"
#include "engine/redis/event_feed.hpp"
#include "engine/redis/node_messages.hpp"
#include "engine/redis/redis_connection.hpp"
#include "engine/redis/redis_engine.hpp"

namespace wsedge::engine::redis {

namespace net = boost::asio;

// The scripts state::script runs, by index (their texts are in redis_engine.cpp).
enum script_index : std::size_t {
  publish_script,
  read_script,
  heartbeat_script,
  lease_script,
  append_event_script
};

// One cluster-wide request on its way: who should answer, who has, and what they said.
struct gather {
  node_op op = node_op::stats;
  std::set<std::string> expected;
  std::set<std::string> answered;
  std::vector<node_reply> replies;
  // How many nodes the request reached (PUBLISH's answer): a node that started since the last
  // heartbeat is waited for too, and a node whose connection is gone is not.
  std::optional<std::size_t> receivers;
  std::unique_ptr<net::steady_timer> deadline;
  // Called once, with the replies and the nodes that did not answer.
  std::function<void(std::vector<node_reply>, std::vector<std::string> missing)> finish;
};

struct redis_engine::state {
  state(redis_engine& owner, const redis_engine_options& options);

  // --- engine thread only ---
  void start();
  // Leaves the cluster (the live set, this process' member counts), then stop(): at most
  // `grace` waiting for Redis.
  void leave_then_stop(std::chrono::milliseconds grace);
  void stop();
  void on_state_change();
  void on_message(std::string_view channel, std::string_view payload);
  void dispatch(std::string_view channel, std::string_view payload);
  void on_restored(const std::string& channel);
  // The heartbeat (and the ingestion lease, and ttl renewals) every options.heartbeat.
  void tick();
  void beat();
  // Tells Redis this node's members of `room` (0: none).
  void count_members(const std::string& room, std::uint64_t members);
  // Runs scripts::<index> with EVALSHA (EVAL when Redis does not know it yet).
  void script(std::size_t index, std::vector<std::string> keys, std::vector<std::string> args,
              redis_connection::reply_handler done);
  void load_scripts();
  // Asks every live node (this one too); without Redis, `finish` gets this node's answer only
  // when `local` is given (nullopt: the request fails).
  void ask_everyone(node_request request,
                    std::function<void(std::vector<node_reply>, std::vector<std::string>)> finish,
                    std::function<void(std::function<void(node_reply)>)> local);
  void answer(const node_request& request);
  void on_reply(node_reply reply);
  void complete(std::uint64_t id);
  // Completes the gather when every node it reached and every live node has answered.
  void complete_if_answered(std::uint64_t id);
  std::vector<std::string> other_live_nodes() const;
  void set_live_nodes(std::set<std::string> live);
  // `name` said it is leaving: out of the live nodes, and no gather waits for it any more.
  void forget_node(const std::string& name);
  // The event stream (redis_engine_events.cpp): into the stream now, or into the backlog while
  // Redis is away.
  void append_event(edge::client_event event, std::function<void(bool, std::string)> done);
  void send_event(edge::client_event event, std::function<void(bool, std::string)> done);
  void flush_event_backlog();
  // Into the backlog (lost when it is full), to be sent once Redis is back.
  void park_event(edge::client_event event, std::function<void(bool, std::string)> done);
  // Tells Redis this node's watchers' filters (none: its entry goes).
  void announce_watchers();

  // The room's name comes last in every key, after a word of its own per kind: room names may
  // hold ':', so "x:history" must never be room x's stream.
  std::string room_key(std::string_view room) const { return key_of("meta", room); }
  std::string history_key(std::string_view room) const { return key_of("history", room); }
  std::string members_key(std::string_view room) const { return key_of("members", room); }
  std::string key_of(std::string_view kind, std::string_view room) const {
    return options.prefix + ":" + std::string(kind) + ":" + std::string(room);
  }
  std::string room_channel(std::string_view room) const {
    return options.prefix + ":room:" + std::string(room);
  }
  std::string nodes_key() const { return options.prefix + ":nodes"; }
  std::string incarnations_key() const { return options.prefix + ":incarnations"; }
  std::string cluster_channel() const { return options.prefix + ":cluster"; }
  std::string node_channel(std::string_view node) const {
    return options.prefix + ":node:" + std::string(node);
  }
  std::string ingest_channel() const { return options.prefix + ":publish"; }
  std::string lease_key() const { return options.prefix + ":ingest:lease"; }
  std::string events_key() const { return options.prefix + ":events"; }
  std::string event_ids_key() const { return options.prefix + ":events:ids"; }
  std::string event_watchers_key() const { return options.prefix + ":events:watchers"; }
  std::string fresh_epoch();

  redis_engine& owner;
  const redis_engine_options& options;
  edge::node_requests* node = nullptr;
  net::io_context io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<redis_connection> commands;
  std::shared_ptr<redis_connection> subscriber;
  std::unique_ptr<event_feed> events;
  struct waiting_event {
    edge::client_event event;
    std::function<void(bool, std::string)> done;
  };
  std::deque<waiting_event> event_backlog;
  std::string watcher_filters;  // encoded (event_entries.hpp); empty: no watcher here
  channel_subscriptions subscriptions;
  net::steady_timer ticker{io};
  std::vector<std::string> script_shas;
  std::set<std::string> live_nodes;
  std::map<std::string, std::uint64_t> rooms;  // members on this node, per room
  bool holds_lease = false;
  bool commands_were_up = false;
  std::int64_t ticks = 0;
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, gather> gathers;
  std::mt19937_64 random{std::random_device{}()};
  std::atomic<std::uint64_t> room_subscriptions{0};
  std::atomic<std::uint64_t> live_node_count{0};  // live_nodes.size(), for the metrics
  bool stopped = false;
  bool leaving = false;  // between leave_then_stop() and stop(): no more heartbeats
  // This process among the node's lives: the key of its member counts.
  std::string incarnation;
};

}  // namespace wsedge::engine::redis
