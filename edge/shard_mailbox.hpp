// A shard's inbox of work from other shards and other threads: one lane per sender, so the work
// one sender queues runs in the order it was queued, and one wake-up runs everything queued.
#pragma once

#include <absl/base/thread_annotations.h>
#include <absl/functional/any_invocable.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "edge/net.hpp"

namespace wsedge::edge {

// Seastar's smp queues are the model: a lane is written by exactly one producer (a shard, or
// "external" for every non-shard thread) and read by the mailbox's shard. Each lane has its own
// lock, so a lane's lock is only ever contended by its two parties, and is taken once per task
// by the producer and once per batch by the consumer: never per recipient of a message.
class shard_mailbox {
 public:
  using task = absl::AnyInvocable<void() &&>;

  // `shards` lanes for the shards plus one (external_lane()) for every other thread.
  shard_mailbox(std::size_t shards, net::io_context& consumer);
  ~shard_mailbox();
  shard_mailbox(const shard_mailbox&) = delete;
  shard_mailbox& operator=(const shard_mailbox&) = delete;

  std::size_t external_lane() const { return lanes_.size() - 1; }

  // Any thread; `lane` is the calling shard's index, or external_lane() off the shards.
  void push(std::size_t lane, task work);

  // Consumer side, after the threads stopped: drops what was never run.
  void discard();

  // Tasks queued and not yet taken by the shard (any thread; a gauge, not a synchronisation).
  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) lane {
    std::mutex mutex;
    std::vector<task> tasks ABSL_GUARDED_BY(mutex);
  };

  void run_pending();

  std::vector<std::unique_ptr<lane>> lanes_;
  net::io_context& consumer_;
  // Set while a run is posted and not yet started: producers post at most one wake-up per batch.
  std::atomic<bool> scheduled_{false};
  std::atomic<std::size_t> waiting_{0};
  std::vector<task> running_;  // consumer thread only
};

}  // namespace wsedge::edge
