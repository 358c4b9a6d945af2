// A client's WebSocket frame on the wire (RFC 6455 §5.2): `first_byte` (FIN, RSV bits, opcode)
// as given, the MASK bit, a 7-, 16- or 64-bit length, a fixed mask key and the masked payload.
// Header-only, for unit tests and the integration tests' raw writes alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsedge::testing {

inline std::string client_frame(unsigned char first_byte, std::string_view payload) {
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  const std::uint64_t size = payload.size();
  std::string frame(1, static_cast<char>(first_byte));
  if (size < 126) {
    frame += static_cast<char>(0x80 | size);
  } else if (size <= 0xFFFF) {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>(size >> 8);
    frame += static_cast<char>(size & 0xFF);
  } else {
    frame += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xFF);
  }
  for (unsigned char k : key) frame += static_cast<char>(k);
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ key[i % 4]);
  return frame;
}

}  // namespace wsedge::testing
