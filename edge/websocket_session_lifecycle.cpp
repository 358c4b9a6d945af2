// WebSocket session: how a connection stays alive and how it ends. Keep-alive frames answered
// between messages, the shard timer's deadlines, and the close lifecycle (flush or discard,
// then Beast's close handshake). Instantiated for plain TCP and for TLS at the end of this file.
#include <algorithm>
#include <array>

#include "edge/close_reason.hpp"
#include "edge/node_context.hpp"
#include "edge/session_events.hpp"
#include "edge/websocket_session.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

constexpr std::uint16_t close_policy = 1008;
// A client's ping or pong: 2 header bytes, the mask key, at most 125 bytes of data.
constexpr std::size_t max_keepalive_frame_bytes = 2 + 4 + 125;
constexpr int max_keepalives_per_wakeup = 16;

}  // namespace

template <class Stream>
bool websocket_session<Stream>::answer_keepalives() {
  // True when the keep-alive frames waiting were answered and nothing else is next (a burst
  // yields to other connections every few frames: the next wait fires at once); false when
  // something else is next (data, a close, a partial frame, end of stream, an error): Beast
  // reads that.
  auto& socket = socket_of(beast::get_lowest_layer(ws_));
  beast::error_code ec;
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  std::array<unsigned char, max_keepalive_frame_bytes> bytes;
  for (int answered = 0; answered < max_keepalives_per_wakeup; ++answered) {
    // Answering may have failed a write and closed the socket.
    if (!socket.is_open() || state_ != state::open) return false;
    // A frame begun in an earlier wake-up continues with the bytes arriving now.
    const std::size_t have = partial_keepalive_ ? partial_keepalive_->size() : 0;
    if (have != 0) std::copy(partial_keepalive_->begin(), partial_keepalive_->end(), bytes.begin());
    const std::size_t peeked = socket.receive(net::buffer(bytes.data() + have, bytes.size() - have),
                                              tcp::socket::message_peek, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) return true;
    if (ec == net::error::interrupted) continue;
    if (ec || peeked == 0) return false;
    const std::span<const unsigned char> seen(bytes.data(), have + peeked);
    auto frame = parse_keepalive_frame(seen);
    if (!frame) {
      const std::size_t size = keepalive_frame_size(seen);
      if (size == 0) {
        // Not a keep-alive frame after all (a control frame over 125 bytes): Beast reads it and
        // closes with 1002, given back the bytes taken as a keep-alive's first.
        if (have == 0) return false;
        if constexpr (session_transport<Stream>::plain) {
          beast::flat_buffer taken;
          taken.commit(net::buffer_copy(taken.prepare(have), net::buffer(*partial_keepalive_)));
          partial_keepalive_.reset();
          ws_.next_layer().preload(std::move(taken));
        } else {
          fail();
        }
        return false;
      }
      // A ping or pong cut short: take its bytes and wait for the rest. Handed to Beast, it
      // would start a read that answers every later ping itself, past the rate limit.
      if (socket.receive(net::buffer(bytes.data() + have, peeked), 0, ec) != peeked) return false;
      if (!partial_keepalive_) partial_keepalive_ = std::make_unique<std::string>();
      partial_keepalive_->append(reinterpret_cast<const char*>(bytes.data()) + have, peeked);
      return true;
    }
    // Already buffered by the kernel: this takes exactly the rest of the peeked frame.
    if (socket.receive(net::buffer(bytes.data() + have, frame->size - have), 0, ec) !=
        frame->size - have)
      return false;
    partial_keepalive_.reset();
    keepalive_.last_activity = clock::now();
    // A ping flood is a flood: over the rate limit a ping gets no pong.
    if (speaks_protocol() && !protocol_.on_keepalive(keepalive_.last_activity)) continue;
    if (frame->is_ping) enqueue(frame_ref::owned(frame_pong(frame->payload)));
  }
  return true;
}

template <class Stream>
void websocket_session<Stream>::judge_keepalives() {
  const auto now = clock::now();
  for (; keepalives_to_judge_ > 0 && state_ == state::open; --keepalives_to_judge_)
    protocol_.on_keepalive(now);
  keepalives_to_judge_ = 0;
}

template <class Stream>
const edge_config& websocket_session<Stream>::config() const {
  return node().config();
}

// --- Closing ---

template <class Stream>
void websocket_session<Stream>::close(std::uint16_t code, std::string_view reason,
                                      close_mode mode) {
  if (state_ != state::open) return;
  state_ = state::flushing;
  closing_ = std::make_unique<closing>(closing{
      websocket::close_reason(static_cast<websocket::close_code>(code), close_reason_text(reason)),
      clock::now()});
  if (mode == close_mode::discard) writer_.discard(home_.counters());
  // No delivery reaches a closing connection (it counts in no publish's recipients).
  protocol_.leave_all();
  continue_close();
}

template <class Stream>
void websocket_session<Stream>::continue_close() {
  // Flush: everything queued goes out first, the close frame after it.
  writer_.write(writer_parts());
  if (!writer_.empty() || writer_.writing() || state_ != state::flushing) return;
  state_ = state::closing;
  // The handshake ends the session when it completes (an idle session has no read to do it).
  ws_.async_close(closing_->why,
                  [self = this->shared_from_this()](beast::error_code) { self->end(); });
}

template <class Stream>
void websocket_session<Stream>::on_tick(clock::time_point now) {
  const auto& cfg = node().config();
  if (state_ == state::closed || state_ == state::handshake) return;
  if (writer_.stalled(now, cfg.write_timeout)) {
    node().observer().on_error("write_timeout");
    return fail();
  }
  if (state_ != state::open) {
    // A flush and the close handshake after it get write_timeout in all.
    if (now - closing_->started > cfg.write_timeout) fail();
    return;
  }
  switch (next_keepalive_action(cfg, keepalive_, ping_in_flight_, now, who_.expires_at,
                                std::chrono::system_clock::now())) {
    case keepalive_action::none:
      return;
    case keepalive_action::token_expired:
      node().observer().on_error("token_expired");
      return close(close_policy, "token expired", close_mode::flush);
    case keepalive_action::dead_peer:
      node().observer().on_error("pong_timeout");
      return fail();
    case keepalive_action::ping:
      ping_in_flight_ = true;
      keepalive_.last_ping = now;
      ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) {
        self->ping_in_flight_ = false;
      });
      return;
  }
}

template <class Stream>
void websocket_session<Stream>::fail() {
  // The socket goes now; the session ends in a handler of its own, never inside the caller's
  // walk over members or sessions.
  beast::error_code ignored;
  socket_of(beast::get_lowest_layer(ws_)).close(ignored);
  if (end_posted_ || state_ == state::closed) return;
  end_posted_ = true;
  net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->end(); });
}

template <class Stream>
void websocket_session<Stream>::close_after_failed_read(std::uint16_t code) {
  closing_ = std::make_unique<closing>(closing{websocket::close_reason(code), clock::now()});
  if constexpr (session_transport<Stream>::plain) {
    // A few bytes into an idle socket's empty send buffer: they fit, or the peer gets none.
    if (writer_.writing() || ws_.next_layer().busy()) return;
    auto& socket = socket_of(beast::get_lowest_layer(ws_));
    const std::string frame = frame_close(code);
    beast::error_code ec;
    if (!socket.non_blocking()) socket.non_blocking(true, ec);
    socket.send(net::buffer(frame), 0, ec);
  }
}

template <class Stream>
void websocket_session<Stream>::record_end() {
  if (!node().events().active()) return;
  const websocket::close_reason& peer = ws_.reason();
  const websocket::close_reason* why = closing_ ? &closing_->why : &peer;
  if (why->code == websocket::close_code::none)
    return record_disconnected(node().events(), *this, websocket::close_code::abnormal, {});
  record_disconnected(node().events(), *this, why->code,
                      std::string_view(why->reason.data(), why->reason.size()));
}

template <class Stream>
void websocket_session<Stream>::end() {
  if (state_ == state::closed || state_ == state::handshake) return;
  state_ = state::closed;
  writer_.discard(home_.counters());
  protocol_.leave_all();
  if (speaks_protocol()) record_end();
  registration_ = {};
  node().observer().on_connection_closed();
  if (deflate_out_) node().deflater().connection_closed();
  // Cancels what is still in flight so the session is freed.
  beast::error_code ignored;
  socket_of(beast::get_lowest_layer(ws_)).close(ignored);
  if (std::exchange(held_, false))
    net::post(ws_.get_executor(), [hold = home_.release_hold(*this)] {});
  slot_ = {};
}

template bool websocket_session<beast::tcp_stream>::answer_keepalives();
template void websocket_session<beast::tcp_stream>::judge_keepalives();
template void websocket_session<beast::tcp_stream>::close(std::uint16_t, std::string_view,
                                                          close_mode);
template void websocket_session<beast::tcp_stream>::continue_close();
template void websocket_session<beast::tcp_stream>::on_tick(clock::time_point);
template void websocket_session<beast::tcp_stream>::fail();
template void websocket_session<beast::tcp_stream>::end();
template void websocket_session<beast::tcp_stream>::close_after_failed_read(std::uint16_t);
template bool websocket_session<beast::ssl_stream<beast::tcp_stream>>::answer_keepalives();
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::judge_keepalives();
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::close(std::uint16_t,
                                                                             std::string_view,
                                                                             close_mode);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::continue_close();
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::on_tick(clock::time_point);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::fail();
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::end();
template const edge_config& websocket_session<beast::tcp_stream>::config() const;
template const edge_config& websocket_session<beast::ssl_stream<beast::tcp_stream>>::config() const;
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::close_after_failed_read(
    std::uint16_t);

}  // namespace wsedge::edge
