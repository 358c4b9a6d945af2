// The node's event log: the last `retention` client events, and the watchers that stream them.
// Thread-safe: shards append, gRPC threads watch and take. One lock per event appended (events
// are per connection and per client request, never per delivery).
// Alone, the log numbers its events itself. In a cluster (join_cluster) it numbers nothing: what
// this node records is forwarded to the cluster engine, which numbers every node's events in one
// stream and feeds them all back through receive(); the log then holds the stream's tail.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
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
    // Under the log's mutex: the id it is at (its after_id, then each event offered to it,
    // wanted or not; 0: not known yet). Events at or before it are not given again; an event
    // past it + 1 comes after a gap event.
    std::uint64_t at_ = 0;
    // Cluster mode: a resuming watcher that came before the stream's tail was read (served,
    // from at_, when the tail arrives).
    bool awaits_history_ = false;
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
    // Cluster mode: events this node could not add to the cluster's stream (the engine was
    // down longer than its backlog).
    std::uint64_t lost = 0;
  };

  // What answers a client's message: whether a watcher has it queued (false: nobody watches
  // such messages) or, non-empty, why it could not be recorded.
  using message_answer = std::function<void(bool taken, std::string error)>;
  // The cluster engine, as the log uses it (any thread; `done` may run on another thread).
  struct cluster_link {
    // Numbers the event in the cluster's stream; `done` gets whether a watcher somewhere wanted
    // it (only asked of client messages) or an error.
    std::function<void(client_event, message_answer done)> forward;
    // This node's watchers changed: the filters they watch with, for the whole cluster to see.
    std::function<void(std::vector<event_filter>)> watchers_changed;
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

  // Before any event: numbering is the cluster's from now on (see the header comment).
  void join_cluster(cluster_link link);
  bool clustered() const { return static_cast<bool>(cluster_.forward); }
  // False in a cluster until the stream's tail has been read: a watcher then could not be told
  // which events came before it (WatchEvents answers UNAVAILABLE meanwhile).
  bool serving() const;
  // An event of a connection's life: appended here, or forwarded to the cluster.
  void record(client_event event);
  // A client's message. Alone, `done` runs at once on the calling thread; in a cluster, later,
  // on the engine's.
  void record_message(client_event event, message_answer done);
  // Cluster mode (the engine's thread): the cluster's events, in id order. With `history`, the
  // tail the cluster still retains, read when the engine connects (resuming watchers that came
  // first are served from it); events already seen are skipped, and an id that jumps gives every
  // watcher a gap event.
  void receive(std::vector<client_event> events, bool history);

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
  // Under mutex_ (these five): the retained events after `after_id` offered to `w`, and a gap
  // for what is not retained; true when something was queued.
  bool replay(const std::shared_ptr<watcher>& w, std::uint64_t after_id,
              std::vector<std::shared_ptr<watcher>>& to_wake);
  // Offers `event` to every watcher; returns how many queued it.
  std::size_t deliver(const event_ptr& event, std::vector<std::shared_ptr<watcher>>& to_wake);
  // Offers `event` to `w` at its position (see watcher::at_); true when queued.
  bool offer(const std::shared_ptr<watcher>& w, const event_ptr& event,
             std::vector<std::shared_ptr<watcher>>& to_wake);
  // Pushes to `w`, noting a wake or a cut; true when queued.
  bool queue(const std::shared_ptr<watcher>& w, const event_ptr& event,
             std::vector<std::shared_ptr<watcher>>& to_wake);
  // A watcher that is not cut wants `event`.
  bool wanted(const client_event& event) const;
  void retain(event_ptr event);
  // Under mutex_: the filters of every watcher, told to the cluster.
  void tell_watchers();

  const std::size_t retention_;
  const std::size_t watcher_buffer_;
  mutable std::mutex mutex_;
  std::deque<event_ptr> retained_;
  std::vector<std::shared_ptr<watcher>> watchers_;
  std::uint64_t next_id_;
  std::array<std::uint64_t, client_event_kind_names.size()> appended_{};
  std::uint64_t cut_ = 0;
  std::uint64_t lost_ = 0;
  std::atomic<bool> active_{false};
  cluster_link cluster_;
  // Cluster mode: the stream's tail has been read; next_id_ is the last id seen + 1 once
  // seen_any_.
  bool history_read_ = false;
  bool seen_any_ = false;
};

}  // namespace wsedge::edge
