// Node context: routing publishes to owner shards and client ids to their shards.
#include "edge/node_context.hpp"

#include <absl/strings/str_format.h>

#include <boost/asio/ssl/context.hpp>
#include <charconv>
#include <random>

#include "edge/cluster_engine.hpp"
#include "edge/delivery.hpp"
#include "edge/engine_link.hpp"
#include "edge/listener.hpp"
#include "edge/owned_rooms.hpp"
#include "edge/protocol.hpp"
#include "edge/shard.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

std::string random_node_id() {
  std::random_device random;
  return absl::StrFormat("%08x", random());
}

// Event ids start at the start time in microseconds: a restarted node continues above the ids
// it used before (it would need a million events a second to catch up with the clock).
std::uint64_t first_event_id() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

node_context::node_context(edge_config cfg, edge_observer& obs, const token_verifier* verifier,
                           cluster_engine* engine)
    : connect_limiter(cfg.connect_rate_per_ip, cfg.connect_burst_per_ip),
      config_(std::move(cfg)),
      counting_(obs),
      verifier_(verifier),
      engine_(engine),
      node_id_(random_node_id()),
      events_(config_.events_retention, config_.event_watcher_buffer, first_event_id()),
      deflater_(
          {config_.permessage_deflate, config_.compression_min_bytes, config_.compression_level}) {
  for (unsigned i = 0; i < config_.threads; ++i)
    shards_.push_back(std::make_unique<shard>(i, *this));
  if (engine_ != nullptr) {
    events_.join_cluster({.forward =
                              [engine](client_event event, event_log::message_answer done) {
                                engine->append_event(std::move(event), std::move(done));
                              },
                          .watchers_changed =
                              [engine](std::vector<event_filter> filters) {
                                engine->set_event_watchers(std::move(filters));
                              }});
  }
}

node_context::~node_context() {
  stop_engine();
  for (auto& s : shards_) s->stop();
  for (auto& s : shards_) s->discard();
  // Before the shards' io_contexts go: the listener's acceptor and timer live on shard 0's.
  acceptor.reset();
  tls.reset();
}

shard& node_context::owner_of(std::string_view room) const {
  return *shards_[owner_shard(room, shards_.size())];
}

edge_metrics node_context::metrics() const {
  edge_metrics total;
  for (const auto& s : shards_) {
    s->counters().add_to(total);
    total.mailbox_tasks.push_back(s->mailbox_waiting());
  }
  counting_.add_external_to(total);
  if (engine_ != nullptr) total.engine = engine_->metrics();
  const event_log::counts events = events_.snapshot();
  total.event_watchers = events.watchers;
  total.events = events.events;
  total.event_watchers_cut = events.watchers_cut;
  total.events_lost = events.lost;
  const deflate_figures deflated = deflater_.figures();
  total.compressed_connections = deflated.connections;
  total.messages_deflated = deflated.messages;
  total.deflate_bytes_in = deflated.bytes_in;
  total.deflate_bytes_out = deflated.bytes_out;
  return total;
}

bool node_context::start_engine() {
  if (engine_ == nullptr) return false;
  engine_link_ = std::make_unique<engine_link>(*this);
  engine_->start(*engine_link_);
  return true;
}

void node_context::stop_engine() {
  if (engine_ == nullptr || !engine_link_) return;
  engine_->stop();
  engine_link_.reset();
}

void node_context::publish_room(std::string room, std::string data,
                                std::function<void(publish_result)> done) {
  if (engine_ != nullptr) {
    counting_.on_published(publish_source::grpc);
    return engine_->publish_room(std::move(room), std::move(data), {}, now_unix_ms(),
                                 [done = std::move(done)](engine_publish_result r) {
                                   if (!r.error.empty()) r.result.error = std::move(r.error);
                                   if (done) done(std::move(r.result));
                                 });
  }
  shard& owner = owner_of(room);
  owner.post([this, &owner, room = std::move(room), data = std::move(data),
              done = std::move(done)]() mutable {
    // Counted here, on a shard, rather than on the calling gRPC thread.
    counting_.on_published(publish_source::grpc);
    owner.owner_publish(std::move(room), std::move(data), {}, std::move(done), std::nullopt);
  });
}

void node_context::publish_matching(target_kind kind, std::string value, std::string_view data,
                                    std::function<void(publish_result)> done) {
  auto frame = std::make_shared<const std::string>(
      frame_message(encode_message("", 0, data, "", now_unix_ms())));
  if (kind == target_kind::client) {
    shard* home = shard_of_client(value);
    if (home == nullptr) {
      counting_.on_published(publish_source::grpc);
      if (done) done({});
      return;
    }
    auto deflated = deflater_.deflate_shared(*frame);
    auto d = std::make_shared<delivery>(kind, std::move(value), std::move(frame),
                                        std::move(deflated), 1, std::move(done));
    home->post([this, home, d] {
      counting_.on_published(publish_source::grpc);
      home->deliver(*d);
    });
    return;
  }
  auto deflated = deflater_.deflate_shared(*frame);
  auto d = std::make_shared<delivery>(kind, std::move(value), std::move(frame), std::move(deflated),
                                      static_cast<std::uint32_t>(shards_.size()), std::move(done));
  for (auto& s : shards_) {
    s->post([this, s = s.get(), d, first = s == shards_.front()] {
      if (first) counting_.on_published(publish_source::grpc);
      s->deliver(*d);
    });
  }
}

shard* node_context::shard_of_client(std::string_view client_id, std::uint64_t* serial) const {
  // Client ids read "<node>-<shard>-<serial>".
  if (!client_id.starts_with(node_id_) || client_id.size() <= node_id_.size() + 1 ||
      client_id[node_id_.size()] != '-')
    return nullptr;
  std::string_view rest = client_id.substr(node_id_.size() + 1);
  std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return nullptr;
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + dash, index);
  if (ec != std::errc{} || end != rest.data() + dash || index >= shards_.size()) return nullptr;
  std::uint64_t number = 0;
  std::string_view tail = rest.substr(dash + 1);
  auto [tail_end, tail_ec] = std::from_chars(tail.data(), tail.data() + tail.size(), number);
  if (tail_ec != std::errc{} || tail_end != tail.data() + tail.size()) return nullptr;
  if (serial != nullptr) *serial = number;
  return shards_[index].get();
}

connection_slot node_context::take_connection_slot() {
  const std::size_t limit = config_.max_connections;
  std::size_t open = connections_.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && open >= limit) return {};
  } while (!connections_.compare_exchange_weak(open, open + 1, std::memory_order_relaxed));
  return connection_slot(this);
}

void node_context::release_connection_slot() {
  connections_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace wsedge::edge

namespace wsedge::edge {

connection_slot::~connection_slot() {
  if (node_ != nullptr) node_->release_connection_slot();
}

}  // namespace wsedge::edge
