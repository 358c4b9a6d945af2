// The rooms one shard owns when a cluster engine numbers their messages: for each room with
// members on this node, the epoch and the seq this node has delivered up to (so a message that
// both a join's read and the room's subscription bring is delivered once), and the joins still
// waiting for the engine's read (each collects what is delivered meanwhile). Shard thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/cluster_engine.hpp"
#include "edge/string_map.hpp"

namespace wsedge::edge {

class engine_rooms {
 public:
  using frame = std::shared_ptr<const std::string>;
  struct waiting_join {
    std::uint64_t ticket = 0;
    std::vector<std::pair<std::uint64_t, frame>> delivered;  // while its read was on its way
  };
  struct room {
    std::string epoch;
    std::uint64_t delivered = 0;
    // `delivered` is a real position in `epoch` (so a later seq past delivered + 1 is a gap).
    bool positioned = false;
    std::vector<waiting_join> waiting;
    // A gap (a lost subscription, a restore) is being filled from history: live messages wait
    // here meanwhile, to follow what the read brings.
    bool resyncing = false;
    std::vector<engine_message> held;
  };

  room& open(std::string_view name) { return rooms_[std::string(name)]; }
  room* find(std::string_view name) {
    auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second;
  }
  const room* find(std::string_view name) const {
    auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second;
  }
  // Forgets the room (its last member here left and no join waits).
  void close(std::string_view name) {
    if (auto it = rooms_.find(name); it != rooms_.end()) rooms_.erase(it);
  }
  std::uint64_t wait(room& r) {
    r.waiting.push_back({++last_ticket_, {}});
    return last_ticket_;
  }
  // Takes the waiting join `ticket` out of the room (an empty one when it is not there).
  static waiting_join take(room& r, std::uint64_t ticket) {
    for (auto it = r.waiting.begin(); it != r.waiting.end(); ++it) {
      if (it->ticket != ticket) continue;
      waiting_join w = std::move(*it);
      r.waiting.erase(it);
      return w;
    }
    return {};
  }
  std::size_t size() const { return rooms_.size(); }

 private:
  string_map<std::string, room> rooms_;
  std::uint64_t last_ticket_ = 0;
};

}  // namespace wsedge::edge
