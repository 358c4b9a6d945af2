// WatchEvents: one watcher's gRPC stream, fed from the edge's event log one message at a time.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>

#include "edge/hub.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::control {

// The request's filter; INVALID_ARGUMENT naming an unknown kind.
grpc::Status to_filter(const wsedge::v1::WatchRequest& request, edge::event_filter& filter);

// An event as the stream carries it.
void to_proto(const edge::client_event& event, const std::string& node, wsedge::v1::Event& out);

// A stream that only finishes with `status` (a refused call).
grpc::ServerWriteReactor<wsedge::v1::Event>* refuse_event_stream(grpc::Status status);

// Starts the stream; the reactor frees itself when gRPC is done with it.
grpc::ServerWriteReactor<wsedge::v1::Event>* start_event_stream(edge::hub& hub,
                                                                edge::event_filter filter,
                                                                std::uint64_t after_id);

}  // namespace wsedge::control
