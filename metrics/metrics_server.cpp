// prometheus-cpp's Exposer (civetweb) bound to metrics_port.
#include "metrics/metrics_server.hpp"

#include <absl/strings/str_cat.h>
#include <prometheus/exposer.h>

#include <exception>

#include "metrics/edge_collector.hpp"

namespace wsedge::metrics {

metrics_server::metrics_server() = default;
metrics_server::~metrics_server() = default;

absl::Status metrics_server::start(const std::string& bind_address, std::uint16_t port,
                                   const edge::hub& hub) {
  std::string address = absl::StrCat(bind_address, ":", port);
  try {
    // civetweb throws when it cannot listen; that is a start-up failure, reported as a value.
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics_port: cannot listen on ", address, ": ", e.what()));
  }
  auto collector = std::make_shared<edge_collector>(hub);
  exposer_->RegisterCollectable(collector, "/metrics");
  collector_ = std::move(collector);
  auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : static_cast<std::uint16_t>(ports.front());
  return absl::OkStatus();
}

}  // namespace wsedge::metrics
