// WebSocket session: the upgrade, the read loop and the write queue of one connection.
// Instantiated for plain TCP and for TLS at the end of this file.
#include "edge/websocket_session.hpp"

#include "edge/deflate_negotiation.hpp"
#include "edge/exact_allocator.hpp"
#include "edge/node_context.hpp"
#include "edge/session_events.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

// Close codes of PROTOCOL.md.
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_slow_consumer = 4001;
constexpr std::uint16_t close_invalid_payload = 1007;

// Read granularity, and the read buffer a TLS connection (always reading) may keep between
// messages; a plain connection keeps none (see await_message).
constexpr std::size_t read_piece_bytes = 256;
constexpr std::size_t max_retained_read_bytes = 1024;

bool is_benign(const beast::error_code& ec) {
  return ec == net::error::operation_aborted || ec == websocket::error::closed ||
         ec == net::error::eof || ec == beast::error::timeout;
}

}  // namespace

template <class Stream>
websocket_session<Stream>::websocket_session(shard& home, Stream&& stream, identity who,
                                             session_mode mode, connection_slot slot)
    : session(home, std::move(who)),
      ws_(session_transport<Stream>::adopt(std::move(stream), home.context())),
      protocol_(*this, clock::now()),
      slot_(std::move(slot)),
      mode_(mode) {}

template <class Stream>
void websocket_session<Stream>::run(http::request<http::string_body> request,
                                    connect_rooms initial_rooms, std::string subprotocol,
                                    beast::flat_buffer&& pipelined) {
  const auto& cfg = node().config();
  // The shard's timer owns keep-alive and write deadlines; Beast times only the handshakes.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = cfg.write_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  if (cfg.permessage_deflate) {
    websocket::permessage_deflate deflate;
    deflate.server_enable = true;
    // Every message is deflated on its own, so one compressed frame fits every connection.
    deflate.server_no_context_takeover = true;
    ws_.set_option(deflate);
  }
  std::string offered;
  if (cfg.permessage_deflate) offered = request[http::field::sec_websocket_extensions];
  ws_.set_option(websocket::stream_base::decorator(
      [this, subprotocol = std::move(subprotocol),
       offered = std::move(offered)](websocket::response_type& res) {
        res.set(http::field::server, "wsedge");
        // Browsers drop a connection whose offered subprotocol is not selected.
        if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
        // Beast negotiated before this runs, and configures the stream from the answer as it
        // leaves here. A client that asked for a window under 15 bits (rare) gets plain frames:
        // the shared compressed ones use the full window.
        const auto negotiated = res[http::field::sec_websocket_extensions];
        if (negotiated.empty()) return;
        deflate_answer answer = settle_deflate_answer(offered, negotiated);
        deflate_out_ = answer.shared_frames;
        if (answer.extensions.empty())
          res.erase(http::field::sec_websocket_extensions);
        else if (answer.extensions != negotiated)
          res.set(http::field::sec_websocket_extensions, answer.extensions);
      }));
  ws_.read_message_max(cfg.max_message_bytes);
  ws_.auto_fragment(false);
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    keepalive_.last_activity = clock::now();
    // Pings Beast reads itself (in the middle of a message) count against the rate limit too;
    // judged in a handler of our own, never inside Beast's read.
    if (kind == websocket::frame_type::close || !speaks_protocol() || keepalives_to_judge_++ != 0)
      return;
    net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->judge_keepalives(); });
  });
  ws_.next_layer().preload(std::move(pipelined));
  ws_.async_accept(request,
                   [self = this->shared_from_this(), rooms = std::move(initial_rooms)](
                       beast::error_code ec) mutable { self->on_accept(std::move(rooms), ec); });
}

template <class Stream>
void websocket_session<Stream>::on_accept(connect_rooms initial_rooms, beast::error_code ec) {
  if (ec) {
    node().observer().on_connection_rejected("handshake");
    return;
  }
  state_ = state::open;
  // The handshake's decorator (its strings on the heap) would otherwise stay for good.
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type&) {}));
  keepalive_.last_activity = keepalive_.last_ping = clock::now();
  registration_ = home_.enroll(*this, serial_);
  node().observer().on_connection_opened();
  if (deflate_out_) node().deflater().connection_opened();
  if (mode_ == session_mode::client_protocol) {
    record_connected(node().events(), *this);
    reply(encode_connected(client_id(), who_.user_id, now_unix_ms()));
    protocol_.join_on_connect(std::move(initial_rooms));
  }
  // Accepted while the node began draining: it goes at once, like the others.
  if (node().draining()) close(close_going_away, "server is draining", close_mode::flush);
  resume_reading();
}

// --- Reading ---

template <class Stream>
void websocket_session<Stream>::resume_reading() {
  if (state_ != state::open || read_in_flight_) return;
  if (protocol_.waiting()) {
    // Nothing else holds the session while it waits for the room's owner.
    if (!std::exchange(held_, true)) home_.hold(this->shared_from_this());
    return;
  }
  // Released after the read below took its own reference.
  auto hold = std::exchange(held_, false) ? home_.release_hold(*this) : nullptr;
  await_message();
}

template <class Stream>
void websocket_session<Stream>::await_message() {
  read_in_flight_ = true;
  if constexpr (session_transport<Stream>::plain) {
    // Reads stop at frame ends, so between messages Beast holds no unread bytes: wait for the
    // socket itself, holding neither a WebSocket read operation nor a read buffer (~1 KB).
    if (ws_.next_layer().at_frame_start() && !ws_.next_layer().has_preloaded()) {
      read_buffer_.shrink_to_fit();
      beast::get_lowest_layer(ws_).async_wait(
          tcp::socket::wait_read,
          net::bind_allocator(exact_allocator<void>{},
                              beast::bind_front_handler(&websocket_session::on_readable,
                                                        this->shared_from_this())));
      return;
    }
  }
  do_read();
}

template <class Stream>
void websocket_session<Stream>::on_readable(beast::error_code ec) {
  read_in_flight_ = false;
  // Aborted (or failed): nothing else reads this socket, so the session ends here.
  if (ec) return end();
  // Closing: Beast's close handshake reads the socket now.
  if (state_ != state::open) return;
  if (answer_keepalives()) return resume_reading();
  if (state_ != state::open) return;
  read_in_flight_ = true;
  do_read();
}

template <class Stream>
void websocket_session<Stream>::do_read() {
  // Read in small pieces so a pending read holds a small buffer, not the ~1.5 KB Beast would
  // prepare; a message larger than the piece takes several reads.
  ws_.async_read_some(
      read_buffer_, read_piece_bytes,
      beast::bind_front_handler(&websocket_session::on_read, this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  read_in_flight_ = false;
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      node().observer().on_error("message_too_big");
      closing_ = std::make_unique<closing>(
          closing{websocket::close_reason(websocket::close_code::too_big), clock::now()});
    } else if (ec.category() ==
               beast::zlib::make_error_code(beast::zlib::error::general).category()) {
      // Compressed data that does not inflate: invalid payload data (RFC 7692 §8).
      node().observer().on_error("read");
      if (state_ == state::open) close_after_failed_read(close_invalid_payload);
    } else if (!is_benign(ec) && state_ == state::open) {
      node().observer().on_error("read");
    }
    return end();
  }
  // Closing: the rest of this message is not ours to read. Beast's close handshake reads (and
  // discards) what the peer sends until its close frame.
  if (state_ != state::open) return;
  if (!ws_.is_message_done()) {
    read_in_flight_ = true;
    return do_read();
  }
  const auto now = clock::now();
  keepalive_.last_activity = now;
  node().observer().on_messages_received(1);
  std::string_view text(static_cast<const char*>(read_buffer_.data().data()), read_buffer_.size());
  if (mode_ == session_mode::echo)
    enqueue(own_frame(frame_message(text, !ws_.got_text())));
  else
    protocol_.on_message(text, !ws_.got_text(), now);
  read_buffer_.consume(read_buffer_.size());
  // A rare large message leaves a large buffer behind: give it back.
  if (read_buffer_.capacity() > max_retained_read_bytes) read_buffer_.shrink_to_fit();
  resume_reading();
}

template <class Stream>
void websocket_session<Stream>::on_join_answer(const std::string& room, join_answer answer) {
  protocol_.on_join_answer(room, answer);
  resume_reading();
}

template <class Stream>
void websocket_session<Stream>::on_publish_answer(const std::string& room, std::uint64_t seq,
                                                  const std::string& epoch,
                                                  std::string_view error) {
  protocol_.on_publish_answer(room, seq, epoch, error);
  resume_reading();
}

template <class Stream>
void websocket_session<Stream>::on_presence_answer(const std::string& room,
                                                   std::vector<room_member> members,
                                                   bool truncated) {
  protocol_.on_presence_answer(room, members, truncated);
  resume_reading();
}

// --- Writing ---

template <class Stream>
bool websocket_session<Stream>::send(const frame_ref& frame, const frame_ref& deflated) {
  return enqueue(deflate_out_ && deflated ? deflated : frame);
}

template <class Stream>
frame_ref websocket_session<Stream>::deflated_copy(std::string_view frame) {
  if (!deflate_out_) return {};
  std::string deflated = node().deflater().deflate_frame(frame);
  return deflated.empty() ? frame_ref() : frame_ref::owned(std::move(deflated));
}

template <class Stream>
bool websocket_session<Stream>::enqueue(frame_ref frame) {
  if (state_ != state::open || overflowed_) return false;
  if (writer_.push(writer_parts(), std::move(frame)) == push_result::overflow) {
    // Closing here could change the member list a delivery is walking; close on the next turn.
    overflowed_ = true;
    writer_.discard(home_.counters());
    node().observer().on_slow_consumer();
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->overflowed_ = false;
      self->close(close_slow_consumer, "slow consumer: outbound queue overflowed",
                  close_mode::discard);
    });
    return false;
  }
  if (writer_.writing() || write_deferred_) return true;
  if (home_.delivering()) {
    write_deferred_ = true;
    home_.defer_write(*this);
  } else {
    writer_.write(writer_parts());
  }
  return true;
}

template <class Stream>
void websocket_session<Stream>::flush() {
  write_deferred_ = false;
  if (state_ == state::open || state_ == state::flushing) writer_.write(writer_parts());
  if (state_ == state::flushing) continue_close();
}

template <class Stream>
void websocket_session<Stream>::on_write_done() {
  if (state_ == state::open)
    writer_.write(writer_parts());
  else if (state_ == state::flushing)
    continue_close();
}

template <class Stream>
void websocket_session<Stream>::on_write_failed(beast::error_code ec) {
  if (!is_benign(ec) && state_ != state::closed) node().observer().on_error("write");
  fail();
}

template class websocket_session<beast::tcp_stream>;
template class websocket_session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace wsedge::edge
