// Everything wsedge is configured with: the edge's settings plus the control and metrics ports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/jwt_verifier.hpp"
#include "control/control_server.hpp"
#include "edge/edge_config.hpp"
#include "engine/redis/redis_engine.hpp"

namespace wsedge::app {

struct server_config {
  edge::edge_config edge;
  control::control_config control;
  std::uint16_t metrics_port = 9100;
  // Set when a JWT key is configured: client tokens are verified with it.
  std::optional<auth::jwt_config> jwt;
  // Set with broker=redis: this node is one of a cluster.
  std::optional<engine::redis::redis_engine_options> redis;
};

}  // namespace wsedge::app
