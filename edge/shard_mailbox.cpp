// Shard mailbox: per-sender lanes drained in batches on the consumer shard's thread.
#include "edge/shard_mailbox.hpp"

namespace wsedge::edge {

shard_mailbox::shard_mailbox(std::size_t shards, net::io_context& consumer) : consumer_(consumer) {
  for (std::size_t i = 0; i <= shards; ++i) lanes_.push_back(std::make_unique<lane>());
}

shard_mailbox::~shard_mailbox() {
  discard();
}

void shard_mailbox::push(std::size_t lane_index, task work) {
  lane& l = *lanes_[lane_index];
  {
    std::lock_guard lock(l.mutex);
    l.tasks.push_back(std::move(work));
    waiting_.fetch_add(1, std::memory_order_relaxed);
  }
  // The consumer clears the flag before it takes the lanes' tasks, so a task pushed after its
  // take finds the flag clear and posts the next run.
  if (!scheduled_.exchange(true, std::memory_order_acq_rel))
    net::post(consumer_, [this] { run_pending(); });
}

void shard_mailbox::run_pending() {
  scheduled_.store(false, std::memory_order_release);
  for (auto& l : lanes_) {
    {
      std::lock_guard lock(l->mutex);
      running_.swap(l->tasks);
      waiting_.fetch_sub(running_.size(), std::memory_order_relaxed);
    }
    for (task& work : running_) std::move(work)();
    running_.clear();
  }
}

void shard_mailbox::discard() {
  for (auto& l : lanes_) {
    std::vector<task> dropped;
    {
      std::lock_guard lock(l->mutex);
      dropped.swap(l->tasks);
      waiting_.fetch_sub(dropped.size(), std::memory_order_relaxed);
    }
  }
  running_.clear();
}

}  // namespace wsedge::edge
