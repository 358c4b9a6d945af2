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
connection_writer<Stream>::connection_writer(ws_type& ws, node_context& node,
                                             shard_counters& counters, writer_events& events)
    : ws_(ws), node_(node), counters_(counters), events_(events) {}

template <class Stream>
push_result connection_writer<Stream>::push(frame_ref frame) {
  const std::size_t size = frame.size();
  const push_result result = queue_.push({std::move(frame)}, node_.queue_bounds());
  if (result != push_result::overflow) {
    counters_.queued_frames.add(1);
    counters_.queued_bytes.add(static_cast<std::int64_t>(size));
  }
  return result;
}

template <class Stream>
void connection_writer<Stream>::pop_front() {
  counters_.queued_frames.add(-1);
  counters_.queued_bytes.add(-static_cast<std::int64_t>(queue_.front().payload.size()));
  queue_.pop();
}

template <class Stream>
std::size_t connection_writer<Stream>::discard() {
  const std::size_t dropped = queue_.size();
  counters_.queued_frames.add(-static_cast<std::int64_t>(dropped));
  counters_.queued_bytes.add(-static_cast<std::int64_t>(queue_.bytes()));
  queue_.clear();
  front_written_ = 0;
  return dropped;
}

template <class Stream>
void connection_writer<Stream>::write() {
  // Are we already writing? One batch at a time; and nothing after Beast saw a close.
  if (writing_ || queue_.empty() || !ws_.is_open()) return;
  if constexpr (session_transport<Stream>::plain) {
    // Usually the socket has room: the frames leave now in one system call, with no
    // asynchronous operation to set up and complete. Not while Beast writes (a ping, a close).
    if (!ws_.next_layer().busy() && !write_now()) return;
    if (queue_.empty()) return;
  }
  start_async_write();
}

template <class Stream>
bool connection_writer<Stream>::write_now() {
  auto& socket = socket_of(beast::get_lowest_layer(ws_));
  beast::error_code ec;
  // Once per connection: a write that would block returns at once instead.
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  std::array<net::const_buffer, max_batch_frames> buffers;
  while (!queue_.empty()) {
    std::size_t count = 0;
    std::size_t bytes = 0;
    for (; count < queue_.size() && count < buffers.size() && bytes < max_batch_bytes; ++count) {
      // front_written_ is 0 here: a short write hands the rest to the asynchronous write.
      buffers[count] = net::buffer(queue_[count].payload.bytes());
      bytes += buffers[count].size();
    }
    const std::size_t written =
        socket.write_some(std::span<const net::const_buffer>(buffers.data(), count), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) return true;
    if (ec == net::error::interrupted) continue;
    if (ec) {
      events_.on_write_failed(ec);
      return false;
    }
    consume_written(written);
    if (written < bytes) return true;
  }
  return true;
}

template <class Stream>
void connection_writer<Stream>::consume_written(std::size_t bytes) {
  std::size_t frames = 0;
  for (std::size_t left = bytes; left > 0;) {
    const std::size_t rest = queue_.front().payload.size() - front_written_;
    if (left < rest) {
      front_written_ += left;
      break;
    }
    left -= rest;
    front_written_ = 0;
    pop_front();
    ++frames;
  }
  count_sent(frames, bytes);
}

template <class Stream>
void connection_writer<Stream>::count_sent(std::size_t frames, std::size_t bytes) {
  node_.observer().on_messages_sent(frames, bytes);
}

template <class Stream>
void connection_writer<Stream>::start_async_write() {
  writing_ = true;
  write_started_ = clock::now();
  std::size_t bytes = 0;
  batch_ = std::make_unique<write_batch>();
  while (!queue_.empty() && batch_->frames.size() < max_batch_frames && bytes < max_batch_bytes) {
    const frame_ref& frame = queue_.front().payload;
    bytes += frame.size();
    batch_->buffers.push_back(net::buffer(frame.bytes()) + front_written_);
    front_written_ = 0;
    batch_->frames.push_back(frame);
    pop_front();
  }
  // The frames are complete and pre-framed, so the whole batch goes out as one gather write;
  // the serialized next layer keeps Beast's own frames (pong, ping, close) from interleaving.
  ws_.next_layer().async_write_some(
      std::span<const net::const_buffer>(batch_->buffers),
      [this, keep = events_.keep_alive()](beast::error_code ec, std::size_t written) {
        on_write(ec, written);
      });
}

template <class Stream>
void connection_writer<Stream>::on_write(beast::error_code ec, std::size_t bytes) {
  writing_ = false;
  const std::size_t frames = batch_->frames.size();
  batch_.reset();
  if (ec) return events_.on_write_failed(ec);
  count_sent(frames, bytes);
  events_.on_write_done();
}

template class connection_writer<beast::tcp_stream>;
template class connection_writer<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace wsedge::edge
