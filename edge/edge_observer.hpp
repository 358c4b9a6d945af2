// Events the edge reports (to metrics, logs); called from shard threads, must not block.
#pragma once

#include <cstdint>
#include <string_view>

namespace wsedge::edge {

enum class publish_source { grpc, client };

class edge_observer {
 public:
  virtual ~edge_observer() = default;

  virtual void on_connection_opened() {}
  virtual void on_connection_closed() {}
  // reason: a short stable word such as "max_connections", "origin", "bad_request", "draining".
  virtual void on_connection_rejected(std::string_view /*reason*/) {}
  virtual void on_room_opened() {}
  virtual void on_room_closed() {}
  virtual void on_subscribed() {}
  virtual void on_unsubscribed() {}
  virtual void on_messages_received(std::uint64_t /*count*/) {}
  // Called once per completed socket write.
  virtual void on_messages_sent(std::uint64_t /*count*/, std::uint64_t /*bytes*/) {}
  virtual void on_published(publish_source) {}
  // kind: the client error code ("invalid_json", …) or a transport failure ("write_timeout", …).
  virtual void on_error(std::string_view /*kind*/) {}
  virtual void on_kicked() {}
  virtual void on_slow_consumer() {}
  // A join that asked to recover from a position: whether history covered the gap.
  virtual void on_recovery(bool /*recovered*/) {}
  // From publish accepted to the last recipient's frame queued.
  virtual void on_publish_fanout(double /*seconds*/) {}
};

}  // namespace wsedge::edge
