// Serves GET /metrics (Prometheus text format) from a registry on its own port.
#pragma once

#include <absl/status/status.h>

#include <cstdint>
#include <memory>
#include <string>

#include "edge/hub.hpp"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace wsedge::metrics {

class metrics_server {
 public:
  metrics_server();
  ~metrics_server();

  // Serves the edge's series, read from `hub` at each scrape (`hub` must outlive this).
  absl::Status start(const std::string& bind_address, std::uint16_t port, const edge::hub& hub);
  std::uint16_t port() const { return port_; }

 private:
  std::shared_ptr<void> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string bind_address_;
  std::uint16_t port_ = 0;
};

}  // namespace wsedge::metrics
