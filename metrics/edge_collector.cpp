// Builds the metric families of docs/metrics.md from one edge_metrics snapshot.
#include "metrics/edge_collector.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <limits>
#include <string>

namespace wsedge::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

ClientMetric value(MetricType type, std::uint64_t v, std::string label = {},
                   std::string_view label_value = {}) {
  ClientMetric m;
  if (type == MetricType::Gauge)
    m.gauge.value = static_cast<double>(v);
  else
    m.counter.value = static_cast<double>(v);
  if (!label.empty()) m.label.push_back({std::move(label), std::string(label_value)});
  return m;
}

MetricFamily single(std::string name, std::string help, MetricType type, std::uint64_t v) {
  MetricFamily f = family(std::move(name), std::move(help), type);
  f.metric.push_back(value(type, v));
  return f;
}

template <std::size_t N>
MetricFamily labelled(std::string name, std::string help, const std::string& label,
                      const std::array<std::string_view, N>& names,
                      const std::array<std::uint64_t, N>& values) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::Counter);
  for (std::size_t i = 0; i < N; ++i)
    f.metric.push_back(value(MetricType::Counter, values[i], label, names[i]));
  return f;
}

// The cluster broker: always 1 for a single node's in-process broker.
void append_broker(const edge::engine_metrics& e, std::vector<MetricFamily>& out) {
  constexpr auto counter = MetricType::Counter;
  out.push_back(single("wsedge_broker_up",
                       "1 while the broker is reachable (always 1 with broker=local).",
                       MetricType::Gauge, e.enabled ? e.up : 1));
  if (!e.enabled) return;
  out.push_back(
      single("wsedge_broker_commands_total", "Commands sent to Redis.", counter, e.commands));
  out.push_back(single("wsedge_broker_errors_total",
                       "Redis commands that failed (error replies, unreachable, lost).", counter,
                       e.command_errors));
  out.push_back(single("wsedge_broker_reconnects_total", "Connections to Redis re-established.",
                       counter, e.reconnects));
  out.push_back(single("wsedge_broker_room_subscriptions",
                       "Room channels this node is subscribed to (rooms with members here).",
                       MetricType::Gauge, e.subscriptions));
  out.push_back(single("wsedge_broker_live_nodes",
                       "Nodes this node counts as live, itself included (by heartbeat).",
                       MetricType::Gauge, e.live_nodes));
  MetricFamily latency =
      family("wsedge_broker_command_seconds", "Time from a Redis command sent to its reply.",
             MetricType::Summary);
  ClientMetric summary;
  summary.summary.sample_count = e.latency_count;
  summary.summary.sample_sum = e.latency_sum_seconds;
  latency.metric.push_back(std::move(summary));
  out.push_back(std::move(latency));
}

}  // namespace

std::vector<MetricFamily> edge_collector::Collect() const {
  const edge::edge_metrics m = hub_.metrics();
  constexpr auto counter = MetricType::Counter;
  constexpr auto gauge = MetricType::Gauge;
  std::vector<MetricFamily> out;
  out.push_back(single("wsedge_connections", "Open WebSocket connections.", gauge, m.connections));
  out.push_back(single("wsedge_rooms", "Rooms with members.", gauge, m.rooms));
  out.push_back(single("wsedge_subscriptions", "Room memberships over all connections.", gauge,
                       m.subscriptions));
  out.push_back(single("wsedge_connections_opened_total", "WebSocket connections accepted.",
                       counter, m.connections_opened));
  out.push_back(single("wsedge_messages_received_total",
                       "WebSocket messages received from clients.", counter, m.messages_received));
  out.push_back(single("wsedge_messages_sent_total", "WebSocket messages written to clients.",
                       counter, m.messages_sent));
  out.push_back(single("wsedge_bytes_sent_total", "Payload bytes written to clients.", counter,
                       m.bytes_sent));
  out.push_back(single("wsedge_socket_writes_total",
                       "Writes to client sockets; messages_sent / this = messages per write "
                       "(see write_delay).",
                       counter, m.socket_writes));
  MetricFamily published =
      family("wsedge_published_total", "Messages published, by source (grpc or client).", counter);
  published.metric.push_back(value(counter, m.published_grpc, "source", "grpc"));
  published.metric.push_back(value(counter, m.published_client, "source", "client"));
  out.push_back(std::move(published));
  out.push_back(labelled("wsedge_errors_total", "Client errors and transport failures, by kind.",
                         "kind", edge::error_kinds, m.errors));
  out.push_back(single("wsedge_kicks_total", "Connections closed by a control-plane Kick.", counter,
                       m.kicks));
  out.push_back(single("wsedge_slow_consumer_disconnects_total",
                       "Connections closed with 4001 because their queue overflowed.", counter,
                       m.slow_consumers));
  out.push_back(single("wsedge_history_bytes",
                       "Bytes of room history kept for recovery (frames as sent).", gauge,
                       m.history_bytes));
  MetricFamily recoveries = family(
      "wsedge_recoveries_total",
      "Subscribes with `since`, by result (recovered, or not_recovered: the client must resync).",
      counter);
  recoveries.metric.push_back(value(counter, m.recovered, "result", "recovered"));
  recoveries.metric.push_back(value(counter, m.not_recovered, "result", "not_recovered"));
  out.push_back(std::move(recoveries));
  out.push_back(labelled("wsedge_rejected_connections_total",
                         "Connection attempts refused before or during the upgrade, by reason.",
                         "reason", edge::reject_reasons, m.rejected));
  MetricFamily fanout =
      family("wsedge_publish_fanout_seconds",
             "From publish accepted to the last recipient's frame queued.", MetricType::Histogram);
  ClientMetric histogram;
  histogram.histogram.sample_count = m.fanout_count;
  histogram.histogram.sample_sum = m.fanout_sum_seconds;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < m.fanout_buckets.size(); ++i) {
    cumulative += m.fanout_buckets[i];
    ClientMetric::Bucket bucket;
    bucket.cumulative_count = cumulative;
    bucket.upper_bound = i < edge::fanout_bucket_bounds.size()
                             ? edge::fanout_bucket_bounds[i]
                             : std::numeric_limits<double>::infinity();
    histogram.histogram.bucket.push_back(bucket);
  }
  fanout.metric.push_back(std::move(histogram));
  out.push_back(std::move(fanout));
  append_broker(m.engine, out);
  out.push_back(single("wsedge_event_watchers", "Backends watching the event stream (WatchEvents).",
                       gauge, m.event_watchers));
  out.push_back(labelled("wsedge_events_total",
                         "Events added to the event stream, by kind (counted with or without "
                         "watchers).",
                         "kind", edge::client_event_kind_names, m.events));
  out.push_back(single("wsedge_event_watchers_cut_total",
                       "Watchers ended with RESOURCE_EXHAUSTED for falling events_watcher_buffer "
                       "events behind.",
                       counter, m.event_watchers_cut));
  out.push_back(single("wsedge_events_lost_total",
                       "Cluster mode: this node's events that never reached the cluster's stream "
                       "(Redis was away longer than the event backlog lasts).",
                       counter, m.events_lost));
  out.push_back(single("wsedge_outbound_queued_messages",
                       "Messages waiting in connections' outbound queues (not yet written).", gauge,
                       m.outbound_queued_messages));
  out.push_back(single("wsedge_outbound_queued_bytes",
                       "Bytes of the messages waiting in connections' outbound queues.", gauge,
                       m.outbound_queued_bytes));
  MetricFamily mailbox = family("wsedge_shard_mailbox_tasks",
                                "Work queued for a shard by other shards and threads (deliveries, "
                                "joins, publishes) that it has not taken yet.",
                                gauge);
  for (std::size_t i = 0; i < m.mailbox_tasks.size(); ++i)
    mailbox.metric.push_back(value(gauge, m.mailbox_tasks[i], "shard", std::to_string(i)));
  out.push_back(std::move(mailbox));
  out.push_back(single("wsedge_compressed_connections",
                       "Open connections that negotiated permessage-deflate and take compressed "
                       "frames.",
                       gauge, m.compressed_connections));
  out.push_back(single("wsedge_messages_deflated_total",
                       "Messages deflated (once each, however many compressed members got them).",
                       counter, m.messages_deflated));
  out.push_back(single("wsedge_deflate_input_bytes_total",
                       "Payload bytes of the messages deflated, before compression.", counter,
                       m.deflate_bytes_in));
  out.push_back(single("wsedge_deflate_output_bytes_total",
                       "Payload bytes of the messages deflated, after compression.", counter,
                       m.deflate_bytes_out));
  return out;
}

}  // namespace wsedge::metrics
