// Where a client's view of a room stopped: the last seq it saw and the room's epoch then.
#pragma once

#include <cstdint>
#include <string>

namespace wsedge::edge {

struct stream_position {
  std::uint64_t seq = 0;
  std::string epoch;
};

}  // namespace wsedge::edge
