// A connection's outbound side: its bounded queue of frames and the one write in flight.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "edge/frame_ref.hpp"
#include "edge/net.hpp"
#include "edge/outbound_queue.hpp"
#include "edge/session_transport.hpp"
#include "edge/shard_counters.hpp"

namespace wsedge::edge {

class node_context;

// What the writer tells its session.
class writer_events {
 public:
  virtual ~writer_events() = default;
  // Holds the session alive while an asynchronous write is in flight.
  virtual std::shared_ptr<void> keep_alive() = 0;
  // The socket refused a write: the connection is over.
  virtual void on_write_failed(beast::error_code ec) = 0;
  // An asynchronous write completed and nothing is in flight (the queue may still hold more).
  virtual void on_write_done() = 0;
};

// Stream: as the HTTP session hands it over (explicitly instantiated for plain and TLS).
// It keeps no references of its own (32 bytes a connection): every call is handed the
// connection's parts by its session.
template <class Stream>
class connection_writer {
 public:
  using ws_type = session_ws_stream<Stream>;
  using clock = std::chrono::steady_clock;

  // What the writer works with. `counters`: the shard's, for the queue-depth gauges.
  struct parts {
    ws_type& ws;
    node_context& node;
    shard_counters& counters;
    writer_events& events;
  };

  push_result push(const parts& p, frame_ref frame);
  // Writes what is queued: straight to the socket while it has room (plain connections), the
  // rest as one asynchronous gather write. Nothing when a write is in flight already.
  void write(const parts& p);
  // Drops everything queued and not yet being written; returns how many frames.
  std::size_t discard(shard_counters& counters);

  bool writing() const { return batch_ != nullptr; }
  bool empty() const { return queue_.empty(); }
  // True when the write in flight has been stuck longer than `timeout`.
  bool stalled(clock::time_point now, clock::duration timeout) const {
    return batch_ && now - batch_->started > timeout;
  }

 private:
  bool write_now(const parts& p);
  void consume_written(const parts& p, std::size_t bytes);
  // Takes the front frame off the queue (into a batch, or written).
  void pop_front(shard_counters& counters);
  void start_async_write(const parts& p);
  void on_write(const parts& p, beast::error_code ec, std::size_t bytes);

  outbound_queue queue_;
  // The batch being written: its frames (kept alive), the gather list pointing into them and
  // when it started. Only while an asynchronous write is in flight (the socket was full, or
  // Beast was writing).
  struct write_batch {
    std::vector<frame_ref> frames;
    std::vector<net::const_buffer> buffers;
    clock::time_point started;
  };
  std::unique_ptr<write_batch> batch_;
};

}  // namespace wsedge::edge
