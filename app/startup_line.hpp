// The one line wsedge prints once it listens: where each listener is and how a client connects.
#pragma once

#include <string>

#include "app/server_config.hpp"
#include "app/wsedge_server.hpp"

namespace wsedge::app {

// "wsedge listening: ws=… grpc=… metrics=… shards=N | connect: ws[s]://…/ws [(token …)] …"
std::string startup_line(const server_config& config, wsedge_server& server);

}  // namespace wsedge::app
