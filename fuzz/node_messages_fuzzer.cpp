// Fuzzes what a node reads from Redis: requests and replies of other nodes, ingest publishes
// and room messages. Whatever decodes is usable (its data valid JSON) and encodes back to a
// message that decodes to the same thing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/protocol.hpp"
#include "engine/redis/node_messages.hpp"
#include "fuzz/fuzz_check.hpp"

namespace redis = wsedge::engine::redis;

namespace {

void check_request(std::string_view text) {
  const auto request = redis::decode_request(text);
  if (!request) return;
  FUZZ_CHECK(!request->from.empty());
  if (request->op == redis::node_op::publish)
    FUZZ_CHECK(wsedge::edge::is_valid_json(request->data));
  const auto again = redis::decode_request(redis::encode(*request));
  FUZZ_CHECK(again && again->op == request->op && again->id == request->id &&
             again->from == request->from && again->kind == request->kind &&
             again->selector == request->selector && again->value == request->value &&
             again->data == request->data && again->reason == request->reason &&
             again->room == request->room);
}

void check_reply(std::string_view text) {
  const auto reply = redis::decode_reply(text);
  if (!reply) return;
  FUZZ_CHECK(!reply->node.empty());
  for (redis::node_op op :
       {redis::node_op::publish, redis::node_op::stats, redis::node_op::presence}) {
    const auto again = redis::decode_reply(redis::encode(op, *reply));
    FUZZ_CHECK(again && again->id == reply->id && again->node == reply->node);
    if (op == redis::node_op::publish) FUZZ_CHECK(again->count == reply->count);
    if (op == redis::node_op::stats)
      FUZZ_CHECK(again->stats.room_stats.size() == reply->stats.room_stats.size() &&
                 again->stats.connections_by_role == reply->stats.connections_by_role);
    if (op == redis::node_op::presence)
      FUZZ_CHECK(again->members.size() == reply->members.size() &&
                 again->truncated == reply->truncated);
  }
}

void check_ingest(std::string_view text) {
  const auto ingest = redis::decode_ingest(text);
  if (ingest) FUZZ_CHECK(wsedge::edge::is_valid_json(ingest->data));
}

void check_room_message(std::string_view text) {
  const auto message = redis::decode_room_message("room", text);
  if (!message) return;
  FUZZ_CHECK(message->room == "room");
  FUZZ_CHECK(message->epoch.find('\n') == std::string::npos &&
             message->from.find('\n') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_request(text);
  check_reply(text);
  check_ingest(text);
  check_room_message(text);
  return 0;
}
