// A complete WebSocket frame as the sessions of one shard hold it: reference-counted without
// atomics, because every reference to it lives on that one shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace wsedge::edge {

// A frame published to many shards is encoded once into a std::shared_ptr<const std::string>;
// each member shard wraps it in one frame_ref (one atomic increment per shard, released on that
// shard when its last recipient has written it), and its recipients copy the frame_ref, which
// touches only a plain counter. Seastar's foreign_ptr is the model. Never hand a frame_ref to
// another thread.
class frame_ref {
 public:
  frame_ref() = default;
  // The shard's own reference to a frame shared with other shards.
  static frame_ref shared(std::shared_ptr<const std::string> bytes) {
    frame_ref ref;
    ref.block_ = new block{{}, std::move(bytes), 1};
    return ref;
  }
  // A frame of this shard alone (a reply to one client).
  static frame_ref owned(std::string bytes) {
    frame_ref ref;
    ref.block_ = new block{std::move(bytes), {}, 1};
    return ref;
  }

  frame_ref(const frame_ref& other) : block_(other.block_) {
    if (block_ != nullptr) ++block_->refs;
  }
  frame_ref(frame_ref&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  frame_ref& operator=(frame_ref other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~frame_ref() {
    if (block_ != nullptr && --block_->refs == 0) delete block_;
  }

  explicit operator bool() const { return block_ != nullptr; }
  const std::string& bytes() const { return block_->shared ? *block_->shared : block_->own; }
  std::size_t size() const { return bytes().size(); }

 private:
  struct block {
    std::string own;
    std::shared_ptr<const std::string> shared;
    std::uint32_t refs;
  };
  block* block_ = nullptr;
};

}  // namespace wsedge::edge
