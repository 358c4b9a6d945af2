// What a shard knows of a connection, whatever carries it (plain TCP or TLS): the interface the
// shard's deliveries, kicks, room answers and timer use. Called on the connection's shard only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/frame_ref.hpp"
#include "edge/protocol.hpp"
#include "edge/token_verifier.hpp"

namespace wsedge::edge {

class shard;

// How a close treats what is queued. Flush: everything already queued is written first
// (bounded by write_timeout), then the close frame: a kick, a drain, an expired token.
// Discard: the queue is dropped (a slow consumer's backlog is what 4001 means; a dead peer
// cannot take it anyway).
enum class close_mode : std::uint8_t { flush, discard };

// The owner shard's answer to a join (or, with count_only, to "how many members?").
struct join_answer {
  bool joined = false;  // false: the room is full (or, with an error, unreachable)
  std::uint64_t members = 0;
  std::uint64_t seq = 0;  // the room's last seq at the join
  std::string epoch;
  // Only for a join that asked to recover: whether history covered the gap, and the messages
  // after the client's position (sent right after the reply, before any live message).
  std::optional<bool> recovered;
  std::vector<std::shared_ptr<const std::string>> missed;
  std::string error;  // the cluster engine could not be asked ("unavailable")
};

class session {
 public:
  using clock = std::chrono::steady_clock;
  virtual ~session() = default;

  // Queues a complete frame, or `deflated` (the same message compressed; may be empty) when
  // the connection negotiated permessage-deflate; false when the connection is not taking
  // messages (closing, or a slow consumer whose queue just overflowed: it is closed with 4001
  // right after).
  virtual bool send(const frame_ref& frame, const frame_ref& deflated) = 0;
  // Starts writing what is queued (after a deferred batch of deliveries).
  virtual void flush() = 0;
  virtual void close(std::uint16_t code, std::string_view reason, close_mode mode) = 0;
  // Called by the shard's timer: keep-alive pings, token expiry and dead-peer detection.
  virtual void on_tick(clock::time_point now) = 0;
  virtual bool is_open() const = 0;
  // The owner shard answered this session's join of `room` (see shard::join_room).
  virtual void on_join_answer(const std::string& room, join_answer answer) = 0;
  // The owner shard assigned `seq` to this session's publish into `room` (or, with an error,
  // the message was not taken).
  virtual void on_publish_answer(const std::string& room, std::uint64_t seq,
                                 const std::string& epoch, std::string_view error) = 0;
  // The members of `room` this session asked for (at most presence_limit; `truncated` when
  // there were more).
  virtual void on_presence_answer(const std::string& room, std::vector<room_member> members,
                                  bool truncated) = 0;
  // The cluster answered this session's client message (see client_protocol::on_send_answer).
  virtual void on_send_answer(const std::string& id, bool taken, std::string_view error) = 0;
  // Shared ownership, for the shard to hold a session across a deferred write, or while it
  // waits for a room's owner with nothing else holding it (see shard::hold).
  virtual std::shared_ptr<session> shared() = 0;

  // "<node id>-<shard>-<serial>", made when asked: most connections are asked once or twice
  // (their connected reply and event), and a stored copy would cost 64 bytes a connection.
  std::string client_id() const;
  // The number in the client id: the session's key in its shard.
  std::uint64_t serial() const { return serial_; }
  const identity& who() const { return who_; }
  // The shard the session lives on (its thread runs every call above).
  shard& home() const { return home_; }

 protected:
  session(shard& home, identity who) : home_(home), who_(std::move(who)) {}

  shard& home_;
  std::uint64_t serial_ = 0;  // set when the shard enrolls the session
  identity who_;
};

}  // namespace wsedge::edge
