// Publishing paths shared by the gRPC-facing hub and client sessions.
#include "edge/hub_state.hpp"

#include <absl/strings/str_format.h>

#include <boost/asio/ssl/context.hpp>
#include <charconv>
#include <random>

#include "edge/delivery.hpp"
#include "edge/listener.hpp"
#include "edge/protocol.hpp"
#include "edge/shard.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

std::string random_node_id() {
  std::random_device random;
  return absl::StrFormat("%08x", random());
}

}  // namespace

hub_state::hub_state(edge_config cfg, edge_observer& obs, const token_verifier* token_check)
    : config(std::move(cfg)),
      observer(obs),
      verifier(token_check),
      directory(config.threads, obs),
      connect_limiter(config.connect_rate_per_ip, config.connect_burst_per_ip),
      node_id(random_node_id()) {}

hub_state::~hub_state() {
  for (auto& s : shards) s->stop();
}

std::uint64_t hub_state::publish_room(std::string_view room, std::string_view data,
                                      std::string_view from,
                                      std::function<void(publish_result)> done) {
  std::uint64_t seq = directory.publish(
      room, [&](std::uint64_t assigned, std::span<const std::uint32_t> per_shard) {
        // Encoded once; every recipient on every shard shares this one frame.
        auto frame = std::make_shared<const std::string>(
            frame_message(encode_message(room, assigned, data, from, now_unix_ms())));
        auto holding = static_cast<std::uint32_t>(
            std::count_if(per_shard.begin(), per_shard.end(), [](auto n) { return n > 0; }));
        auto d = std::make_shared<delivery>(target_kind::room, std::string(room), std::move(frame),
                                            holding, observer, std::move(done));
        d->set_seq(assigned);
        // Still under the room's lock: each shard's queue gets this room's frames in seq order.
        for (std::size_t i = 0; i < per_shard.size(); ++i)
          if (per_shard[i] > 0) shards[i]->enqueue(d);
      });
  if (seq == 0 && done) done({0, 0});
  return seq;
}

void hub_state::publish_matching(target_kind kind, std::string value, std::string_view data,
                                 std::function<void(publish_result)> done) {
  auto frame = std::make_shared<const std::string>(
      frame_message(encode_message("", 0, data, "", now_unix_ms())));
  if (kind == target_kind::client) {
    shard* home = shard_of_client(value);
    if (home == nullptr) {
      if (done) done({0, 0});
      return;
    }
    home->enqueue(std::make_shared<delivery>(kind, std::move(value), std::move(frame), 1, observer,
                                             std::move(done)));
    return;
  }
  auto d = std::make_shared<delivery>(kind, std::move(value), std::move(frame),
                                      static_cast<std::uint32_t>(shards.size()), observer,
                                      std::move(done));
  for (auto& s : shards) s->enqueue(d);
}

shard* hub_state::shard_of_client(std::string_view client_id) const {
  // Client ids read "<node>-<shard>-<n>".
  if (!client_id.starts_with(node_id) || client_id.size() <= node_id.size() + 1 ||
      client_id[node_id.size()] != '-')
    return nullptr;
  std::string_view rest = client_id.substr(node_id.size() + 1);
  std::size_t dash = rest.find('-');
  std::size_t index = 0;
  if (dash == std::string_view::npos) return nullptr;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + dash, index);
  if (ec != std::errc{} || end != rest.data() + dash || index >= shards.size()) return nullptr;
  return shards[index].get();
}

}  // namespace wsedge::edge
