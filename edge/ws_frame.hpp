// Server-to-client WebSocket framing (RFC 6455 §5.2): unmasked, unfragmented; permessage-deflate
// (RFC 7692) is the one extension, on frames whose payload is already deflated.
// The framed bytes of a message are the same for every recipient, so they are built once.
// Also: recognising a client's keep-alive frames (ping, pong) on an otherwise idle connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wsedge::edge {

// Header + payload of one complete text (or binary) message.
std::string frame_message(std::string_view payload, bool binary = false);

// The same message compressed (RFC 7692): `deflated` as deflate_payload gives it, with RSV1 set.
std::string frame_deflated_message(std::string_view deflated, bool binary);

// The payload of a frame frame_message built (unmasked; its header skipped).
std::string_view frame_payload(std::string_view frame);

// A close frame with `code` and no reason.
std::string frame_close(std::uint16_t code);

// A pong answering a ping whose (unmasked) application data is `payload` (at most 125 bytes).
std::string frame_pong(std::string_view payload);

// A complete client ping or pong at the start of `bytes`: masked, FIN, at most 125 bytes of
// data, no reserved bits. Anything else (data, close, a partial or malformed frame) is not one.
struct keepalive_frame {
  bool is_ping = false;
  std::string payload;   // unmasked
  std::size_t size = 0;  // header + payload bytes on the wire
};
std::optional<keepalive_frame> parse_keepalive_frame(std::span<const unsigned char> bytes);
// When `bytes` begin a client ping or pong: its size on the wire (more than bytes.size() when
// it is cut short; with one byte only, one more than that); 0 when they begin anything else.
std::size_t keepalive_frame_size(std::span<const unsigned char> bytes);

}  // namespace wsedge::edge
