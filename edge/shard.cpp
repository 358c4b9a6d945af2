// Shard: runs its io_context on its own thread, delivers publishes to its members, ticks timers.
#include "edge/shard.hpp"

#include <algorithm>

#include "edge/delivery.hpp"
#include "edge/hub_state.hpp"
#include "edge/session.hpp"

namespace wsedge::edge {

namespace {

constexpr std::uint16_t close_kicked = 4000;

// One timer per shard walks its sessions: fine enough for the shortest configured timeout,
// never busier than every 10 ms nor lazier than every second.
duration tick_interval(const edge_config& cfg) {
  duration shortest = std::min({cfg.ping_interval, cfg.pong_timeout, cfg.write_timeout});
  return std::clamp(shortest / 4, duration{10}, duration{1000});
}

}  // namespace

shard::shard(std::size_t index, hub_state& hub) : index_(index), hub_(hub) {}

shard::~shard() {
  stop();
}

void shard::start() {
  work_.emplace(context_.get_executor());
  schedule_tick();
  thread_ = std::thread([this] { context_.run(); });
}

void shard::stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
  delayed_writes_.clear();  // while the sessions' io_context still exists
}

void shard::enqueue(std::shared_ptr<delivery> d) {
  std::lock_guard lock(inbox_mutex_);
  inbox_.push_back(std::move(d));
  if (inbox_scheduled_) return;
  inbox_scheduled_ = true;
  net::post(context_, [this] { drain_inbox(); });
}

void shard::drain_inbox() {
  {
    std::lock_guard lock(inbox_mutex_);
    draining_.swap(inbox_);
    inbox_scheduled_ = false;
  }
  delivering_ = true;
  for (auto& d : draining_) deliver(*d);
  draining_.clear();
  delivering_ = false;
  flush_deferred();
}

void shard::flush_deferred() {
  // Sessions cannot end while this handler runs (ending takes a completion), so the pointers
  // are still good.
  const auto delay = hub_.config.write_delay;
  if (delay.count() == 0) {
    for (session* s : deferred_writes_) s->flush();
    deferred_writes_.clear();
    return;
  }
  if (deferred_writes_.empty()) return;
  // A session stays deferred until the window ends, so it is listed once however many
  // deliveries it gets meanwhile.
  // Sessions wait only while a window is open, so an empty list means none is.
  const bool opens_window = delayed_writes_.empty();
  for (session* s : deferred_writes_) delayed_writes_.push_back(s->shared());
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

void shard::add(session& s) {
  sessions_.emplace(s.client_id(), &s);
  std::lock_guard lock(roles_mutex_);
  ++roles_[s.who().role];
}

void shard::remove(session& s) {
  sessions_.erase(s.client_id());
  std::lock_guard lock(roles_mutex_);
  if (--roles_[s.who().role] == 0) roles_.erase(s.who().role);
}

void shard::add_roles_to(std::map<std::string, std::uint64_t>& by_role) const {
  std::lock_guard lock(roles_mutex_);
  for (const auto& [role, count] : roles_) by_role[role] += count;
}

std::string shard::next_client_id() {
  return hub_.node_id + "-" + std::to_string(index_) + "-" + std::to_string(++next_client_);
}

void shard::deliver(delivery& d) {
  std::uint64_t recipients = 0;
  const auto& frame = d.frame();
  switch (d.kind()) {
    case target_kind::room:
      for (session* s : rooms_.members(d.target())) recipients += s->send(frame);
      break;
    case target_kind::client:
      if (auto it = sessions_.find(d.target()); it != sessions_.end())
        recipients += it->second->send(frame);
      break;
    case target_kind::user:
    case target_kind::role:
    case target_kind::all:
      for (const auto& [id, s] : sessions_) {
        const identity& who = s->who();
        bool match = d.kind() == target_kind::all ||
                     (d.kind() == target_kind::user && who.user_id == d.target()) ||
                     (d.kind() == target_kind::role && who.role == d.target());
        if (match) recipients += s->send(frame);
      }
      break;
  }
  d.shard_done(recipients);
}

std::uint64_t shard::kick(kick_selector selector, std::string_view value, std::string_view reason) {
  std::uint64_t kicked = 0;
  if (selector == kick_selector::client_id) {
    if (auto it = sessions_.find(value); it != sessions_.end() && it->second->is_open()) {
      it->second->close(close_kicked, reason);
      kicked = 1;
    }
  } else {
    for (const auto& [id, s] : sessions_) {
      if (s->who().user_id != value || !s->is_open()) continue;
      s->close(close_kicked, reason);
      ++kicked;
    }
  }
  for (std::uint64_t i = 0; i < kicked; ++i) hub_.observer.on_kicked();
  return kicked;
}

void shard::close_all(std::uint16_t code, std::string_view reason) {
  for (const auto& [id, s] : sessions_) s->close(code, reason);
}

void shard::schedule_tick() {
  tick_timer_.expires_after(tick_interval(hub_.config));
  tick_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) on_tick();
  });
}

void shard::on_tick() {
  auto now = std::chrono::steady_clock::now();
  // A tick may end sessions (abort), which only completes later: the map is stable here.
  for (const auto& [id, s] : sessions_) s->on_tick(now);
  schedule_tick();
}

}  // namespace wsedge::edge
