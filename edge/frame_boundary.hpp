// Follows a client's byte stream frame by frame (RFC 6455 §5.2) so that reads can stop where a
// frame ends. A reader that never takes bytes past the frame it is in leaves nothing buffered
// once a message is complete: the connection can then wait for the socket with no read pending.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsedge::edge {

class frame_boundary {
 public:
  // The most bytes that may be read now without passing the end of the current frame header
  // or payload; never 0.
  std::size_t readable() const;
  // Accounts for `size` bytes just read, in order.
  void consumed(const unsigned char* data, std::size_t size);
  // True between frames: everything read so far ends exactly at a frame's end.
  bool at_frame_start() const { return have_ == 0 && payload_left_ == 0; }

 private:
  std::size_t header_size() const;
  std::uint64_t payload_size() const;

  unsigned char header_[14] = {};
  std::size_t have_ = 0;  // header bytes seen of the current frame
  std::uint64_t payload_left_ = 0;
};

}  // namespace wsedge::edge
