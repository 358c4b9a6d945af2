// wsedgectl watch: a node's event stream (WatchEvents) as JSON lines on stdout, one per event,
// flushed as each arrives so that a pipe sees it at once.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <ostream>

#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::ctl {

// Streams until the server ends the stream, or until `max_events` were printed (0: no limit),
// which counts as success. The stream's status otherwise (RESOURCE_EXHAUSTED for a watcher that
// fell behind: its message names the after_id to watch again from).
grpc::Status watch_events(wsedge::v1::EdgeControl::Stub& stub, grpc::ClientContext& context,
                          const wsedge::v1::WatchRequest& request, std::uint64_t max_events,
                          std::ostream& out);

}  // namespace wsedge::ctl
