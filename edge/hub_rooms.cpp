// The hub's room queries: a room's kept messages (History) and its members (Presence), each
// answered by the room's owner shard.
#include <boost/json.hpp>

#include "edge/cluster_engine.hpp"
#include "edge/hub.hpp"
#include "edge/json_members.hpp"
#include "edge/node_context.hpp"
#include "edge/shard.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

// A kept frame back into its parts (the frames are the server's own encode_message output).
history_result::message to_message(std::uint64_t seq, const std::string& frame) {
  history_result::message out;
  out.seq = seq;
  const std::string_view json = frame_payload(frame);
  if (auto data = find_raw_member(json, "data")) out.data = *data;
  if (auto from = find_raw_member(json, "from")) {
    boost::json::error_code ec;
    auto value = boost::json::parse(*from, ec);
    if (!ec && value.is_string()) out.from = value.get_string();
  }
  if (auto ts = find_raw_member(json, "ts")) {
    boost::json::error_code ec;
    auto value = boost::json::parse(*ts, ec);
    if (!ec && value.is_int64()) out.ts = value.get_int64();
  }
  return out;
}

}  // namespace

void hub::history(std::string room, std::uint64_t since_seq, std::size_t limit,
                  std::function<void(history_result)> done) const {
  if (cluster_engine* engine = node_->engine()) {
    return engine->read(
        std::move(room), since_seq, limit, false, [done = std::move(done)](engine_read read) {
          history_result result;
          // An unknown room and an unreachable engine both read as not found.
          result.found = read.error.empty() && !read.epoch.empty();
          result.seq = read.seq;
          result.epoch = std::move(read.epoch);
          for (auto& m : read.messages)
            result.messages.push_back({m.seq, std::move(m.data), std::move(m.from), m.ts});
          done(std::move(result));
        });
  }
  shard& owner = node_->owner_of(room);
  owner.post([&owner, room = std::move(room), since_seq, limit, done = std::move(done)] {
    history_result result;
    if (auto page = owner.owned().history(room, since_seq, limit)) {
      result.found = true;
      result.seq = page->seq;
      result.epoch = std::move(page->epoch);
      result.messages.reserve(page->messages.size());
      for (const auto& [seq, frame] : page->messages)
        result.messages.push_back(to_message(seq, *frame));
    }
    done(std::move(result));
  });
}

void hub::presence(std::string room,
                   std::function<void(std::vector<room_member>, bool)> done) const {
  if (cluster_engine* engine = node_->engine())
    return engine->presence_everywhere(std::move(room), std::move(done));
  node_->local_presence(std::move(room), std::move(done));
}

}  // namespace wsedge::edge
