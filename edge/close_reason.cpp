// Close reasons: UTF-8 repair and truncation on a character boundary.
#include "edge/close_reason.hpp"

#include <cstdint>

namespace wsedge::edge {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode Table 3-7), or 0.
std::size_t sequence_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return length;
}

}  // namespace

std::string close_reason_text(std::string_view reason) {
  std::string out;
  while (!reason.empty()) {
    std::size_t length = sequence_length(reason);
    std::string_view character = length == 0 ? replacement : reason.substr(0, length);
    if (out.size() + character.size() > max_close_reason_bytes) break;
    out += character;
    reason.remove_prefix(length == 0 ? 1 : length);
  }
  return out;
}

}  // namespace wsedge::edge
