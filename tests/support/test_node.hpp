// A whole wsedge node started in-process on 127.0.0.1 with free ports, plus a gRPC stub for it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "app/wsedge_server.hpp"
#include "tests/support/recording_observer.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::testing {

// Test defaults: loopback, free ports, two shards so cross-shard paths are exercised.
app::server_config test_config();
// test_config with a TLS control plane: certificate and key from `server`.pem/.key under
// private_temp_path, and, when `client_ca` is given, mTLS with `client_ca`.pem as the CA.
app::server_config control_tls_config(const std::string& server, const std::string& client_ca = "");

class test_node {
 public:
  explicit test_node(app::server_config config = test_config());
  ~test_node();

  std::uint16_t ws_port() const { return server_->ws_port(); }
  std::uint16_t metrics_port() const { return server_->metrics_port(); }
  std::uint16_t grpc_port() const { return server_->grpc_port(); }
  app::wsedge_server& server() { return *server_; }
  recording_observer& events() { return events_; }
  wsedge::v1::EdgeControl::Stub& control() { return *stub_; }

  // Convenience calls with a 10 s deadline.
  grpc::Status publish(const wsedge::v1::Target& target, const std::string& data,
                       wsedge::v1::PublishResponse* response = nullptr);
  wsedge::v1::StatsResponse stats(const std::string& room = "");
  grpc::Status stats(const wsedge::v1::StatsRequest& request, wsedge::v1::StatsResponse* response);
  grpc::Status kick(const wsedge::v1::KickRequest& request, wsedge::v1::KickResponse* response);

 private:
  recording_observer events_;
  std::unique_ptr<app::wsedge_server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<wsedge::v1::EdgeControl::Stub> stub_;
};

wsedge::v1::Target room_target(const std::string& room);

}  // namespace wsedge::testing
