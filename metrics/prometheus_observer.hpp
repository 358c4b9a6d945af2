// An edge_observer that keeps the wsedge_* Prometheus series; safe from any shard thread.
#pragma once

#include <memory>
#include <string_view>

#include "edge/edge_observer.hpp"

namespace prometheus {
class Registry;
}

namespace wsedge::metrics {

class prometheus_observer final : public edge::edge_observer {
 public:
  prometheus_observer();
  ~prometheus_observer() override;

  std::shared_ptr<prometheus::Registry> registry() const;

  void on_connection_opened() override;
  void on_connection_closed() override;
  void on_connection_rejected(std::string_view reason) override;
  void on_room_opened() override;
  void on_room_closed() override;
  void on_subscribed() override;
  void on_unsubscribed() override;
  void on_messages_received(std::uint64_t count) override;
  void on_messages_sent(std::uint64_t count, std::uint64_t bytes) override;
  void on_published(edge::publish_source source) override;
  void on_error(std::string_view kind) override;
  void on_kicked() override;
  void on_slow_consumer() override;
  void on_publish_fanout(double seconds) override;

 private:
  struct series;
  // Declared first: the series point into the registry.
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<series> series_;
};

}  // namespace wsedge::metrics
