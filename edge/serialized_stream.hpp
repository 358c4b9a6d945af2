// A next layer for websocket::stream that makes every write whole and ordered: the frames Beast
// writes itself (handshake, pongs, pings, close) and the session's pre-framed batches queue for
// the socket one at a time, so their bytes never interleave. Reads pass straight through, or,
// with FrameBoundedReads, stop at the end of each client frame (see frame_boundary.hpp).
#pragma once

#include <array>
#include <memory>
#include <utility>
#include <vector>

#include "edge/frame_boundary.hpp"
#include "edge/net.hpp"

namespace wsedge::edge {

template <class NextLayer, bool FrameBoundedReads = false>
class serialized_stream {
 public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;

  explicit serialized_stream(NextLayer&& stream) : next_(std::move(stream)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }
  // True while a write is in progress or waiting: nothing else may touch the socket's output.
  bool busy() const noexcept { return busy_ || !waiters_.empty(); }

  // With FrameBoundedReads: true when every byte read so far belonged to a complete frame.
  bool at_frame_start() const noexcept { return frames_.at_frame_start(); }

  template <class MutableBuffers, class ReadHandler>
  auto async_read_some(const MutableBuffers& buffers, ReadHandler&& handler) {
    return net::async_compose<ReadHandler, void(beast::error_code, std::size_t)>(
        read_op<MutableBuffers>{*this, buffers}, handler, *this);
  }

  // Bytes already read from the connection with the upgrade request (a client may pipeline its
  // first frames behind it): the next reads return these before reading the socket again.
  // (Only kept when it holds something: the HTTP request's buffer is not held for the life of
  // the connection.)
  void preload(beast::flat_buffer&& bytes) {
    if (bytes.size() > 0) preloaded_ = std::make_unique<beast::flat_buffer>(std::move(bytes));
  }
  bool has_preloaded() const noexcept { return preloaded_ != nullptr; }

  // Writes all of `buffers` (never a part) once no other write is in progress.
  template <class ConstBuffers, class WriteHandler>
  auto async_write_some(const ConstBuffers& buffers, WriteHandler&& handler) {
    return net::async_compose<WriteHandler, void(beast::error_code, std::size_t)>(
        write_op<ConstBuffers>{*this, buffers}, handler, *this);
  }

 private:
  struct waiter {
    virtual ~waiter() = default;
    virtual void resume() = 0;
  };
  template <class Self>
  struct waiting_op final : waiter {
    explicit waiting_op(Self&& s) : self(std::move(s)) {}
    void resume() override { self(); }
    Self self;
  };

  template <class MutableBuffers>
  struct read_op {
    serialized_stream& stream;
    MutableBuffers buffers;
    enum { starting, from_preload, reading } state = starting;

    // With FrameBoundedReads, never past the end of the current frame.
    auto readable_part() const {
      if constexpr (FrameBoundedReads)
        return beast::buffers_prefix(stream.frames_.readable(), buffers);
      else
        return buffers;
    }

    template <class Self>
    void operator()(Self& self, beast::error_code ec = {}, std::size_t bytes = 0) {
      if (state == starting) {
        if (stream.has_preloaded()) {
          // Completed from a fresh handler, never inside the initiating call.
          state = from_preload;
          return net::post(stream.get_executor(), std::move(self));
        }
        state = reading;
        return stream.next_.async_read_some(readable_part(), std::move(self));
      }
      if (state == from_preload) {
        bytes = net::buffer_copy(readable_part(), stream.preloaded_->data());
        stream.preloaded_->consume(bytes);
        if (stream.preloaded_->size() == 0) stream.preloaded_.reset();
      }
      if constexpr (FrameBoundedReads) {
        for (auto piece : beast::buffers_prefix(bytes, buffers))
          stream.frames_.consumed(static_cast<const unsigned char*>(piece.data()), piece.size());
      }
      self.complete(ec, bytes);
    }
  };

  template <class ConstBuffers>
  struct write_op {
    serialized_stream& stream;
    ConstBuffers buffers;
    enum { starting, waiting, writing } state = starting;

    template <class Self>
    void operator()(Self& self, beast::error_code ec = {}, std::size_t bytes = 0) {
      if (state == writing) {
        stream.busy_ = false;
        stream.wake_next();
        // A replaced close frame reports the bytes Beast asked for.
        if (!ec && replaced) bytes = beast::buffer_bytes(buffers);
        return self.complete(ec, bytes);
      }
      if (stream.busy_) {
        state = waiting;
        stream.waiters_.push_back(std::make_unique<waiting_op<Self>>(std::move(self)));
        return;
      }
      state = writing;
      stream.busy_ = true;
      if (echoes_unassigned_close_code()) {
        replaced = true;
        return net::async_write(stream.next_, net::buffer(protocol_error_close), std::move(self));
      }
      net::async_write(stream.next_, buffers, std::move(self));
    }

    // Beast answers a client's close frame with the client's own code, and counts every code
    // from 3000 up as valid; RFC 6455 §7.4.2 assigns none from 5000. Such an echo is written
    // as a 1002 (protocol error) instead. Our own close codes are all below 5000, and a data
    // write never starts with a close frame's first byte, so one byte decides for every other
    // write.
    bool echoes_unassigned_close_code() const {
      const net::const_buffer first = *net::buffer_sequence_begin(buffers);
      const auto* bytes = static_cast<const unsigned char*>(first.data());
      if (first.size() < 4 || bytes[0] != 0x88 || (bytes[1] & 0x7F) < 2) return false;
      return (bytes[2] << 8 | bytes[3]) >= 5000;
    }

    bool replaced = false;
  };

  // An unmasked close frame with code 1002 and no reason.
  static constexpr std::array<unsigned char, 4> protocol_error_close{0x88, 0x02, 0x03, 0xEA};

  void wake_next() {
    if (waiters_.empty()) return;
    std::unique_ptr<waiter> next = std::move(waiters_.front());
    waiters_.erase(waiters_.begin());
    // Resumed from a fresh handler, never from inside the finishing write's completion.
    net::post(next_.get_executor(), [w = std::move(next)]() mutable { w->resume(); });
  }

  NextLayer next_;
  std::unique_ptr<beast::flat_buffer> preloaded_;  // only while it holds bytes
  frame_boundary frames_;                          // used with FrameBoundedReads only
  bool busy_ = false;
  // Rarely more than one (a ping or close behind a data batch): a vector, not a deque.
  std::vector<std::unique_ptr<waiter>> waiters_;
};

// Beast's close handshake tears the connection down through these (found by ADL).
template <class NextLayer, bool Bounded>
void teardown(beast::role_type role, serialized_stream<NextLayer, Bounded>& stream,
              beast::error_code& ec) {
  using websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, bool Bounded, class TeardownHandler>
void async_teardown(beast::role_type role, serialized_stream<NextLayer, Bounded>& stream,
                    TeardownHandler&& handler) {
  using websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace wsedge::edge
