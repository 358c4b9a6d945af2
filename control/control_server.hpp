// The gRPC control-plane server: EdgeControl, grpc.health.v1.Health and server reflection.
#pragma once

#include <absl/status/status.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "edge/hub.hpp"

namespace wsedge::control {

struct control_config {
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 9090;
  // When set, every call needs metadata `authorization: Bearer <control_token>`.
  std::string control_token;
  // PEM contents. With a certificate and key the port serves TLS only; with a client CA too,
  // callers must present a certificate signed by it (mTLS).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::string client_ca_pem;
};

// gRPC stays behind this pimpl so including it does not pull gRPC headers in.
class control_server {
 public:
  control_server();
  ~control_server();

  absl::Status start(edge::hub& hub, const control_config& config);
  std::uint16_t port() const;
  // Health: SERVING / NOT_SERVING for "" and "wsedge.v1.EdgeControl".
  void set_serving(bool serving);
  // Finishes in-flight calls until the deadline, then cancels the rest. The gRPC server itself
  // is freed by the destructor: destroy this only after the threads that finish calls (the
  // hub's shards and engine) have stopped.
  void shutdown(std::chrono::system_clock::time_point deadline);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wsedge::control
