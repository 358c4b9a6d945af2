// Wiring of hub, control plane and metrics, and the graceful drain sequence.
#include "app/wsedge_server.hpp"

#include <algorithm>
#include <chrono>

#include "app/port_check.hpp"

namespace wsedge::app {

namespace {
absl::StatusOr<std::unique_ptr<auth::jwt_verifier>> make_verifier(const server_config& config) {
  if (!config.jwt) return std::unique_ptr<auth::jwt_verifier>();
  return auth::jwt_verifier::create(*config.jwt);
}

std::unique_ptr<edge::cluster_engine> make_engine(const server_config& config) {
  if (!config.redis) return nullptr;
  return std::make_unique<engine::redis::redis_engine>(*config.redis);
}
}  // namespace

wsedge_server::wsedge_server(server_config config, edge::edge_observer* extra_observer)
    : config_(std::move(config)),
      verifier_(make_verifier(config_)),
      observers_({extra_observer}),
      engine_(make_engine(config_)),
      hub_(config_.edge, observers_, verifier_.ok() ? verifier_->get() : nullptr, engine_.get()) {}

wsedge_server::~wsedge_server() {
  control_.shutdown(std::chrono::system_clock::now());
  hub_.stop();
}

absl::Status wsedge_server::start() {
  if (!verifier_.ok()) return verifier_.status();
  for (const absl::Status& port :
       {check_port_free("ws_port", config_.edge.bind_address, config_.edge.ws_port),
        check_port_free("grpc_port", config_.control.bind_address, config_.control.port),
        check_port_free("metrics_port", config_.edge.bind_address, config_.metrics_port)}) {
    if (!port.ok()) return port;
  }
  if (auto status = hub_.start(); !status.ok()) return status;
  if (auto status = metrics_.start(config_.edge.bind_address, config_.metrics_port, hub_);
      !status.ok())
    return status;
  return control_.start(hub_, config_.control);
}

bool wsedge_server::drain_and_stop() {
  auto deadline = std::chrono::steady_clock::now() + config_.edge.drain_timeout;
  control_.set_serving(false);
  hub_.drain();
  bool idle = hub_.wait_until_idle(deadline);
  // In-flight control calls get what is left of the drain budget (at least a moment).
  auto left = std::max<std::chrono::steady_clock::duration>(
      deadline - std::chrono::steady_clock::now(), std::chrono::milliseconds(100));
  control_.shutdown(std::chrono::system_clock::now() +
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(left));
  hub_.stop();
  return idle;
}

}  // namespace wsedge::app
