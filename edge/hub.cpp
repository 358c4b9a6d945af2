// The hub: the edge's public API, mapped onto the node's shards and listener.
#include "edge/hub.hpp"

#include <absl/strings/str_cat.h>

#include <boost/asio/ssl/context.hpp>
#include <mutex>
#include <thread>

#include "edge/cluster_engine.hpp"
#include "edge/listener.hpp"
#include "edge/node_context.hpp"
#include "edge/protocol.hpp"
#include "edge/room_name.hpp"
#include "edge/shard.hpp"

namespace wsedge::edge {

namespace {

constexpr std::uint16_t close_going_away = 1001;

edge_config resolved(edge_config config) {
  if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
  return config;
}

}  // namespace

hub::hub(edge_config config, edge_observer& observer, const token_verifier* verifier,
         cluster_engine* engine)
    : node_(std::make_unique<node_context>(resolved(std::move(config)), observer, verifier,
                                           engine)) {}

hub::~hub() {
  stop();
}

absl::Status hub::start() {
  const auto& cfg = node_->config();
  if (cfg.auth_required && node_->verifier() == nullptr)
    return absl::InvalidArgumentError(
        "auth_required: set jwt_secret, jwt_secret_file or jwt_public_key_file");
  beast::error_code ec;
  if (!cfg.tls_cert_pem.empty()) {
    auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1);
    tls->use_certificate_chain(net::buffer(cfg.tls_cert_pem), ec);
    if (ec) return absl::InvalidArgumentError("tls_cert: not a usable PEM certificate chain");
    tls->use_private_key(net::buffer(cfg.tls_key_pem), net::ssl::context::pem, ec);
    if (ec) return absl::InvalidArgumentError("tls_key: not a PEM private key for tls_cert");
    node_->tls = std::move(tls);
  }
  auto address = net::ip::make_address(cfg.bind_address, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat("bind_address \"", cfg.bind_address, "\" is not an IP address"));
  node_->acceptor = std::make_shared<listener>(*node_, node_->shard_at(0).context());
  std::string what;
  if (ec = node_->acceptor->open({address, cfg.ws_port}, what); ec)
    return absl::UnavailableError(absl::StrCat("ws_port: cannot ", what, " ", cfg.bind_address, ":",
                                               cfg.ws_port, ": ", ec.message()));
  for (auto& s : node_->shards()) s->start();
  node_->start_engine();
  node_->acceptor->run();
  return absl::OkStatus();
}

std::uint16_t hub::ws_port() const {
  return node_->acceptor ? node_->acceptor->port() : 0;
}

edge_metrics hub::metrics() const {
  return node_->metrics();
}

std::size_t hub::shard_count() const {
  return node_->shard_count();
}

absl::Status hub::publish(const publish_target& target, std::string_view data,
                          std::function<void(publish_result)> done) {
  if (auto status = validate_publish(target, data); !status.ok()) return status;
  publish_validated(target, data, std::move(done));
  return absl::OkStatus();
}

absl::Status hub::validate_publish(const publish_target& target, std::string_view data) const {
  return check_publish(target, data);
}

absl::Status check_publish(const publish_target& target, std::string_view data) {
  if (!is_valid_json(data)) return absl::InvalidArgumentError("data is not valid JSON text");
  switch (target.kind) {
    case target_kind::room:
      if (!is_valid_room_name(target.value))
        return absl::InvalidArgumentError(
            "target.room must be 1-128 characters of A-Z a-z 0-9 _ - . : @ /");
      break;
    case target_kind::user:
    case target_kind::role:
    case target_kind::client:
      if (target.value.empty())
        return absl::InvalidArgumentError("the target's user_id, role or client_id is empty");
      break;
    case target_kind::all:
      break;
  }
  return absl::OkStatus();
}

void hub::publish_validated(const publish_target& target, std::string_view data,
                            std::function<void(publish_result)> done) {
  if (target.kind == target_kind::room)
    return node_->publish_room(target.value, std::string(data), std::move(done));
  if (cluster_engine* engine = node_->engine()) {
    return engine->publish_everywhere(
        target.kind, target.value, std::string(data),
        [done = std::move(done)](std::string error, gathered_count n) {
          if (!done) return;
          publish_result result;
          result.recipients = n.count;
          result.nodes_missing = std::move(n.nodes_missing);
          result.error = std::move(error);
          done(std::move(result));
        });
  }
  node_->publish_matching(target.kind, target.value, data, std::move(done));
}

const std::string& hub::node_id() const {
  return node_->node_id();
}

void hub::stats(std::string room, std::function<void(stats_snapshot)> done) const {
  if (cluster_engine* engine = node_->engine())
    return engine->stats_everywhere(std::move(room), std::move(done));
  node_->local_stats(std::move(room), std::move(done));
}

void hub::kick(kick_selector selector, std::string value, std::string reason,
               std::function<void(kick_result)> done) {
  if (cluster_engine* engine = node_->engine()) {
    return engine->kick_everywhere(selector, std::move(value), std::move(reason),
                                   [done = std::move(done)](gathered_count n) {
                                     if (done) done({n.count, std::move(n.nodes_missing)});
                                   });
  }
  node_->local_kick(selector, std::move(value), std::move(reason),
                    [done = std::move(done)](std::uint64_t kicked) {
                      if (done) done({kicked, {}});
                    });
}

std::shared_ptr<event_log::watcher> hub::watch_events(event_filter filter, std::uint64_t after_id,
                                                      std::function<void()> wake) {
  return node_->events().watch(std::move(filter), after_id, std::move(wake));
}

void hub::unwatch_events(const std::shared_ptr<event_log::watcher>& watcher) {
  node_->events().unwatch(watcher);
}

bool hub::events_serving() const {
  return node_->events().serving();
}

const std::string& hub::node_name() const {
  return node_->config().node_name;
}

bool hub::engine_up() const {
  cluster_engine* engine = node_->engine();
  return engine == nullptr || engine->up();
}

void hub::drain() {
  // The listener stays open so probes see /readyz 503 and new upgrades get 503 until exit.
  if (!node_->start_draining()) return;
  const auto spread =
      std::chrono::duration_cast<std::chrono::milliseconds>(node_->config().drain_timeout / 4);
  for (auto& s : node_->shards())
    s->post(
        [s = s.get(), spread] { s->close_all(close_going_away, "server is draining", spread); });
}

bool hub::wait_until_idle(std::chrono::steady_clock::time_point deadline) const {
  auto open = [this] {
    std::uint64_t connections = 0;
    for (auto& s : node_->shards()) connections += s->counters().connections.get();
    return connections;
  };
  while (open() != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void hub::stop() {
  if (node_->acceptor) node_->acceptor->stop();
  node_->stop_engine();
  for (auto& s : node_->shards()) s->stop();
  for (auto& s : node_->shards()) s->discard();
}

}  // namespace wsedge::edge
