// A test probe: counts edge events and lets a test wait for a condition on them with a deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "edge/edge_observer.hpp"

namespace wsedge::testing {

struct event_counts {
  int opened = 0;
  int closed = 0;
  int slow_consumers = 0;
  int kicks = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t socket_writes = 0;  // calls of on_messages_sent: one per write
  std::map<std::string, int> errors;
  std::map<std::string, int> rejected;
  int open() const { return opened - closed; }
};

class recording_observer final : public edge::edge_observer {
 public:
  void on_connection_opened() override {
    update([](auto& c) { ++c.opened; });
  }
  void on_connection_closed() override {
    update([](auto& c) { ++c.closed; });
  }
  void on_connection_rejected(std::string_view r) override {
    update([&](auto& c) { ++c.rejected[std::string(r)]; });
  }
  void on_error(std::string_view kind) override {
    update([&](auto& c) { ++c.errors[std::string(kind)]; });
  }
  void on_kicked() override {
    update([](auto& c) { ++c.kicks; });
  }
  void on_messages_sent(std::uint64_t count, std::uint64_t /*bytes*/) override {
    update([&](auto& c) {
      c.messages_sent += count;
      ++c.socket_writes;
    });
  }
  void on_slow_consumer() override {
    update([](auto& c) { ++c.slow_consumers; });
  }

  // Blocks until `condition` holds (re-checked on every event) or the timeout passes.
  bool wait_for(const std::function<bool(const event_counts&)>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return condition(counts_); });
  }

  event_counts snapshot() {
    std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  template <typename F>
  void update(F change) {
    {
      std::lock_guard lock(mutex_);
      change(counts_);
    }
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  event_counts counts_;
};

}  // namespace wsedge::testing
