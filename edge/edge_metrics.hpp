// The edge's counters as one snapshot, summed over the shards when asked: the single source of
// Stats' counts and of /metrics (edge/ knows nothing of Prometheus; metrics/ turns this into
// series).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edge/client_event.hpp"

namespace wsedge::edge {

// Every kind and reason the edge reports, so labelled series exist (at 0) from start-up and no
// label value is ever made up at run time ("other" catches anything unlisted).
inline constexpr std::array<std::string_view, 21> error_kinds{"invalid_json",
                                                              "unknown_type",
                                                              "room_required",
                                                              "invalid_room",
                                                              "not_subscribed",
                                                              "room_full",
                                                              "too_many_subscriptions",
                                                              "forbidden",
                                                              "rate_limited",
                                                              "invalid_request",
                                                              "unavailable",
                                                              "no_receiver",
                                                              "ingest_invalid",
                                                              "message_too_big",
                                                              "read",
                                                              "write",
                                                              "write_timeout",
                                                              "pong_timeout",
                                                              "token_expired",
                                                              "rate_limit_close",
                                                              "other"};
inline constexpr std::array<std::string_view, 14> reject_reasons{
    "max_connections",        "origin",    "bad_request",   "draining",
    "unauthorized",           "ip_rate",   "not_upgrade",   "invalid_room",
    "too_many_subscriptions", "handshake", "tls_handshake", "handshake_timeout",
    "accept_error",           "other"};
// Upper bounds (seconds) of wsedge_publish_fanout_seconds; a last bucket is +Inf.
inline constexpr std::array<double, 15> fanout_bucket_bounds{
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
    0.005,   0.01,     0.025,   0.05,   0.1,     0.25,   1};

// The position of `name` in `names`, or of "other" (the last).
template <std::size_t N>
constexpr std::size_t label_index(const std::array<std::string_view, N>& names,
                                  std::string_view name) {
  for (std::size_t i = 0; i + 1 < N; ++i)
    if (names[i] == name) return i;
  return N - 1;
}

// The cluster engine's own figures (all zero for a single node).
struct engine_metrics {
  bool enabled = false;  // the node runs with a cluster engine
  bool up = false;       // and it is connected
  std::uint64_t commands = 0;
  std::uint64_t command_errors = 0;  // failed commands (error replies, lost connections)
  std::uint64_t reconnects = 0;
  std::uint64_t latency_count = 0;  // commands answered, and the time they took
  double latency_sum_seconds = 0;
  std::uint64_t subscriptions = 0;  // rooms this node is subscribed to
  // Nodes this node counts as live, itself included (from its heartbeats, and the notices of
  // nodes that leave).
  std::uint64_t live_nodes = 0;
};

struct edge_metrics {
  std::uint64_t connections = 0;
  std::uint64_t rooms = 0;
  std::uint64_t subscriptions = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t socket_writes = 0;
  std::uint64_t published_grpc = 0;
  std::uint64_t published_client = 0;
  std::uint64_t kicks = 0;
  std::uint64_t slow_consumers = 0;
  std::uint64_t history_bytes = 0;
  // Queue depths: frames (and bytes) waiting in connections' outbound queues, and per shard the
  // work other threads queued for it that it has not taken yet.
  std::uint64_t outbound_queued_messages = 0;
  std::uint64_t outbound_queued_bytes = 0;
  std::vector<std::uint64_t> mailbox_tasks;
  std::uint64_t recovered = 0;
  std::uint64_t not_recovered = 0;
  std::array<std::uint64_t, error_kinds.size()> errors{};
  std::array<std::uint64_t, reject_reasons.size()> rejected{};
  // Per bucket (not cumulative), the last one past every bound.
  std::array<std::uint64_t, fanout_bucket_bounds.size() + 1> fanout_buckets{};
  std::uint64_t fanout_count = 0;
  double fanout_sum_seconds = 0;
  engine_metrics engine;
  // The backends' event stream.
  std::uint64_t event_watchers = 0;
  std::array<std::uint64_t, client_event_kind_names.size()> events{};
  std::uint64_t event_watchers_cut = 0;
  std::uint64_t events_lost = 0;  // cluster mode: not added to the cluster's stream
  // permessage-deflate.
  std::uint64_t compressed_connections = 0;
  std::uint64_t messages_deflated = 0;
  std::uint64_t deflate_bytes_in = 0;
  std::uint64_t deflate_bytes_out = 0;
};

}  // namespace wsedge::edge
