// In-process test node.
#include "tests/support/test_node.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_files.hpp"

namespace wsedge::testing {

namespace {
std::unique_ptr<grpc::ClientContext> context_with_deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  // Sanitizer builds run the server several times slower (WSEDGE_TEST_TIME_SCALE, set by CMake).
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10) * WSEDGE_TEST_TIME_SCALE);
  return context;
}
}  // namespace

app::server_config test_config() {
  app::server_config config;
  config.edge.bind_address = "127.0.0.1";
  config.edge.ws_port = 0;
  config.edge.threads = 2;
  config.edge.drain_timeout = std::chrono::seconds(5);
  config.control.bind_address = "127.0.0.1";
  config.control.port = 0;
  config.metrics_port = 0;
  return config;
}

app::server_config control_tls_config(const std::string& server, const std::string& client_ca) {
  auto config = test_config();
  config.control.tls_cert_pem = read_file(private_temp_path(server + ".pem"));
  config.control.tls_key_pem = read_file(private_temp_path(server + ".key"));
  if (!client_ca.empty())
    config.control.client_ca_pem = read_file(private_temp_path(client_ca + ".pem"));
  return config;
}

test_node::test_node(app::server_config config)
    : server_(std::make_unique<app::wsedge_server>(std::move(config), &events_)) {
  auto status = server_->start();
  if (!status.ok()) ADD_FAILURE() << "test node did not start: " << status;
  channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->grpc_port()),
                                 grpc::InsecureChannelCredentials());
  stub_ = wsedge::v1::EdgeControl::NewStub(channel_);
}

test_node::~test_node() = default;

grpc::Status test_node::publish(const wsedge::v1::Target& target, const std::string& data,
                                wsedge::v1::PublishResponse* response) {
  wsedge::v1::PublishRequest request;
  *request.mutable_target() = target;
  request.set_data(data);
  wsedge::v1::PublishResponse ignored;
  auto context = context_with_deadline();
  return stub_->Publish(context.get(), request, response ? response : &ignored);
}

wsedge::v1::StatsResponse test_node::stats(const std::string& room) {
  wsedge::v1::StatsRequest request;
  request.set_room(room);
  wsedge::v1::StatsResponse response;
  auto status = stats(request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

grpc::Status test_node::stats(const wsedge::v1::StatsRequest& request,
                              wsedge::v1::StatsResponse* response) {
  auto context = context_with_deadline();
  return stub_->Stats(context.get(), request, response);
}

grpc::Status test_node::kick(const wsedge::v1::KickRequest& request,
                             wsedge::v1::KickResponse* response) {
  auto context = context_with_deadline();
  return stub_->Kick(context.get(), request, response);
}

wsedge::v1::Target room_target(const std::string& room) {
  wsedge::v1::Target target;
  target.set_room(room);
  return target;
}

}  // namespace wsedge::testing
