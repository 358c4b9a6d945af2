// The wsedge.v1.EdgeControl gRPC service: maps requests to hub calls and results to responses.
#pragma once

#include <cstddef>
#include <string>

#include "control/control_token.hpp"
#include "edge/hub.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::control {

class edge_control_service final : public wsedge::v1::EdgeControl::CallbackService {
 public:
  static constexpr std::size_t max_batch = 1000;

  // `token` (shared with the other control services, must outlive this) decides every call.
  edge_control_service(edge::hub& hub, const control_token_check& token);

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const wsedge::v1::PublishRequest* request,
                                    wsedge::v1::PublishResponse* response) override;
  grpc::ServerUnaryReactor* PublishBatch(grpc::CallbackServerContext* context,
                                         const wsedge::v1::PublishBatchRequest* request,
                                         wsedge::v1::PublishBatchResponse* response) override;
  grpc::ServerUnaryReactor* Stats(grpc::CallbackServerContext* context,
                                  const wsedge::v1::StatsRequest* request,
                                  wsedge::v1::StatsResponse* response) override;
  grpc::ServerUnaryReactor* Kick(grpc::CallbackServerContext* context,
                                 const wsedge::v1::KickRequest* request,
                                 wsedge::v1::KickResponse* response) override;
  grpc::ServerUnaryReactor* History(grpc::CallbackServerContext* context,
                                    const wsedge::v1::HistoryRequest* request,
                                    wsedge::v1::HistoryResponse* response) override;
  grpc::ServerUnaryReactor* Presence(grpc::CallbackServerContext* context,
                                     const wsedge::v1::PresenceRequest* request,
                                     wsedge::v1::PresenceResponse* response) override;
  grpc::ServerWriteReactor<wsedge::v1::Event>* WatchEvents(
      grpc::CallbackServerContext* context, const wsedge::v1::WatchRequest* request) override;

 private:
  // Finishes the call with UNAUTHENTICATED and returns true when authorize() refuses it.
  bool refused(const grpc::CallbackServerContext& context, grpc::ServerUnaryReactor* reactor) const;

  edge::hub& hub_;
  const control_token_check& token_;
};

}  // namespace wsedge::control
