// One room as Stats reports it: its members and its stream position.
#pragma once

#include <cstdint>
#include <string>

namespace wsedge::edge {

struct room_summary {
  std::string room;
  std::uint64_t members = 0;
  std::uint64_t seq = 0;               // the room's last message
  std::uint64_t history_messages = 0;  // messages kept for recovery
  bool operator==(const room_summary&) const = default;
};

}  // namespace wsedge::edge
