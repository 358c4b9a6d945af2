// Counting observer: per-shard counters for every event, no shared atomics on the data path.
#include "edge/counting_observer.hpp"

#include <algorithm>
#include <cmath>

#include "edge/shard.hpp"

namespace wsedge::edge {

template <typename F>
void counting_observer::count(F&& count) {
  if (shard* s = shard::current()) return count(s->counters());
  std::lock_guard lock(external_mutex_);
  count(external_);
}

void counting_observer::add_external_to(edge_metrics& total) const {
  std::lock_guard lock(external_mutex_);
  external_.add_to(total);
}

void counting_observer::on_connection_opened() {
  count([](shard_counters& c) { c.connections_opened.add(1); });
  next_.on_connection_opened();
}

void counting_observer::on_connection_rejected(std::string_view reason) {
  count([&](shard_counters& c) { c.rejected[label_index(reject_reasons, reason)].add(1); });
  next_.on_connection_rejected(reason);
}

void counting_observer::on_messages_received(std::uint64_t n) {
  count([&](shard_counters& c) { c.messages_in.add(static_cast<std::int64_t>(n)); });
  next_.on_messages_received(n);
}

void counting_observer::on_messages_sent(std::uint64_t n, std::uint64_t bytes) {
  count([&](shard_counters& c) {
    c.messages_out.add(static_cast<std::int64_t>(n));
    c.bytes_out.add(static_cast<std::int64_t>(bytes));
    c.socket_writes.add(1);
  });
  next_.on_messages_sent(n, bytes);
}

void counting_observer::on_published(publish_source source) {
  count([&](shard_counters& c) {
    (source == publish_source::grpc ? c.published_grpc : c.published_client).add(1);
  });
  next_.on_published(source);
}

void counting_observer::on_error(std::string_view kind) {
  count([&](shard_counters& c) { c.errors[label_index(error_kinds, kind)].add(1); });
  next_.on_error(kind);
}

void counting_observer::on_kicked() {
  count([](shard_counters& c) { c.kicks.add(1); });
  next_.on_kicked();
}

void counting_observer::on_slow_consumer() {
  count([](shard_counters& c) { c.slow_consumers.add(1); });
  next_.on_slow_consumer();
}

void counting_observer::on_recovery(bool recovered) {
  count([&](shard_counters& c) { (recovered ? c.recovered : c.not_recovered).add(1); });
  next_.on_recovery(recovered);
}

void counting_observer::on_publish_fanout(double seconds) {
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(fanout_bucket_bounds.begin(), fanout_bucket_bounds.end(), seconds) -
      fanout_bucket_bounds.begin());
  count([&](shard_counters& c) {
    c.fanout_buckets[bucket].add(1);
    c.fanout_count.add(1);
    c.fanout_sum_ns.add(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
  });
  next_.on_publish_fanout(seconds);
}

}  // namespace wsedge::edge
