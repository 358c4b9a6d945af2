// Builds the start-up line from the configuration and the ports actually bound.
#include "app/startup_line.hpp"

#include <absl/strings/str_cat.h>

#include "edge/reachable_address.hpp"

namespace wsedge::app {

std::string startup_line(const server_config& config, wsedge_server& server) {
  const std::string& bind = config.edge.bind_address;
  const std::string& control_bind = config.control.bind_address;
  using edge::reachable_address;
  const bool tls = !config.edge.tls_cert_pem.empty();
  std::string connect = absl::StrCat(tls ? "wss://" : "ws://", reachable_address(bind), ":",
                                     server.ws_port(), "/ws", tls ? " (ws:// too)" : "");
  if (config.edge.auth_required)
    absl::StrAppend(&connect,
                    " (token required: ?token=, Authorization: Bearer or subprotocol bearer.<t>)");
  else if (config.jwt)
    absl::StrAppend(&connect, " (token optional)");
  const bool control_tls = !config.control.tls_cert_pem.empty();
  return absl::StrCat(
      "wsedge listening: ws=", bind, ":", server.ws_port(), " grpc=", control_bind, ":",
      server.grpc_port(), " metrics=", bind, ":", server.metrics_port(),
      " shards=", server.hub().shard_count(), " | connect: ", connect, "  publish: gRPC ",
      reachable_address(control_bind), ":", server.grpc_port(), " (wsedge.v1.EdgeControl",
      control_tls ? (config.control.client_ca_pem.empty() ? ", TLS" : ", mTLS") : "",
      config.control.control_token.empty() ? "" : ", control_token", ")  metrics: http://",
      reachable_address(bind), ":", server.metrics_port(), "/metrics",
      config.edge.demo_page ? absl::StrCat("  demo: ", tls ? "https://" : "http://",
                                           reachable_address(bind), ":", server.ws_port(), "/demo")
                            : "");
}

}  // namespace wsedge::app
