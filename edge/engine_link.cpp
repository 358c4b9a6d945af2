// The engine's requests, mapped onto the node's own (single-node) operations.
#include "edge/engine_link.hpp"

#include "edge/node_context.hpp"
#include "edge/shard.hpp"

namespace wsedge::edge {

void engine_link::local_publish(target_kind kind, std::string value, std::string data,
                                std::function<void(std::uint64_t)> done) {
  node_.publish_matching(kind, std::move(value), data,
                         [done = std::move(done)](publish_result r) { done(r.recipients); });
}

void engine_link::local_kick(kick_selector selector, std::string value, std::string reason,
                             std::function<void(std::uint64_t)> done) {
  node_.local_kick(selector, std::move(value), std::move(reason), std::move(done));
}

void engine_link::local_stats(std::string room, std::function<void(stats_snapshot)> done) {
  node_.local_stats(std::move(room), std::move(done));
}

void engine_link::local_presence(std::string room,
                                 std::function<void(std::vector<room_member>, bool)> done) {
  node_.local_presence(std::move(room), std::move(done));
}

void engine_link::on_room_message(engine_message message) {
  shard& owner = node_.owner_of(message.room);
  owner.post([&owner, message = std::move(message)]() mutable {
    owner.engine_deliver(std::move(message));
  });
}

void engine_link::on_room_resubscribed(std::string room) {
  shard& owner = node_.owner_of(room);
  owner.post([&owner, room = std::move(room)] { owner.engine_resubscribed(room); });
}

void engine_link::ingest(publish_target target, std::string data) {
  if (!check_publish(target, data).ok()) return node_.observer().on_error("ingest_invalid");
  if (target.kind == target_kind::room)
    return node_.publish_room(std::move(target.value), std::move(data), nullptr);
  node_.engine()->publish_everywhere(target.kind, std::move(target.value), std::move(data),
                                     [](std::string, gathered_count) {});
}

void engine_link::count_error(std::string_view kind) {
  node_.observer().on_error(kind);
}

void engine_link::on_events(std::vector<client_event> events, bool history) {
  node_.events().receive(std::move(events), history);
}

}  // namespace wsedge::edge
