// The event log: a retention ring, per-watcher bounded queues, resumption from an id.
#include "edge/event_log.hpp"

#include <algorithm>

namespace wsedge::edge {

namespace {
constexpr std::array<std::string_view, 6> kind_names{"connected", "disconnected",   "joined",
                                                     "left",      "client_message", "gap"};
}  // namespace

std::string_view to_string(client_event_kind kind) {
  return kind_names[static_cast<std::size_t>(kind)];
}

bool client_event_kind_from(std::string_view name, client_event_kind& kind) {
  for (std::size_t i = 0; i < client_event_kind_names.size(); ++i) {
    if (client_event_kind_names[i] != name) continue;
    kind = static_cast<client_event_kind>(i);
    return true;
  }
  return false;
}

event_log::event_ptr event_log::watcher::next() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return nullptr;
  event_ptr event = std::move(queue_.front());
  queue_.pop_front();
  return event;
}

bool event_log::watcher::cut() const {
  std::lock_guard lock(mutex_);
  return cut_;
}

event_log::watcher::pushed event_log::watcher::push(const event_ptr& event) {
  std::lock_guard lock(mutex_);
  if (cut_) return pushed::refused;
  if (queue_.size() >= buffer_) {
    // Fallen too far behind: what it has not taken is dropped now, not held for it.
    cut_ = true;
    queue_ = {};
    return pushed::cut_now;
  }
  queue_.push_back(event);
  return queue_.size() == 1 ? pushed::queued_first : pushed::queued;
}

void event_log::watcher::wake() {
  std::lock_guard lock(wake_mutex_);
  if (wake_) wake_();
}

event_log::event_log(std::size_t retention, std::size_t watcher_buffer, std::uint64_t first_id)
    : retention_(retention),
      watcher_buffer_(std::max<std::size_t>({watcher_buffer, retention + 1, 1})),
      next_id_(first_id) {
  update_active();
}

void event_log::update_active() {
  active_.store(retention_ > 0 || !watchers_.empty(), std::memory_order_relaxed);
}

std::size_t event_log::append(client_event event) {
  std::vector<std::shared_ptr<watcher>> to_wake;
  std::size_t taken = 0;
  {
    std::lock_guard lock(mutex_);
    const client_event_kind kind = event.kind;
    event.id = next_id_++;
    auto shared = std::make_shared<const client_event>(std::move(event));
    for (const auto& w : watchers_) {
      if (!w->filter_.wants(*shared)) continue;
      switch (w->push(shared)) {
        case watcher::pushed::queued:
          ++taken;
          break;
        case watcher::pushed::queued_first:
          ++taken;
          to_wake.push_back(w);
          break;
        case watcher::pushed::cut_now:
          ++cut_;
          to_wake.push_back(w);
          break;
        case watcher::pushed::refused:
          break;
      }
    }
    if (kind == client_event_kind::client_message && taken == 0) {
      // Refused (the client hears no_receiver): no watcher saw its id, which is given back, and
      // it is not retained, so a backend resuming later never sees what the client was told
      // reached nobody.
      --next_id_;
    } else {
      if (kind != client_event_kind::gap) ++appended_[static_cast<std::size_t>(kind)];
      if (retention_ > 0) {
        if (retained_.size() == retention_) retained_.pop_front();
        retained_.push_back(std::move(shared));
      }
    }
  }
  for (const auto& w : to_wake) w->wake();
  return taken;
}

std::shared_ptr<event_log::watcher> event_log::watch(event_filter filter, std::uint64_t after_id,
                                                     std::function<void()> wake) {
  std::shared_ptr<watcher> w(new watcher(std::move(filter), watcher_buffer_, std::move(wake)));
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (after_id != 0) {
      const std::uint64_t oldest = retained_.empty() ? next_id_ : retained_.front()->id;
      if (after_id + 1 < oldest) {
        auto gap = std::make_shared<client_event>();
        gap->kind = client_event_kind::gap;
        // The id of the last event lost: resuming after the gap resumes without another.
        gap->id = oldest - 1;
        gap->gap_after = after_id;
        gap->gap_resume = oldest;
        w->push(gap);
        queued = true;
      }
      // The retained events after `after_id`, by id (the ring is in id order).
      auto first =
          std::upper_bound(retained_.begin(), retained_.end(), after_id,
                           [](std::uint64_t id, const event_ptr& e) { return id < e->id; });
      for (auto it = first; it != retained_.end(); ++it) {
        if (!w->filter_.wants(**it)) continue;
        w->push(*it);
        queued = true;
      }
    }
    watchers_.push_back(w);
    update_active();
  }
  if (queued) w->wake();
  return w;
}

void event_log::unwatch(const std::shared_ptr<watcher>& w) {
  {
    std::lock_guard lock(mutex_);
    std::erase(watchers_, w);
    update_active();
  }
  std::lock_guard lock(w->wake_mutex_);
  w->wake_ = nullptr;
}

event_log::counts event_log::snapshot() const {
  std::lock_guard lock(mutex_);
  return {watchers_.size(), appended_, cut_, retained_.size()};
}

}  // namespace wsedge::edge
