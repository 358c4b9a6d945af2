// The control plane's one credential: metadata `authorization: Bearer <control_token>`.
#pragma once

#include <grpcpp/server_context.h>

#include <string>

namespace wsedge::control {

class control_token_check {
 public:
  // An empty token lets every call through (keep such a port internal).
  explicit control_token_check(const std::string& control_token);

  // OK, or UNAUTHENTICATED naming what to send (compared in constant time).
  grpc::Status check(const grpc::ServerContextBase& context) const;

 private:
  std::string expected_authorization_;
};

}  // namespace wsedge::control
