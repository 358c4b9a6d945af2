// Connection writer: gather writes of queued frames, direct when the socket has room.
#include "edge/connection_writer.hpp"

#include <array>
#include <span>

#include "edge/edge_observer.hpp"
#include "edge/node_context.hpp"

namespace wsedge::edge {

namespace {

// One gather write carries up to this many queued frames / bytes: a reader that is behind gets
// its backlog in few system calls instead of one per message.
constexpr std::size_t max_batch_frames = 64;
constexpr std::size_t max_batch_bytes = 256 * 1024;

}  // namespace

template <class Stream>
push_result connection_writer<Stream>::push(const parts& p, frame_ref frame) {
  const std::size_t size = frame.size();
  const push_result result = queue_.push({std::move(frame)}, p.node.queue_bounds());
  if (result != push_result::overflow) {
    p.counters.queued_frames.add(1);
    p.counters.queued_bytes.add(static_cast<std::int64_t>(size));
  }
  return result;
}

template <class Stream>
void connection_writer<Stream>::pop_front(shard_counters& counters) {
  counters.queued_frames.add(-1);
  counters.queued_bytes.add(-static_cast<std::int64_t>(queue_.front().payload.size()));
  queue_.pop();
}

template <class Stream>
std::size_t connection_writer<Stream>::discard(shard_counters& counters) {
  const std::size_t dropped = queue_.size();
  counters.queued_frames.add(-static_cast<std::int64_t>(dropped));
  counters.queued_bytes.add(-static_cast<std::int64_t>(queue_.bytes()));
  queue_.clear();
  return dropped;
}

template <class Stream>
void connection_writer<Stream>::write(const parts& p) {
  // Are we already writing? One batch at a time; and nothing after Beast saw a close.
  if (writing() || queue_.empty() || !p.ws.is_open()) return;
  if constexpr (session_transport<Stream>::plain) {
    // Usually the socket has room: the frames leave now in one system call, with no
    // asynchronous operation to set up and complete. Not while Beast writes (a ping, a close).
    if (!p.ws.next_layer().busy() && !write_now(p)) return;
    if (queue_.empty()) return;
  }
  start_async_write(p);
}

template <class Stream>
bool connection_writer<Stream>::write_now(const parts& p) {
  auto& socket = socket_of(beast::get_lowest_layer(p.ws));
  beast::error_code ec;
  // Once per connection: a write that would block returns at once instead.
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  std::array<net::const_buffer, max_batch_frames> buffers;
  while (!queue_.empty()) {
    std::size_t count = 0;
    std::size_t bytes = 0;
    for (; count < queue_.size() && count < buffers.size() && bytes < max_batch_bytes; ++count) {
      // Nothing of the front is written here: a short write hands the rest to the asynchronous
      // write.
      buffers[count] = net::buffer(queue_[count].payload.bytes());
      bytes += buffers[count].size();
    }
    const std::size_t written =
        socket.write_some(std::span<const net::const_buffer>(buffers.data(), count), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) return true;
    if (ec == net::error::interrupted) continue;
    if (ec) {
      p.events.on_write_failed(ec);
      return false;
    }
    consume_written(p, written);
    if (written < bytes) return true;
  }
  return true;
}

template <class Stream>
void connection_writer<Stream>::consume_written(const parts& p, std::size_t bytes) {
  std::size_t frames = 0;
  for (std::size_t left = bytes; left > 0;) {
    const std::size_t rest = queue_.front().payload.size() - queue_.front_written();
    if (left < rest) {
      queue_.wrote_front(left);
      break;
    }
    left -= rest;
    pop_front(p.counters);
    ++frames;
  }
  p.node.observer().on_messages_sent(frames, bytes);
}

template <class Stream>
void connection_writer<Stream>::start_async_write(const parts& p) {
  std::size_t bytes = 0;
  batch_ = std::make_unique<write_batch>();
  batch_->started = clock::now();
  while (!queue_.empty() && batch_->frames.size() < max_batch_frames && bytes < max_batch_bytes) {
    const frame_ref& frame = queue_.front().payload;
    bytes += frame.size();
    batch_->buffers.push_back(net::buffer(frame.bytes()) + queue_.front_written());
    batch_->frames.push_back(frame);
    pop_front(p.counters);
  }
  // The frames are complete and pre-framed, so the whole batch goes out as one gather write;
  // the serialized next layer keeps Beast's own frames (pong, ping, close) from interleaving.
  p.ws.next_layer().async_write_some(
      std::span<const net::const_buffer>(batch_->buffers),
      [this, p, keep = p.events.keep_alive()](beast::error_code ec, std::size_t written) {
        on_write(p, ec, written);
      });
}

template <class Stream>
void connection_writer<Stream>::on_write(const parts& p, beast::error_code ec, std::size_t bytes) {
  const std::size_t frames = batch_->frames.size();
  batch_.reset();
  if (ec) return p.events.on_write_failed(ec);
  p.node.observer().on_messages_sent(frames, bytes);
  p.events.on_write_done();
}

template class connection_writer<beast::tcp_stream>;
template class connection_writer<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace wsedge::edge
