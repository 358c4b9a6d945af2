// Counts every edge event into the calling shard's counters, then passes it on (to a test probe,
// or nowhere): the node's observer as the rest of the edge sees it.
#pragma once

#include <mutex>

#include "edge/edge_observer.hpp"
#include "edge/shard_counters.hpp"

namespace wsedge::edge {

class counting_observer final : public edge_observer {
 public:
  explicit counting_observer(edge_observer& next) : next_(next) {}

  void on_connection_opened() override;
  void on_connection_closed() override { next_.on_connection_closed(); }
  void on_connection_rejected(std::string_view reason) override;
  void on_room_opened() override { next_.on_room_opened(); }
  void on_room_closed() override { next_.on_room_closed(); }
  void on_subscribed() override { next_.on_subscribed(); }
  void on_unsubscribed() override { next_.on_unsubscribed(); }
  void on_messages_received(std::uint64_t count) override;
  void on_messages_sent(std::uint64_t count, std::uint64_t bytes) override;
  void on_published(publish_source source) override;
  void on_error(std::string_view kind) override;
  void on_kicked() override;
  void on_slow_consumer() override;
  void on_publish_fanout(double seconds) override;
  void on_recovery(bool recovered) override;

  // Events from threads that are not shards (rare: none on the data path).
  void add_external_to(edge_metrics& total) const;

 private:
  // Runs `count` on the calling shard's counters, or on the external ones under their lock.
  template <typename F>
  void count(F&& count);

  edge_observer& next_;
  mutable std::mutex external_mutex_;
  shard_counters external_;
};

}  // namespace wsedge::edge
