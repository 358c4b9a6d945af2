// gRPC server reflection (grpc.reflection.v1 and v1alpha) served by wsedge itself, so that the
// control token protects it like every other control call (the health service stays open).
#pragma once

#include <grpcpp/impl/service_type.h>

#include <memory>
#include <string>
#include <vector>

namespace wsedge::control {

class control_token_check;

// Both versions of the reflection service, answering from the generated descriptor pool and
// listing `service_names` (they add their own names). `token` must outlive them.
std::vector<std::unique_ptr<grpc::Service>> make_reflection_services(
    const control_token_check& token, std::vector<std::string> service_names);

}  // namespace wsedge::control
