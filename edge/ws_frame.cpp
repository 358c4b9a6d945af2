// WebSocket frame header: FIN + opcode, then a 7-bit, 16-bit or 64-bit payload length.
#include "edge/ws_frame.hpp"

#include <cstdint>

namespace wsedge::edge {

namespace {

// A complete (FIN) unmasked frame with `opcode` (and `reserved` bits: RSV1 for compression).
std::string frame(unsigned char opcode, std::string_view payload, unsigned char reserved = 0) {
  const std::uint64_t size = payload.size();
  std::string out;
  out.reserve(payload.size() + 10);
  out += static_cast<char>(0x80 | reserved | opcode);
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

}  // namespace

std::string frame_message(std::string_view payload, bool binary) {
  return frame(binary ? 0x2 : 0x1, payload);
}

std::string frame_deflated_message(std::string_view deflated, bool binary) {
  constexpr unsigned char rsv1 = 0x40;
  return frame(binary ? 0x2 : 0x1, deflated, rsv1);
}

std::string_view frame_payload(std::string_view frame) {
  if (frame.size() < 2) return {};
  const auto length = static_cast<unsigned char>(frame[1]) & 0x7F;
  const std::size_t header = length < 126 ? 2 : length == 126 ? 4 : 10;
  return frame.size() < header ? std::string_view{} : frame.substr(header);
}

std::string frame_close(std::uint16_t code) {
  const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return frame(0x8, std::string_view(payload, 2));
}

std::string frame_pong(std::string_view payload) {
  return frame(0xA, payload);
}

namespace {
constexpr unsigned char fin_ping = 0x89, fin_pong = 0x8A;
constexpr std::size_t keepalive_header = 2 + 4;  // no extended length below 126; mask key
}  // namespace

std::size_t keepalive_frame_size(std::span<const unsigned char> bytes) {
  if (bytes.empty() || (bytes[0] != fin_ping && bytes[0] != fin_pong)) return 0;
  if (bytes.size() < 2) return bytes.size() + 1;
  if ((bytes[1] & 0x80) == 0 || (bytes[1] & 0x7F) > 125) return 0;
  return keepalive_header + (bytes[1] & 0x7F);
}

std::optional<keepalive_frame> parse_keepalive_frame(std::span<const unsigned char> bytes) {
  constexpr std::size_t header = keepalive_header;
  if (bytes.size() < header) return std::nullopt;
  if (bytes[0] != fin_ping && bytes[0] != fin_pong) return std::nullopt;
  if ((bytes[1] & 0x80) == 0) return std::nullopt;  // a client must mask
  const std::size_t length = bytes[1] & 0x7F;
  if (length > 125 || bytes.size() < header + length) return std::nullopt;
  keepalive_frame frame;
  frame.is_ping = bytes[0] == fin_ping;
  frame.size = header + length;
  frame.payload.resize(length);
  for (std::size_t i = 0; i < length; ++i)
    frame.payload[i] = static_cast<char>(bytes[header + i] ^ bytes[2 + i % 4]);
  return frame;
}

}  // namespace wsedge::edge
