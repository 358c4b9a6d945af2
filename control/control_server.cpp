// Builds and runs the gRPC server for the control plane.
#include "control/control_server.hpp"

#include <absl/strings/str_cat.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "control/control_token.hpp"
#include "control/edge_control_service.hpp"
#include "control/reflection_service.hpp"
// gRPC's built-in health service has no protobuf descriptor of its own: reflection describes
// it from this generated copy of health.proto.
#include "grpc/health/v1/health.grpc.pb.h"

namespace wsedge::control {

struct control_server::impl {
  // One check for every service that needs the control token (all but health).
  std::unique_ptr<control_token_check> token;
  std::unique_ptr<edge_control_service> service;
  std::vector<std::unique_ptr<grpc::Service>> reflection;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  bool shut_down = false;
};

control_server::control_server() : impl_(std::make_unique<impl>()) {}

control_server::~control_server() {
  if (impl_->server) impl_->server->Shutdown(std::chrono::system_clock::now());
}

absl::Status control_server::start(edge::hub& hub, const control_config& config) {
  grpc::EnableDefaultHealthCheckService(true);
  impl_->token = std::make_unique<control_token_check>(config.control_token);
  impl_->service = std::make_unique<edge_control_service>(hub, *impl_->token);
  // Links health.proto's descriptor in (a name alone, inline in the header, would not).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  impl_->reflection =
      make_reflection_services(*impl_->token, {wsedge::v1::EdgeControl::service_full_name(),
                                               grpc::health::v1::Health::service_full_name()});

  std::string address = absl::StrCat(config.bind_address, ":", config.port);
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second wsedge would share the port and take half the
  // calls. A taken port must stop the second process instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!config.tls_cert_pem.empty()) {
    grpc::SslServerCredentialsOptions options(
        config.client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                     : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = config.client_ca_pem;
    options.pem_key_cert_pairs.push_back({config.tls_key_pem, config.tls_cert_pem});
    credentials = grpc::SslServerCredentials(options);
  }
  builder.AddListeningPort(address, credentials, &impl_->port);
  builder.RegisterService(impl_->service.get());
  for (const auto& service : impl_->reflection) builder.RegisterService(service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0)
    return absl::UnavailableError(absl::StrCat("grpc_port: cannot listen on ", address));
  set_serving(true);
  return absl::OkStatus();
}

std::uint16_t control_server::port() const {
  return static_cast<std::uint16_t>(impl_->port);
}

void control_server::set_serving(bool serving) {
  if (!impl_->server || impl_->shut_down) return;
  auto* health = impl_->server->GetHealthCheckService();
  health->SetServingStatus(serving);
  health->SetServingStatus("wsedge.v1.EdgeControl", serving);
}

void control_server::shutdown(std::chrono::system_clock::time_point deadline) {
  if (!impl_->server || impl_->shut_down) return;
  impl_->shut_down = true;
  impl_->server->Shutdown(deadline);
  impl_->server->Wait();
  // Not deleted here: a call finished from a shard or the engine thread may still be inside
  // gRPC's Finish() (which touches the server after the call is counted done) when Wait()
  // returns. The server goes with this object, after those threads were joined (hub::stop).
}

}  // namespace wsedge::control
