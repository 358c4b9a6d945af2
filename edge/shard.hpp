// One core's share of the edge: an io_context on its own thread, its sessions and its rooms.
#pragma once

#include <absl/base/thread_annotations.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "edge/hub.hpp"
#include "edge/net.hpp"
#include "edge/room_index.hpp"
#include "edge/string_map.hpp"

namespace wsedge::edge {

class session;
class delivery;
struct hub_state;

class shard {
 public:
  shard(std::size_t index, hub_state& hub);
  ~shard();

  std::size_t index() const { return index_; }
  net::io_context& context() { return context_; }
  void start();
  void stop();

  // --- Any thread. ---
  // Queues a delivery for this shard. Deliveries run in the order they were queued, whichever
  // thread queued them (a plain post from inside this shard's own handlers would not keep that
  // order), and one wake-up serves every delivery queued meanwhile.
  void enqueue(std::shared_ptr<delivery> d);

  // --- Shard thread only. ---
  void add(session& s);
  void remove(session& s);
  room_index<session>& rooms() { return rooms_; }
  std::string next_client_id();
  // Queues the delivery to this shard's matching sessions, then reports to the delivery.
  void deliver(delivery& d);
  std::uint64_t kick(kick_selector selector, std::string_view value, std::string_view reason);
  void close_all(std::uint16_t code, std::string_view reason);
  // While a batch of deliveries runs, sessions defer their writes to its end, so frames that
  // arrive together leave together in one gather write per connection; with a write_delay, to
  // the end of the coalescing window that batch opened.
  bool delivering() const { return delivering_; }
  void defer_write(session& s) { deferred_writes_.push_back(&s); }

  // --- Any thread. Single-writer counters (the shard thread) read by Stats. ---
  void count_in(std::uint64_t n) { bump(messages_in_, n); }
  void count_out(std::uint64_t n) { bump(messages_out_, n); }
  void count_subscriptions(std::int64_t delta) { bump(subscriptions_, delta); }
  std::uint64_t messages_in() const { return messages_in_.load(std::memory_order_relaxed); }
  std::uint64_t messages_out() const { return messages_out_.load(std::memory_order_relaxed); }
  std::uint64_t subscriptions() const { return subscriptions_.load(std::memory_order_relaxed); }
  void add_roles_to(std::map<std::string, std::uint64_t>& by_role) const;

 private:
  template <typename T, typename D>
  static void bump(std::atomic<T>& counter, D delta) {
    counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  void drain_inbox();
  void flush_deferred();
  void flush_delayed();
  void schedule_tick();
  void on_tick();

  std::size_t index_;
  hub_state& hub_;
  net::io_context context_{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  net::steady_timer tick_timer_{context_};
  std::thread thread_;
  std::uint64_t next_client_ = 0;
  string_map<std::string_view, session*> sessions_;  // key: the session's client id
  room_index<session> rooms_;
  std::atomic<std::uint64_t> messages_in_{0};
  std::atomic<std::uint64_t> messages_out_{0};
  std::atomic<std::uint64_t> subscriptions_{0};
  std::mutex inbox_mutex_;
  std::vector<std::shared_ptr<delivery>> inbox_ ABSL_GUARDED_BY(inbox_mutex_);
  bool inbox_scheduled_ ABSL_GUARDED_BY(inbox_mutex_) = false;
  std::vector<std::shared_ptr<delivery>> draining_;  // shard thread only
  bool delivering_ = false;
  std::vector<session*> deferred_writes_;
  // write_delay > 0: sessions waiting for the window's end (held: one may end meanwhile).
  net::steady_timer write_delay_timer_{context_};
  std::vector<std::shared_ptr<session>> delayed_writes_;
  mutable std::mutex roles_mutex_;
  std::map<std::string, std::uint64_t> roles_ ABSL_GUARDED_BY(roles_mutex_);
};

}  // namespace wsedge::edge
