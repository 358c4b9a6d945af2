// The permessage-deflate answer of an upgrade: Beast negotiates, and this settles the two points
// where its answer breaks RFC 7692 §7.1.2.1 (a server_max_window_bits it raised above the
// offer, or left out when the offer named 15), and whether the node's shared compressed frames
// (deflated with a 15-bit window) suit the client.
#pragma once

#include <string>
#include <string_view>

namespace wsedge::edge {

struct deflate_answer {
  // The Sec-WebSocket-Extensions to answer with ("" = the extension declined).
  std::string extensions;
  // The connection takes the node's shared compressed frames.
  bool shared_frames = false;
};

// `offered`: the request's Sec-WebSocket-Extensions; `negotiated`: Beast's answer to it.
deflate_answer settle_deflate_answer(std::string_view offered, std::string_view negotiated);

}  // namespace wsedge::edge
