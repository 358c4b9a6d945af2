// The node's event log: the last `retention` client events, and the watchers that stream them.
// Thread-safe: shards append, gRPC threads watch and take. One lock per event appended (events
// are per connection and per client request, never per delivery).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "edge/client_event.hpp"

namespace wsedge::edge {

class event_log {
 public:
  using event_ptr = std::shared_ptr<const client_event>;

  // One watcher's queue, bounded by `buffer` events: a watcher that falls that far behind is
  // cut (its queue dropped, nothing more queued), so it never holds the edge's memory.
  class watcher {
   public:
    // Any thread: the next event, or nullptr when none is queued (or after a cut).
    event_ptr next();
    bool cut() const;

   private:
    friend class event_log;
    watcher(event_filter filter, std::size_t buffer, std::function<void()> wake)
        : filter_(std::move(filter)), buffer_(buffer), wake_(std::move(wake)) {}
    enum class pushed : std::uint8_t { queued, queued_first, cut_now, refused };
    // queued_first: the queue was empty (the watcher needs waking); cut_now: this event
    // overflowed it (it needs waking to see the cut); refused: it was cut before.
    pushed push(const event_ptr& event);
    void wake();

    const event_filter filter_;
    const std::size_t buffer_;
    mutable std::mutex mutex_;
    std::deque<event_ptr> queue_;
    bool cut_ = false;
    // Held while waking, so that once unwatch() returns no wake runs.
    std::mutex wake_mutex_;
    std::function<void()> wake_;
  };

  struct counts {
    std::uint64_t watchers = 0;
    // Appended since start, by kind (client_event_kind_names' order).
    std::array<std::uint64_t, client_event_kind_names.size()> events{};
    std::uint64_t watchers_cut = 0;  // cut for falling `buffer` events behind
    std::uint64_t retained = 0;
  };

  // Ids start at `first_id` (the start time in microseconds keeps them above any earlier run's).
  // A watcher's bound is at least `retention` + 1, so a resuming watcher can take all of it.
  event_log(std::size_t retention, std::size_t watcher_buffer, std::uint64_t first_id);

  // False while nothing is retained or watched: the caller need not build the event at all.
  bool active() const { return active_.load(std::memory_order_relaxed); }
  // Assigns the event its id, retains it and queues it to every watcher that wants it; returns
  // how many did. A client message no watcher wants is dropped (0: the client is refused). A
  // watcher's wake runs on the calling thread, outside the log's lock.
  std::size_t append(client_event event);

  // after_id 0: events from now on. Otherwise, first the retained events after it (preceded by
  // a gap event when some of those were no longer retained). `wake` runs on appending threads
  // whenever the queue stops being empty; it must not block.
  std::shared_ptr<watcher> watch(event_filter filter, std::uint64_t after_id,
                                 std::function<void()> wake);
  // Stops queueing to the watcher; once this returns its wake is never called again.
  void unwatch(const std::shared_ptr<watcher>& w);

  counts snapshot() const;

 private:
  void update_active();

  const std::size_t retention_;
  const std::size_t watcher_buffer_;
  mutable std::mutex mutex_;
  std::deque<event_ptr> retained_;
  std::vector<std::shared_ptr<watcher>> watchers_;
  std::uint64_t next_id_;
  std::array<std::uint64_t, client_event_kind_names.size()> appended_{};
  std::uint64_t cut_ = 0;
  std::atomic<bool> active_{false};
};

}  // namespace wsedge::edge
