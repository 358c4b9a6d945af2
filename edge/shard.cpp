// Shard: runs its io_context on its own thread; owns its sessions, its members of every room and
// the rooms whose owner it is; delivers publishes to its members; ticks timers.
#include "edge/shard.hpp"

#include <algorithm>

#include "edge/delivery.hpp"
#include "edge/node_context.hpp"

namespace wsedge::edge {

namespace {

constexpr std::uint16_t close_kicked = 4000;

thread_local shard* current_shard = nullptr;

// One timer per shard walks its sessions: fine enough for the shortest configured timeout,
// never busier than every 10 ms nor lazier than every second.
duration tick_interval(const edge_config& cfg) {
  duration shortest = std::min({cfg.ping_interval, cfg.pong_timeout, cfg.write_timeout});
  return std::clamp(shortest / 4, duration{10}, duration{1000});
}

// Each owner holds its share of the node's history bound (rooms spread evenly by name); never
// 0 when there is a bound, since 0 means none.
std::size_t shard_history_bound(const edge_config& cfg) {
  if (cfg.history_node_max_bytes == 0) return 0;
  return std::max<std::size_t>(1, cfg.history_node_max_bytes / cfg.threads);
}

}  // namespace

shard::shard(std::size_t index, node_context& node)
    : index_(index),
      node_(node),
      client_id_prefix_(node.node_id() + "-" + std::to_string(index) + "-"),
      owned_(owned_rooms::limits{.shards = node.config().threads,
                                 .history_size = node.config().history_size,
                                 .history_max_bytes = node.config().history_max_bytes,
                                 .history_total_bytes = shard_history_bound(node.config()),
                                 .ttl = node.config().history_ttl}),
      mailbox_(node.config().threads, context_) {}

shard::~shard() {
  stop();
}

void shard::start() {
  work_.emplace(context_.get_executor());
  schedule_tick();
  thread_ = std::thread([this] {
    current_shard = this;
    context_.run();
  });
}

void shard::stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
  // While the sessions' io_context still exists.
  deferred_writes_.clear();
  delayed_writes_.clear();
  // Sessions waiting for an owner's answer: it will never come. Freed after the move (a freed
  // session leaves the maps).
  auto held = std::exchange(held_, {});
  held.clear();
}

void shard::discard() {
  mailbox_.discard();
}

shard* shard::current() {
  return current_shard;
}

void shard::post(shard_mailbox::task work) {
  shard* caller = current_shard;
  mailbox_.push(caller != nullptr ? caller->index_ : mailbox_.external_lane(), std::move(work));
}

void shard::post_to_session(std::uint64_t serial, std::function<void(session&)> work) {
  post([this, serial, work = std::move(work)] {
    if (session* s = find(serial)) work(*s);
  });
}

// --- Sessions ---

shard::registration::registration(registration&& other) noexcept
    : session_(std::exchange(other.session_, nullptr)) {}

shard::registration& shard::registration::operator=(registration&& other) noexcept {
  if (this != &other) {
    if (session_ != nullptr) session_->home().unenroll(*session_);
    session_ = std::exchange(other.session_, nullptr);
  }
  return *this;
}

shard::registration::~registration() {
  if (session_ != nullptr) session_->home().unenroll(*session_);
}

shard::registration shard::enroll(session& s, std::uint64_t& serial) {
  serial = ++next_serial_;
  sessions_.emplace(serial, &s);
  const identity& who = s.who();
  if (!who.user_id.empty()) by_user_[who.user_id].insert(&s);
  // Connections without a role are most of a public node, and "" is no target: not indexed.
  if (!who.role.empty()) by_role_[who.role].insert(&s);
  ++role_counts_[who.role];
  counters_.connections.add(1);
  return registration(&s);
}

void shard::hold(std::shared_ptr<session> s) {
  held_.insert_or_assign(s->serial(), std::move(s));
}

std::shared_ptr<session> shard::release_hold(const session& s) {
  auto held = held_.extract(s.serial());
  return held.empty() ? nullptr : std::move(held.mapped());
}

void shard::unenroll(session& s) {
  sessions_.erase(s.serial());
  const identity& who = s.who();
  auto drop = [&s](string_map<std::string, session_set>& index, const std::string& key) {
    auto it = index.find(key);
    if (it == index.end()) return;
    it->second.erase(&s);
    if (it->second.empty()) index.erase(it);
  };
  if (!who.user_id.empty()) drop(by_user_, who.user_id);
  if (!who.role.empty()) drop(by_role_, who.role);
  if (--role_counts_[who.role] == 0) role_counts_.erase(who.role);
  counters_.connections.add(-1);
}

session* shard::find(std::uint64_t serial) const {
  auto it = sessions_.find(serial);
  return it == sessions_.end() ? nullptr : it->second;
}

void shard::add_roles_to(std::map<std::string, std::uint64_t>& by_role) const {
  for (const auto& [role, count] : role_counts_) by_role[role] += count;
}

// --- Deliveries ---

void shard::deliver(delivery& d) {
  if (!delivering_) {
    delivering_ = true;
    // Runs after the deliveries queued meanwhile: their writes leave together.
    net::post(context_, [this] {
      delivering_ = false;
      flush_deferred();
    });
  }
  // One shard-local reference; every recipient here copies it without an atomic. Compressed
  // members share the deflated frame the same way.
  const frame_ref frame = frame_ref::shared(d.frame());
  const frame_ref deflated = d.deflated() ? frame_ref::shared(d.deflated()) : frame_ref();
  std::uint64_t recipients = 0;
  auto send_to = [&](const session_set& set) {
    for (session* s : set) recipients += s->send(frame, deflated);
  };
  switch (d.kind()) {
    case target_kind::room:
      for (const auto& m : members_.members(d.target())) recipients += m.who->send(frame, deflated);
      break;
    case target_kind::client: {
      std::uint64_t serial = 0;
      if (node_.shard_of_client(d.target(), &serial) == this)
        if (session* s = find(serial)) recipients += s->send(frame, deflated);
      break;
    }
    case target_kind::user:
      if (auto it = by_user_.find(d.target()); it != by_user_.end()) send_to(it->second);
      break;
    case target_kind::role:  // never "" (refused before it gets here)
      if (auto it = by_role_.find(d.target()); it != by_role_.end()) send_to(it->second);
      break;
    case target_kind::all:
      for (const auto& [serial, s] : sessions_) recipients += s->send(frame, deflated);
      break;
  }
  d.shard_done(recipients, node_.observer());
}

void shard::defer_write(session& s) {
  deferred_writes_.push_back(s.shared());
}

void shard::flush_deferred() {
  const auto delay = node_.config().write_delay;
  if (delay.count() == 0) {
    auto sessions = std::move(deferred_writes_);
    deferred_writes_.clear();
    for (auto& s : sessions) s->flush();
    return;
  }
  if (deferred_writes_.empty()) return;
  // A session stays deferred until the window ends, so it is listed once however many
  // deliveries it gets meanwhile. Sessions wait only while a window is open, so an empty list
  // means none is.
  const bool opens_window = delayed_writes_.empty();
  for (auto& s : deferred_writes_) delayed_writes_.push_back(std::move(s));
  deferred_writes_.clear();
  if (opens_window) {
    write_delay_timer_.expires_after(delay);
    write_delay_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) flush_delayed();
    });
  }
}

void shard::flush_delayed() {
  // flush() of a session that ended meanwhile finds nothing queued and does nothing.
  auto sessions = std::move(delayed_writes_);
  delayed_writes_.clear();
  for (auto& s : sessions) s->flush();
}

// --- Kicks, drains, ticks ---

std::uint64_t shard::kick(kick_selector selector, std::string_view value, std::string_view reason) {
  std::vector<session*> chosen;
  if (selector == kick_selector::client_id) {
    std::uint64_t serial = 0;
    if (node_.shard_of_client(value, &serial) == this)
      if (session* s = find(serial)) chosen.push_back(s);
  } else if (auto it = by_user_.find(value); it != by_user_.end()) {
    chosen.assign(it->second.begin(), it->second.end());
  }
  std::uint64_t kicked = 0;
  for (session* s : chosen) {
    if (!s->is_open()) continue;
    s->close(close_kicked, reason, close_mode::flush);
    node_.observer().on_kicked();
    ++kicked;
  }
  return kicked;
}

void shard::close_all(std::uint16_t code, std::string reason, std::chrono::milliseconds spread) {
  drain_order_.clear();
  for (const auto& [serial, s] : sessions_) drain_order_.push_back(serial);
  // Waves every 10 ms across `spread`: thousands of clients do not all reconnect (elsewhere) in
  // the same millisecond.
  constexpr std::chrono::milliseconds wave_interval{10};
  const std::size_t waves = std::max<std::size_t>(1, spread / wave_interval);
  const std::size_t per_wave = std::max<std::size_t>(1, (drain_order_.size() + waves - 1) / waves);
  close_wave(code, std::move(reason), per_wave, wave_interval);
}

void shard::close_wave(std::uint16_t code, std::string reason, std::size_t per_wave,
                       std::chrono::milliseconds interval) {
  for (std::size_t closed = 0; closed < per_wave && !drain_order_.empty();) {
    session* s = find(drain_order_.back());
    drain_order_.pop_back();
    if (s == nullptr || !s->is_open()) continue;
    s->close(code, reason, close_mode::flush);
    ++closed;
  }
  if (drain_order_.empty()) return;
  drain_timer_.expires_after(interval);
  drain_timer_.async_wait(
      [this, code, reason = std::move(reason), per_wave, interval](beast::error_code ec) mutable {
        if (!ec) close_wave(code, std::move(reason), per_wave, interval);
      });
}

void shard::schedule_tick() {
  tick_timer_.expires_after(tick_interval(node_.config()));
  tick_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) on_tick();
  });
}

void shard::on_tick() {
  auto now = std::chrono::steady_clock::now();
  // A tick may close sessions; they end (and unenroll) only in a later handler, but walk a copy
  // so the walk never depends on that.
  ticking_.clear();
  for (const auto& [serial, s] : sessions_) ticking_.push_back(s);
  for (session* s : ticking_) s->on_tick(now);
  // Rooms past their history_ttl, a bounded number per tick.
  const std::size_t history_before = owned_.history_bytes();
  owned_.sweep(now);
  track_history_bytes(history_before);
  schedule_tick();
}

}  // namespace wsedge::edge
