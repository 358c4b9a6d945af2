// Where an accepted connection begins: TLS detection, then HTTP, then perhaps a WebSocket.
#pragma once

#include "edge/connection_slot.hpp"
#include "edge/net.hpp"

namespace wsedge::edge {

class shard;
class node_context;

// Starts serving an accepted connection: with TLS configured, a TLS handshake is detected by its
// first bytes and completed (wss://), anything else is served as plain HTTP (ws://). The whole
// way to a WebSocket must take less than handshake_timeout.
// `slot` is empty when the node was full at accept: the connection's upgrade is refused (503).
void start_connection(node_context& node, shard& home, tcp::socket&& socket, connection_slot slot);

}  // namespace wsedge::edge
