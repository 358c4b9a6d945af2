// WebSocket frame header: FIN + opcode, then a 7-bit, 16-bit or 64-bit payload length.
#include "edge/ws_frame.hpp"

#include <cstdint>

namespace wsedge::edge {

std::string frame_message(std::string_view payload, bool binary) {
  const std::uint64_t size = payload.size();
  std::string out;
  out.reserve(payload.size() + 10);
  out += static_cast<char>(0x80 | (binary ? 0x2 : 0x1));  // FIN, text or binary
  if (size < 126) {
    out += static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(size >> 8);
    out += static_cast<char>(size & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
  }
  out += payload;
  return out;
}

}  // namespace wsedge::edge
