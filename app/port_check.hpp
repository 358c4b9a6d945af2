// A port that is taken is named in one line before any listener starts (instead of a gRPC
// error dump or civetweb's "null context"), and it stops the process (exit 1).
#pragma once

#include <absl/status/status.h>
#include <absl/strings/string_view.h>

#include <cstdint>
#include <string>

namespace wsedge::app {

// OK when `address:port` can be bound now (port 0 always can); otherwise an error such as
// "grpc_port: 0.0.0.0:9090 is already in use (is another wsedge running?)".
absl::Status check_port_free(absl::string_view setting, const std::string& address,
                             std::uint16_t port);

}  // namespace wsedge::app
