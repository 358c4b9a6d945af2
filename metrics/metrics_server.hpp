// Serves GET /metrics (Prometheus text format) from a registry on its own port.
#pragma once

#include <absl/status/status.h>

#include <cstdint>
#include <memory>
#include <string>

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace wsedge::metrics {

class metrics_server {
 public:
  metrics_server();
  ~metrics_server();

  absl::Status start(const std::string& bind_address, std::uint16_t port,
                     std::shared_ptr<prometheus::Registry> registry);
  std::uint16_t port() const { return port_; }

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::uint16_t port_ = 0;
};

}  // namespace wsedge::metrics
