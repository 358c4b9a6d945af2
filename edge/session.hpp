// What a shard knows of a connection, whatever carries it (plain TCP or TLS): the interface the
// shard's deliveries, kicks and timer use. Called on the connection's shard thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "edge/token_verifier.hpp"

namespace wsedge::edge {

class session {
 public:
  using clock = std::chrono::steady_clock;
  virtual ~session() = default;

  // Queues a complete frame; a full queue makes this a slow consumer (closed with 4001 soon).
  virtual bool send(const std::shared_ptr<const std::string>& framed) = 0;
  // Starts writing what is queued (after a deferred batch of deliveries).
  virtual void flush() = 0;
  // Starts the close handshake with `code`; the session ends when it completes or times out.
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
  // Called by the shard's timer: keep-alive pings, token expiry and dead-peer detection.
  virtual void on_tick(clock::time_point now) = 0;
  virtual bool is_open() const = 0;
  // Shared ownership, for the shard to hold a session across a write-delay window.
  virtual std::shared_ptr<session> shared() = 0;

  const std::string& client_id() const { return client_id_; }
  const identity& who() const { return who_; }

 protected:
  explicit session(identity who) : who_(std::move(who)) {}

  std::string client_id_;
  identity who_;
};

}  // namespace wsedge::edge
