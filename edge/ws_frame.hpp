// Server-to-client WebSocket framing (RFC 6455 §5.2): unmasked, unfragmented, no extensions.
// The framed bytes of a message are the same for every recipient, so they are built once.
#pragma once

#include <string>
#include <string_view>

namespace wsedge::edge {

// Header + payload of one complete text (or binary) message.
std::string frame_message(std::string_view payload, bool binary = false);

}  // namespace wsedge::edge
