// The hub: the edge's public API, mapped onto shards, the room directory and the listener.
#include "edge/hub.hpp"

#include <absl/strings/str_cat.h>

#include <boost/asio/ssl/context.hpp>
#include <thread>

#include "edge/hub_state.hpp"
#include "edge/listener.hpp"
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

hub::hub(edge_config config, edge_observer& observer, const token_verifier* verifier)
    : state_(std::make_unique<hub_state>(resolved(std::move(config)), observer, verifier)) {
  for (unsigned i = 0; i < state_->config.threads; ++i)
    state_->shards.push_back(std::make_unique<shard>(i, *state_));
}

hub::~hub() {
  stop();
}

absl::Status hub::start() {
  if (state_->config.auth_required && state_->verifier == nullptr)
    return absl::InvalidArgumentError(
        "auth_required: set jwt_secret, jwt_secret_file or jwt_public_key_file");
  beast::error_code ec;
  if (!state_->config.tls_cert_pem.empty()) {
    auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1);
    const auto& cfg = state_->config;
    tls->use_certificate_chain(net::buffer(cfg.tls_cert_pem), ec);
    if (ec) return absl::InvalidArgumentError("tls_cert: not a usable PEM certificate chain");
    tls->use_private_key(net::buffer(cfg.tls_key_pem), net::ssl::context::pem, ec);
    if (ec) return absl::InvalidArgumentError("tls_key: not a PEM private key for tls_cert");
    state_->tls = std::move(tls);
  }
  auto address = net::ip::make_address(state_->config.bind_address, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat("bind_address \"", state_->config.bind_address, "\" is not an IP address"));
  state_->acceptor = std::make_shared<listener>(*state_, state_->shards.front()->context());
  std::string what;
  if (ec = state_->acceptor->open({address, state_->config.ws_port}, what); ec)
    return absl::UnavailableError(absl::StrCat("ws_port: cannot ", what, " ",
                                               state_->config.bind_address, ":",
                                               state_->config.ws_port, ": ", ec.message()));
  for (auto& s : state_->shards) s->start();
  state_->acceptor->run();
  return absl::OkStatus();
}

std::uint16_t hub::ws_port() const {
  return state_->acceptor ? state_->acceptor->port() : 0;
}

absl::Status hub::publish(const publish_target& target, std::string_view data,
                          std::function<void(publish_result)> done) {
  if (auto status = validate_publish(target, data); !status.ok()) return status;
  publish_validated(target, data, std::move(done));
  return absl::OkStatus();
}

absl::Status hub::validate_publish(const publish_target& target, std::string_view data) const {
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
  state_->observer.on_published(publish_source::grpc);
  if (target.kind == target_kind::room)
    state_->publish_room(target.value, data, "", std::move(done));
  else
    state_->publish_matching(target.kind, target.value, data, std::move(done));
}

stats_snapshot hub::stats(std::string_view room) const {
  stats_snapshot out;
  out.connections = state_->connections.load(std::memory_order_relaxed);
  out.rooms = state_->directory.room_count();
  for (const auto& s : state_->shards) {
    out.subscriptions += s->subscriptions();
    out.messages_in += s->messages_in();
    out.messages_out += s->messages_out();
    s->add_roles_to(out.connections_by_role);
  }
  if (room.empty()) {
    out.room_members = state_->directory.snapshot();
  } else if (auto members = state_->directory.members(room); members > 0) {
    out.room_members.emplace_back(std::string(room), members);
  }
  std::chrono::duration<double> up = std::chrono::steady_clock::now() - state_->started;
  out.uptime_seconds = up.count();
  out.shards = state_->shards.size();
  out.draining = state_->draining.load();
  return out;
}

void hub::kick(kick_selector selector, std::string value, std::string reason,
               std::function<void(std::uint64_t)> done) {
  struct kick_job {
    std::string value, reason;
    std::atomic<std::uint64_t> kicked{0};
    std::atomic<std::size_t> shards_left;
    std::function<void(std::uint64_t)> done;
  };
  std::vector<shard*> targets;
  if (selector == kick_selector::client_id) {
    if (shard* home = state_->shard_of_client(value)) targets.push_back(home);
  } else {
    for (auto& s : state_->shards) targets.push_back(s.get());
  }
  if (targets.empty() || value.empty()) {
    if (done) done(0);
    return;
  }
  auto job = std::make_shared<kick_job>();
  job->value = std::move(value);
  job->reason = std::move(reason);
  job->shards_left = targets.size();
  job->done = std::move(done);
  for (shard* s : targets) {
    net::post(s->context(), [s, selector, job] {
      job->kicked += s->kick(selector, job->value, job->reason);
      if (job->shards_left.fetch_sub(1) == 1 && job->done) job->done(job->kicked.load());
    });
  }
}

bool hub::ready() const {
  return state_->acceptor && !state_->draining.load();
}

void hub::drain() {
  // The listener stays open so probes see /readyz 503 and new upgrades get 503 until exit.
  if (state_->draining.exchange(true)) return;
  for (auto& s : state_->shards)
    net::post(s->context(),
              [s = s.get()] { s->close_all(close_going_away, "server is draining"); });
}

bool hub::wait_until_idle(std::chrono::steady_clock::time_point deadline) const {
  while (state_->connections.load() != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void hub::stop() {
  if (state_->acceptor) state_->acceptor->stop();
  for (auto& s : state_->shards) s->stop();
}

}  // namespace wsedge::edge
