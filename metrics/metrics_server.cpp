// prometheus-cpp's Exposer (civetweb) bound to metrics_port.
#include "metrics/metrics_server.hpp"

#include <absl/strings/str_cat.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <exception>

namespace wsedge::metrics {

metrics_server::metrics_server() = default;
metrics_server::~metrics_server() = default;

absl::Status metrics_server::start(const std::string& bind_address, std::uint16_t port,
                                   std::shared_ptr<prometheus::Registry> registry) {
  std::string address = absl::StrCat(bind_address, ":", port);
  try {
    // civetweb throws when it cannot listen; that is a start-up failure, reported as a value.
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics_port: cannot listen on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry, "/metrics");
  auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : static_cast<std::uint16_t>(ports.front());
  return absl::OkStatus();
}

}  // namespace wsedge::metrics
