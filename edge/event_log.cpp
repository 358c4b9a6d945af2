// The event log: a retention ring, per-watcher bounded queues, resumption from an id.
#include "edge/event_log.hpp"

#include <algorithm>

namespace wsedge::edge {

namespace {
constexpr std::array<std::string_view, 6> kind_names{"connected", "disconnected",   "joined",
                                                     "left",      "client_message", "gap"};
// The events after `after` and before `resume` cannot be given; its id is the last one lost, so
// resuming after the gap resumes without another.
event_log::event_ptr gap_event(std::uint64_t after, std::uint64_t resume) {
  auto gap = std::make_shared<client_event>();
  gap->kind = client_event_kind::gap;
  gap->id = resume - 1;
  gap->gap_after = after;
  gap->gap_resume = resume;
  return gap;
}

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
  active_.store(clustered() || retention_ > 0 || !watchers_.empty(), std::memory_order_relaxed);
}

bool event_log::queue(const std::shared_ptr<watcher>& w, const event_ptr& event,
                      std::vector<std::shared_ptr<watcher>>& to_wake) {
  switch (w->push(event)) {
    case watcher::pushed::queued:
      return true;
    case watcher::pushed::queued_first:
      to_wake.push_back(w);
      return true;
    case watcher::pushed::cut_now:
      ++cut_;
      to_wake.push_back(w);
      return false;
    case watcher::pushed::refused:
      return false;
  }
  return false;
}

bool event_log::offer(const std::shared_ptr<watcher>& w, const event_ptr& event,
                      std::vector<std::shared_ptr<watcher>>& to_wake) {
  if (event->id <= w->at_) return false;  // it resumed after this one
  // Ids it never saw since its position (trimmed, or a stream that began again): said first.
  if (w->at_ != 0 && event->id > w->at_ + 1) queue(w, gap_event(w->at_, event->id), to_wake);
  w->at_ = event->id;
  return w->filter_.wants(*event) && queue(w, event, to_wake);
}

std::size_t event_log::deliver(const event_ptr& event,
                               std::vector<std::shared_ptr<watcher>>& to_wake) {
  std::size_t taken = 0;
  for (const auto& w : watchers_) {
    if (!w->awaits_history_ && offer(w, event, to_wake)) ++taken;
  }
  return taken;
}

bool event_log::wanted(const client_event& event) const {
  return std::any_of(watchers_.begin(), watchers_.end(), [&](const auto& w) {
    return !w->awaits_history_ && w->filter_.wants(event) && !w->cut();
  });
}

void event_log::retain(event_ptr event) {
  if (retention_ == 0) return;
  if (retained_.size() == retention_) retained_.pop_front();
  retained_.push_back(std::move(event));
}

std::size_t event_log::append(client_event event) {
  std::vector<std::shared_ptr<watcher>> to_wake;
  std::size_t taken = 0;
  {
    std::lock_guard lock(mutex_);
    const client_event_kind kind = event.kind;
    // A client message nobody wants is refused (the client hears no_receiver) before it gets an
    // id: it is not retained, so a backend resuming later never sees what the client was told
    // reached nobody.
    if (kind == client_event_kind::client_message && !wanted(event)) return 0;
    event.id = next_id_++;
    auto shared = std::make_shared<const client_event>(std::move(event));
    taken = deliver(shared, to_wake);
    if (kind == client_event_kind::client_message && taken == 0) {
      // Its only watchers overflowed on it: refused all the same, and its id given back.
      --next_id_;
      for (const auto& w : watchers_)
        if (w->at_ == shared->id) w->at_ = shared->id - 1;
    } else {
      ++appended_[static_cast<std::size_t>(kind)];
      retain(std::move(shared));
    }
  }
  for (const auto& w : to_wake) w->wake();
  return taken;
}

void event_log::join_cluster(cluster_link link) {
  std::lock_guard lock(mutex_);
  cluster_ = std::move(link);
  // Watchers may be on other nodes: everything is forwarded (the engine drops what nobody
  // retains or watches).
  active_.store(true, std::memory_order_relaxed);
}

void event_log::record(client_event event) {
  if (!clustered()) {
    append(std::move(event));
    return;
  }
  const auto kind = static_cast<std::size_t>(event.kind);
  {
    std::lock_guard lock(mutex_);
    ++appended_[kind];
  }
  cluster_.forward(std::move(event), [this](bool, const std::string& error) {
    if (error.empty()) return;
    std::lock_guard lock(mutex_);
    ++lost_;
  });
}

void event_log::record_message(client_event event, message_answer done) {
  if (!clustered()) {
    const bool taken = append(std::move(event)) > 0;
    done(taken, {});
    return;
  }
  cluster_.forward(std::move(event), [this, done = std::move(done)](bool taken, std::string error) {
    if (taken && error.empty()) {
      std::lock_guard lock(mutex_);
      ++appended_[static_cast<std::size_t>(client_event_kind::client_message)];
    }
    done(taken, std::move(error));
  });
}

void event_log::receive(std::vector<client_event> events, bool history) {
  std::vector<std::shared_ptr<watcher>> to_wake;
  {
    std::lock_guard lock(mutex_);
    for (client_event& event : events) {
      if (seen_any_ && event.id < next_id_) continue;  // read again after a reconnection
      auto shared = std::make_shared<const client_event>(std::move(event));
      if (!history) deliver(shared, to_wake);
      next_id_ = shared->id + 1;
      seen_any_ = true;
      retain(std::move(shared));
    }
    if (history && !history_read_) {
      history_read_ = true;
      for (const auto& w : watchers_) {
        if (w->awaits_history_) {
          w->awaits_history_ = false;
          replay(w, w->at_, to_wake);
        } else if (w->at_ == 0 && seen_any_) {
          w->at_ = next_id_ - 1;  // from now on: the tail is what came before
        }
      }
    }
  }
  for (const auto& w : to_wake) w->wake();
}

bool event_log::replay(const std::shared_ptr<watcher>& w, std::uint64_t after_id,
                       std::vector<std::shared_ptr<watcher>>& to_wake) {
  w->at_ = after_id;
  bool queued = false;
  // The retained events after `after_id`, by id (the ring is in id order), a gap first where
  // ids are missing (no longer retained, or never read by this node).
  auto first = std::upper_bound(retained_.begin(), retained_.end(), after_id,
                                [](std::uint64_t id, const event_ptr& e) { return id < e->id; });
  for (auto it = first; it != retained_.end(); ++it) queued = offer(w, *it, to_wake) || queued;
  // Events after its position that are not retained at all (none kept, or all after it lost).
  const bool known = seen_any_ || !clustered();
  if (known && next_id_ - 1 > w->at_) {
    queue(w, gap_event(w->at_, next_id_), to_wake);
    w->at_ = next_id_ - 1;
    queued = true;
  }
  return queued;
}

void event_log::tell_watchers() {
  if (!cluster_.watchers_changed) return;
  std::vector<event_filter> filters;
  filters.reserve(watchers_.size());
  for (const auto& w : watchers_) filters.push_back(w->filter_);
  cluster_.watchers_changed(std::move(filters));
}

std::shared_ptr<event_log::watcher> event_log::watch(event_filter filter, std::uint64_t after_id,
                                                     std::function<void()> wake) {
  std::shared_ptr<watcher> w(new watcher(std::move(filter), watcher_buffer_, std::move(wake)));
  std::vector<std::shared_ptr<watcher>> to_wake;
  {
    std::lock_guard lock(mutex_);
    if (after_id != 0 && clustered() && !history_read_) {
      // Served when the tail is read (receive).
      w->awaits_history_ = true;
      w->at_ = after_id;
    } else if (after_id != 0) {
      replay(w, after_id, to_wake);
    } else if (seen_any_ || !clustered()) {
      w->at_ = next_id_ - 1;  // from now on
    }
    watchers_.push_back(w);
    update_active();
    tell_watchers();
  }
  if (!to_wake.empty()) w->wake();
  return w;
}

bool event_log::serving() const {
  std::lock_guard lock(mutex_);
  return !clustered() || history_read_;
}

void event_log::unwatch(const std::shared_ptr<watcher>& w) {
  {
    std::lock_guard lock(mutex_);
    std::erase(watchers_, w);
    update_active();
    tell_watchers();
  }
  std::lock_guard lock(w->wake_mutex_);
  w->wake_ = nullptr;
}

event_log::counts event_log::snapshot() const {
  std::lock_guard lock(mutex_);
  return {watchers_.size(), appended_, cut_, retained_.size(), lost_};
}

}  // namespace wsedge::edge
