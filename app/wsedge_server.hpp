// The whole node: the edge hub, the gRPC control plane and the /metrics exporter, wired together.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <memory>

#include "app/server_config.hpp"
#include "control/control_server.hpp"
#include "edge/cluster_engine.hpp"
#include "edge/hub.hpp"
#include "edge/observer_list.hpp"
#include "metrics/metrics_server.hpp"

namespace wsedge::app {

class wsedge_server {
 public:
  // `extra_observer` (optional, e.g. a test probe) sees every edge event (metrics are read from
  // the edge's own counters).
  explicit wsedge_server(server_config config, edge::edge_observer* extra_observer = nullptr);
  ~wsedge_server();

  // Starts the three listeners; the first failure is returned and nothing keeps running.
  absl::Status start();

  std::uint16_t ws_port() const { return hub_.ws_port(); }
  std::uint16_t grpc_port() const { return control_.port(); }
  std::uint16_t metrics_port() const { return metrics_.port(); }
  edge::hub& hub() { return hub_; }

  // Readiness and gRPC health off at once, clients closed with 1001, then everything stopped
  // within drain_timeout. Returns false when clients were still connected at the deadline.
  bool drain_and_stop();

 private:
  server_config config_;
  // Declared before the hub that uses it; a bad key is reported by start().
  absl::StatusOr<std::unique_ptr<auth::jwt_verifier>> verifier_;
  // Declared in dependency order: destroyed control first, observer last. The destructor stops
  // the hub (its shard and engine threads, which finish gRPC calls) before control goes.
  edge::observer_list observers_;
  // With broker=redis; outlives the hub, which stops it.
  std::unique_ptr<edge::cluster_engine> engine_;
  edge::hub hub_;
  metrics::metrics_server metrics_;
  control::control_server control_;
};

}  // namespace wsedge::app
