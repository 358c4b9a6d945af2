// One shard's counters: written by that shard's thread only, summed by Stats and /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "edge/edge_metrics.hpp"

namespace wsedge::edge {

// A single-writer counter. Only the owning shard adds, with a relaxed load and store (a plain
// move on x86, no locked instruction); the atomic type only lets a scrape read it from another
// thread without a data race.
class shard_counter {
 public:
  void add(std::int64_t delta) {
    value_.store(value_.load(std::memory_order_relaxed) + static_cast<std::uint64_t>(delta),
                 std::memory_order_relaxed);
  }
  std::uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Aligned so two shards' counters never share a cache line.
struct alignas(64) shard_counters {
  // Gauges: state this shard holds now.
  shard_counter connections;    // open WebSocket connections
  shard_counter subscriptions;  // memberships of this shard's sessions
  shard_counter rooms_owned;    // rooms with members whose owner is this shard
  shard_counter history_bytes;  // frames kept in the history of the rooms this shard owns
  shard_counter queued_frames;  // frames waiting in this shard's connections' outbound queues
  shard_counter queued_bytes;   // … and their bytes
  // Events.
  shard_counter connections_opened;
  shard_counter messages_in;
  shard_counter messages_out;
  shard_counter bytes_out;
  shard_counter socket_writes;
  shard_counter published_grpc;
  shard_counter published_client;
  shard_counter kicks;
  shard_counter slow_consumers;
  shard_counter recovered;      // joins with `since` that history covered
  shard_counter not_recovered;  // … and that it could not
  std::array<shard_counter, error_kinds.size()> errors;
  std::array<shard_counter, reject_reasons.size()> rejected;
  std::array<shard_counter, fanout_bucket_bounds.size() + 1> fanout_buckets;
  shard_counter fanout_count;
  shard_counter fanout_sum_ns;

  // Adds this shard's figures to `total`.
  void add_to(edge_metrics& total) const;
};

inline void shard_counters::add_to(edge_metrics& t) const {
  t.connections += connections.get();
  t.subscriptions += subscriptions.get();
  t.rooms += rooms_owned.get();
  t.connections_opened += connections_opened.get();
  t.messages_received += messages_in.get();
  t.messages_sent += messages_out.get();
  t.bytes_sent += bytes_out.get();
  t.socket_writes += socket_writes.get();
  t.published_grpc += published_grpc.get();
  t.published_client += published_client.get();
  t.kicks += kicks.get();
  t.slow_consumers += slow_consumers.get();
  t.history_bytes += history_bytes.get();
  t.outbound_queued_messages += queued_frames.get();
  t.outbound_queued_bytes += queued_bytes.get();
  t.recovered += recovered.get();
  t.not_recovered += not_recovered.get();
  for (std::size_t i = 0; i < errors.size(); ++i) t.errors[i] += errors[i].get();
  for (std::size_t i = 0; i < rejected.size(); ++i) t.rejected[i] += rejected[i].get();
  for (std::size_t i = 0; i < fanout_buckets.size(); ++i)
    t.fanout_buckets[i] += fanout_buckets[i].get();
  t.fanout_count += fanout_count.get();
  t.fanout_sum_seconds += static_cast<double>(fanout_sum_ns.get()) / 1e9;
}

}  // namespace wsedge::edge
