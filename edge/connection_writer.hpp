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
template <class Stream>
class connection_writer {
 public:
  using ws_type = session_ws_stream<Stream>;
  using clock = std::chrono::steady_clock;

  // `counters`: the shard's, for the queue-depth gauges.
  connection_writer(ws_type& ws, node_context& node, shard_counters& counters,
                    writer_events& events);

  push_result push(frame_ref frame);
  // Writes what is queued: straight to the socket while it has room (plain connections), the
  // rest as one asynchronous gather write. Nothing when a write is in flight already.
  void write();
  // Drops everything queued and not yet being written; returns how many frames.
  std::size_t discard();

  bool writing() const { return writing_; }
  bool empty() const { return queue_.empty(); }
  // True when the write in flight has been stuck longer than `timeout`.
  bool stalled(clock::time_point now, clock::duration timeout) const {
    return writing_ && now - write_started_ > timeout;
  }

 private:
  bool write_now();
  void consume_written(std::size_t bytes);
  // Takes the front frame off the queue (into a batch, or written).
  void pop_front();
  void count_sent(std::size_t frames, std::size_t bytes);
  void start_async_write();
  void on_write(beast::error_code ec, std::size_t bytes);

  ws_type& ws_;
  node_context& node_;
  shard_counters& counters_;
  writer_events& events_;
  outbound_queue queue_;
  // The batch being written: its frames (kept alive) and the gather list pointing into them.
  // Only while an asynchronous write is in flight (the socket was full, or Beast was writing).
  struct write_batch {
    std::vector<frame_ref> frames;
    std::vector<net::const_buffer> buffers;
  };
  std::unique_ptr<write_batch> batch_;
  // Bytes of the front frame already written by a short direct write (its rest goes next).
  std::size_t front_written_ = 0;
  bool writing_ = false;
  clock::time_point write_started_;
};

}  // namespace wsedge::edge
