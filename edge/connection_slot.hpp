// One of the node's max_connections slots, held from accept until the connection ends.
#pragma once

#include <utility>

namespace wsedge::edge {

class node_context;

class connection_slot {
 public:
  connection_slot() = default;
  explicit connection_slot(node_context* node) : node_(node) {}
  connection_slot(connection_slot&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  connection_slot& operator=(connection_slot&& other) noexcept {
    std::swap(node_, other.node_);
    return *this;
  }
  ~connection_slot();

  // False for a connection accepted over the limit (it is refused at its upgrade).
  bool held() const { return node_ != nullptr; }

 private:
  node_context* node_ = nullptr;
};

}  // namespace wsedge::edge
