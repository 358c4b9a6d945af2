// Frame header sizes: 2 bytes, then 0, 2 or 8 bytes of extended length, then a 4-byte mask key
// when the MASK bit is set (always, from a client).
#include "edge/frame_boundary.hpp"

#include <algorithm>
#include <limits>

namespace wsedge::edge {

namespace {
// A client frame is masked, so its header is at least 2 + 4 bytes. (An unmasked client frame is
// a protocol error that closes the connection, so reading past its short header is harmless.)
constexpr std::size_t min_client_header = 6;
}  // namespace

std::size_t frame_boundary::header_size() const {
  const std::size_t length7 = header_[1] & 0x7F;
  const std::size_t extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  return 2 + extended + ((header_[1] & 0x80) ? 4 : 0);
}

std::uint64_t frame_boundary::payload_size() const {
  const std::uint64_t length7 = header_[1] & 0x7F;
  if (length7 < 126) return length7;
  const std::size_t bytes = length7 == 126 ? 2 : 8;
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < bytes; ++i) size = (size << 8) | header_[2 + i];
  return size;
}

std::size_t frame_boundary::readable() const {
  if (payload_left_ > 0)
    return static_cast<std::size_t>(
        std::min<std::uint64_t>(payload_left_, std::numeric_limits<std::size_t>::max()));
  if (have_ < 2) return min_client_header - have_;
  return header_size() - have_;
}

void frame_boundary::consumed(const unsigned char* data, std::size_t size) {
  while (size > 0) {
    if (payload_left_ > 0) {
      const auto skip = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, size));
      payload_left_ -= skip;
      data += skip;
      size -= skip;
      continue;
    }
    header_[have_++] = *data++;
    --size;
    if (have_ >= 2 && have_ == header_size()) {
      payload_left_ = payload_size();
      have_ = 0;
    }
  }
}

}  // namespace wsedge::edge
