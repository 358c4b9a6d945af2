// One publish on its way through the shards: the frame encoded once, and who is still counting.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "edge/edge_observer.hpp"
#include "edge/hub.hpp"

namespace wsedge::edge {

// Shared by the member shards of one publish: each touches its atomics once (not once per
// recipient), and turns the frame into its own shard-local frame_ref.
class delivery {
 public:
  // `deflated`: the same message compressed once for the permessage-deflate connections (null
  // when no connection of the node takes it, or it is too small to be worth it).
  delivery(target_kind kind, std::string target, std::shared_ptr<const std::string> frame,
           std::shared_ptr<const std::string> deflated, std::uint32_t shards,
           std::function<void(publish_result)> done)
      : kind_(kind),
        target_(std::move(target)),
        frame_(std::move(frame)),
        deflated_(std::move(deflated)),
        shards_left_(shards),
        done_(std::move(done)) {}

  target_kind kind() const { return kind_; }
  const std::string& target() const { return target_; }
  const std::shared_ptr<const std::string>& frame() const { return frame_; }
  const std::shared_ptr<const std::string>& deflated() const { return deflated_; }
  void set_position(std::uint64_t seq, std::string epoch) {
    seq_ = seq;
    epoch_ = std::move(epoch);
  }

  // Each shard calls this once after queueing to its members; the last one reports.
  void shard_done(std::uint64_t recipients, edge_observer& observer) {
    recipients_.fetch_add(recipients, std::memory_order_relaxed);
    if (shards_left_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - accepted_;
    observer.on_publish_fanout(took.count());
    if (done_) done_({seq_, recipients_.load(std::memory_order_relaxed), epoch_, {}, {}});
  }

 private:
  target_kind kind_;
  std::string target_;
  std::shared_ptr<const std::string> frame_;
  std::shared_ptr<const std::string> deflated_;
  std::uint64_t seq_ = 0;
  std::string epoch_;
  std::atomic<std::uint32_t> shards_left_;
  std::atomic<std::uint64_t> recipients_{0};
  std::chrono::steady_clock::time_point accepted_ = std::chrono::steady_clock::now();
  std::function<void(publish_result)> done_;
};

}  // namespace wsedge::edge
