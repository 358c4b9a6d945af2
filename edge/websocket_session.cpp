// WebSocket session: the client protocol on one connection, with one write in flight at a time.
// Instantiated for plain TCP and for TLS at the end of this file.
#include "edge/websocket_session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cerrno>

#include "edge/exact_allocator.hpp"
#include "edge/hub_state.hpp"
#include "edge/room_access.hpp"
#include "edge/shard.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

// Close codes of PROTOCOL.md.
constexpr std::uint16_t close_policy = 1008;
constexpr std::uint16_t close_slow_consumer = 4001;

// Read granularity, and the read buffer a TLS connection (always reading) may keep between
// messages; a plain connection keeps none (see await_message).
constexpr std::size_t read_piece_bytes = 256;
constexpr std::size_t max_retained_read_bytes = 1024;
// A client's ping or pong: 2 header bytes, the mask key, at most 125 bytes of data.
constexpr std::size_t max_keepalive_frame_bytes = 2 + 4 + 125;
constexpr int max_keepalives_per_wakeup = 16;

// One gather write carries up to this many queued frames / bytes: a reader that is behind gets
// its backlog in few system calls instead of one per message.
constexpr std::size_t max_batch_frames = 64;
constexpr std::size_t max_batch_bytes = 256 * 1024;

template <class Socket>
Socket& socket_of(Socket& socket) {
  return socket;
}
tcp::socket& socket_of(beast::tcp_stream& stream) {
  return stream.socket();
}

bool is_benign(const beast::error_code& ec) {
  return ec == net::error::operation_aborted || ec == websocket::error::closed ||
         ec == net::error::eof || ec == beast::error::timeout;
}

}  // namespace

template <class Stream>
websocket_session<Stream>::websocket_session(hub_state& hub, shard& home, Stream&& stream,
                                             identity who, session_mode m)
    : session(std::move(who)),
      hub_(hub),
      shard_(home),
      ws_(session_transport<Stream>::adopt(std::move(stream), home.context())),
      bucket_(hub.config.message_rate, hub.config.message_burst, clock::now()),
      mode_(m) {}

template <class Stream>
void websocket_session<Stream>::run(http::request<http::string_body> request,
                                    std::vector<std::string> initial_rooms,
                                    std::string subprotocol) {
  const auto& cfg = hub_.config;
  // The shard's timer owns keep-alive and write deadlines; Beast times only the handshakes.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = cfg.write_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [subprotocol = std::move(subprotocol)](websocket::response_type& res) {
        res.set(http::field::server, "wsedge");
        // Browsers drop a connection whose offered subprotocol is not selected.
        if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
      }));
  ws_.read_message_max(cfg.max_message_bytes);
  ws_.auto_fragment(false);
  ws_.control_callback(
      [this](websocket::frame_type, beast::string_view) { last_activity_ = clock::now(); });
  ws_.async_accept(request,
                   [self = this->shared_from_this(), rooms = std::move(initial_rooms)](
                       beast::error_code ec) mutable { self->on_accept(std::move(rooms), ec); });
}

template <class Stream>
void websocket_session<Stream>::on_accept(std::vector<std::string> initial_rooms,
                                          beast::error_code ec) {
  if (ec) {
    hub_.observer.on_connection_rejected("handshake");
    return;
  }
  state_ = state::open;
  last_activity_ = last_ping_ = clock::now();
  client_id_ = shard_.next_client_id();
  shard_.add(*this);
  hub_.connections.fetch_add(1, std::memory_order_relaxed);
  hub_.observer.on_connection_opened();
  if (mode_ == session_mode::client_protocol) {
    reply(encode_connected(client_id_, who_.user_id, now_unix_ms()));
    for (const std::string& room : initial_rooms) subscribe(room, {});
  }
  await_message();
}

template <class Stream>
void websocket_session<Stream>::await_message() {
  if constexpr (transport::plain) {
    // Reads stop at frame ends, so between messages Beast holds no unread bytes: wait for the
    // socket itself, holding neither a WebSocket read operation nor a read buffer (~1 KB).
    if (state_ == state::open && ws_.next_layer().at_frame_start()) {
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
  // Aborted (or failed): nothing else reads this socket, so the session ends here.
  if (ec) return end();
  // Closing: Beast's close handshake reads the socket now.
  if (state_ != state::open) return;
  if (answer_keepalives()) return await_message();
  do_read();
}

template <class Stream>
bool websocket_session<Stream>::answer_keepalives() {
  // True when the keep-alive frames waiting were answered and nothing else is next (a burst
  // yields to other connections every few frames: the next wait fires at once); false when
  // something else is next (data, a close, a partial frame, end of stream, an error): Beast
  // reads that.
  auto& socket = socket_of(beast::get_lowest_layer(ws_));
  std::array<unsigned char, max_keepalive_frame_bytes> bytes;
  for (int answered = 0; answered < max_keepalives_per_wakeup; ++answered) {
    // Answering may have failed a write and closed the socket: its number is no longer ours.
    if (!socket.is_open()) return false;
    const int fd = socket.native_handle();
    const ssize_t peeked = ::recv(fd, bytes.data(), bytes.size(), MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0 && errno == EINTR) continue;
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (peeked <= 0) return false;
    auto frame = parse_keepalive_frame({bytes.data(), static_cast<std::size_t>(peeked)});
    if (!frame) return false;
    // Already buffered by the kernel: this takes exactly the peeked frame.
    if (::recv(fd, bytes.data(), frame->size, MSG_DONTWAIT) != static_cast<ssize_t>(frame->size))
      return false;
    last_activity_ = clock::now();
    if (frame->is_ping) enqueue({std::make_shared<const std::string>(frame_pong(frame->payload))});
  }
  return true;
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
  if (!ec && !ws_.is_message_done()) return do_read();
  if (ec) {
    if (ec == websocket::error::message_too_big)
      hub_.observer.on_error("message_too_big");
    else if (!is_benign(ec))
      hub_.observer.on_error("read");
    end();
    return;
  }
  last_activity_ = clock::now();
  shard_.count_in(1);
  hub_.observer.on_messages_received(1);
  if (state_ == state::open) {
    std::string_view text(static_cast<const char*>(read_buffer_.data().data()),
                          read_buffer_.size());
    if (mode_ == session_mode::echo) {
      enqueue({std::make_shared<const std::string>(frame_message(text, !ws_.got_text()))});
    } else if (!ws_.got_text()) {
      reply_error(error_code::invalid_json, "binary frames are not accepted; send JSON text", {});
    } else {
      handle_text(text);
    }
  }
  read_buffer_.consume(read_buffer_.size());
  // A rare large message leaves a large buffer behind: give it back.
  if (read_buffer_.capacity() > max_retained_read_bytes) read_buffer_.shrink_to_fit();
  // Keep reading while closing too: the close handshake's answer arrives through the read.
  if (state_ == state::open)
    await_message();
  else
    do_read();
}

template <class Stream>
void websocket_session<Stream>::handle_text(std::string_view text) {
  if (!bucket_.try_take(clock::now())) {
    // A client that keeps flooding after being told is closed rather than answered forever.
    if (++limited_streak_ > hub_.config.message_burst) {
      hub_.observer.on_error("rate_limit_close");
      close(close_policy, "message rate limit exceeded");
      return;
    }
    reply_error(error_code::rate_limited, "too many messages; slow down", {});
    return;
  }
  limited_streak_ = 0;
  parse_result parsed = parse_request(text);
  if (const auto* error = std::get_if<request_error>(&parsed)) {
    reply_error(error->code, error->message, error->id);
    return;
  }
  handle_request(std::get<client_request>(parsed));
}

template <class Stream>
void websocket_session<Stream>::handle_request(const client_request& request) {
  switch (request.type) {
    case request_type::subscribe:
      subscribe(request.room, request.id);
      break;
    case request_type::unsubscribe:
      unsubscribe(request.room, request.id);
      break;
    case request_type::publish:
      publish(request);
      break;
    case request_type::rooms:
      reply(encode_rooms(rooms_, request.id));
      break;
    case request_type::ping:
      reply(encode_pong(now_unix_ms(), request.id));
      break;
    case request_type::heartbeat:
      break;
  }
}

template <class Stream>
bool websocket_session<Stream>::is_member(std::string_view room) const {
  return std::find(rooms_.begin(), rooms_.end(), room) != rooms_.end();
}

template <class Stream>
void websocket_session<Stream>::subscribe(const std::string& room, std::string_view id) {
  if (is_member(room)) {
    reply(encode_subscribed(room, hub_.directory.members(room), id));
    return;
  }
  if (rooms_.size() >= hub_.config.max_subscriptions) {
    reply_error(
        error_code::too_many_subscriptions,
        "at most " + std::to_string(hub_.config.max_subscriptions) + " rooms per connection", id);
    return;
  }
  if (!may_join(who_, room) ||
      !rules_allow(hub_.config.room_rules, room, who_.role, room_action::subscribe)) {
    reply_error(error_code::forbidden, "not allowed to join " + room, id);
    return;
  }
  // Joining the directory before the local index is safe: a publish that sees the new count
  // delivers on this thread, after this handler has added the member.
  auto joined = hub_.directory.join(room, shard_.index(), hub_.config.max_room_members);
  if (!joined.joined) {
    reply_error(error_code::room_full, "room " + room + " is full", id);
    return;
  }
  shard_.rooms().add(room, this);
  rooms_.push_back(room);
  shard_.count_subscriptions(1);
  hub_.observer.on_subscribed();
  reply(encode_subscribed(room, joined.members, id));
}

template <class Stream>
void websocket_session<Stream>::unsubscribe(const std::string& room, std::string_view id) {
  auto it = std::find(rooms_.begin(), rooms_.end(), room);
  if (it == rooms_.end()) {
    reply_error(error_code::not_subscribed, "not subscribed to " + room, id);
    return;
  }
  shard_.rooms().remove(room, this);
  hub_.directory.leave(room, shard_.index());
  rooms_.erase(it);
  shard_.count_subscriptions(-1);
  hub_.observer.on_unsubscribed();
  reply(encode_unsubscribed(room, id));
}

template <class Stream>
void websocket_session<Stream>::publish(const client_request& request) {
  if (!hub_.config.client_publish) {
    reply_error(error_code::forbidden, "client publishing is disabled on this server", request.id);
    return;
  }
  if (!is_member(request.room)) {
    reply_error(error_code::not_subscribed, "subscribe to " + request.room + " before publishing",
                request.id);
    return;
  }
  if (!rules_allow(hub_.config.room_rules, request.room, who_.role, room_action::publish)) {
    reply_error(error_code::forbidden, "not allowed to publish into " + request.room, request.id);
    return;
  }
  hub_.observer.on_published(publish_source::client);
  std::uint64_t seq = hub_.publish_room(request.room, request.data, client_id_, nullptr);
  if (!request.id.empty()) reply(encode_published(request.room, seq, request.id));
}

template <class Stream>
void websocket_session<Stream>::reply_error(error_code code, std::string_view message,
                                            std::string_view id) {
  hub_.observer.on_error(to_string(code));
  reply(encode_error(code, message, id));
}

template <class Stream>
void websocket_session<Stream>::reply(std::string text) {
  enqueue({std::make_shared<const std::string>(frame_message(text))});
}

template <class Stream>
bool websocket_session<Stream>::send(const std::shared_ptr<const std::string>& framed) {
  return enqueue({framed});
}

template <class Stream>
bool websocket_session<Stream>::enqueue(outbound_frame frame) {
  if (state_ != state::open || overflowed_) return false;
  if (queue_.push(std::move(frame), hub_.queue_bounds) == push_result::overflow) {
    // Closing here could change the member list a delivery is walking; close on the next turn.
    overflowed_ = true;
    queue_.clear();
    hub_.observer.on_slow_consumer();
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->close(close_slow_consumer, "slow consumer: outbound queue overflowed");
    });
    return false;
  }
  if (writing_ || write_deferred_) return true;
  if (shard_.delivering()) {
    write_deferred_ = true;
    shard_.defer_write(*this);
  } else {
    do_write();
  }
  return true;
}

template <class Stream>
void websocket_session<Stream>::flush() {
  write_deferred_ = false;
  do_write();
}

template <class Stream>
void websocket_session<Stream>::do_write() {
  // Are we already writing? One batch at a time; and nothing after Beast saw a close.
  if (writing_ || queue_.empty() || !ws_.is_open()) return;
  if constexpr (transport::plain) {
    // Usually the socket has room: the frames leave now in one system call, with no
    // asynchronous operation to set up and complete. Not while Beast writes (a ping, a close).
    if (!ws_.next_layer().busy() && !write_now()) return;
    if (queue_.empty()) return;
  }
  start_async_write();
}

template <class Stream>
bool websocket_session<Stream>::write_now() {
  const int fd = socket_of(beast::get_lowest_layer(ws_)).native_handle();
  std::array<iovec, max_batch_frames> iov;
  while (!queue_.empty()) {
    std::size_t count = 0;
    std::size_t bytes = 0;
    for (; count < queue_.size() && count < iov.size() && bytes < max_batch_bytes; ++count) {
      // front_written_ is 0 here: a short write hands the rest to the asynchronous write.
      const std::string& frame = *queue_[count].payload;
      iov[count] = {const_cast<char*>(frame.data()), frame.size()};
      bytes += frame.size();
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = count;
    const ssize_t written = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      // Full: the asynchronous write waits for room.
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      fail_write(beast::error_code(errno, beast::system_category()));
      return false;
    }
    consume_written(static_cast<std::size_t>(written));
    if (static_cast<std::size_t>(written) < bytes) return true;
  }
  return true;
}

template <class Stream>
void websocket_session<Stream>::consume_written(std::size_t bytes) {
  std::size_t frames = 0;
  for (std::size_t left = bytes; left > 0;) {
    const std::size_t rest = queue_.front().payload->size() - front_written_;
    if (left < rest) {
      front_written_ += left;
      break;
    }
    left -= rest;
    front_written_ = 0;
    queue_.pop();
    ++frames;
  }
  count_sent(frames, bytes);
}

template <class Stream>
void websocket_session<Stream>::count_sent(std::size_t frames, std::size_t bytes) {
  shard_.count_out(frames);
  hub_.observer.on_messages_sent(frames, bytes);
}

template <class Stream>
void websocket_session<Stream>::start_async_write() {
  writing_ = true;
  write_started_ = clock::now();
  std::size_t bytes = 0;
  batch_ = std::make_unique<write_batch>();
  while (!queue_.empty() && batch_->frames.size() < max_batch_frames && bytes < max_batch_bytes) {
    const auto& frame = queue_.front().payload;
    bytes += frame->size();
    batch_->buffers.push_back(net::buffer(*frame) + front_written_);
    front_written_ = 0;
    batch_->frames.push_back(frame);
    queue_.pop();
  }
  // The frames are complete and pre-framed, so the whole batch goes out as one gather write;
  // the serialized next layer keeps Beast's own frames (pong, ping, close) from interleaving.
  ws_.next_layer().async_write_some(
      std::span<const net::const_buffer>(batch_->buffers),
      beast::bind_front_handler(&websocket_session::on_write, this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_write(beast::error_code ec, std::size_t bytes) {
  writing_ = false;
  const std::size_t frames = batch_->frames.size();
  batch_.reset();
  if (ec) return fail_write(ec);
  count_sent(frames, bytes);
  if (state_ == state::open) do_write();
}

template <class Stream>
void websocket_session<Stream>::fail_write(beast::error_code ec) {
  if (!is_benign(ec)) hub_.observer.on_error("write");
  abort();
}

template <class Stream>
void websocket_session<Stream>::close(std::uint16_t code, std::string_view reason) {
  if (state_ != state::open) return;
  state_ = state::closing;
  close_started_ = clock::now();
  // Deliveries waiting for a write_delay window still go out ahead of the close frame (the
  // serialized next layer orders Beast's close after them); a slow consumer's backlog does not.
  if (write_deferred_ && code != close_slow_consumer) {
    write_deferred_ = false;
    do_write();
  }
  queue_.clear();
  leave_all_rooms();
  // A close reason is at most 123 bytes on the wire.
  websocket::close_reason why(static_cast<websocket::close_code>(code), reason.substr(0, 123));
  // The handshake ends the session when it completes (an idle session has no read to do it).
  ws_.async_close(why, [self = this->shared_from_this()](beast::error_code) { self->end(); });
}

template <class Stream>
void websocket_session<Stream>::on_tick(clock::time_point now) {
  const auto& cfg = hub_.config;
  if (state_ == state::closed || state_ == state::handshake) return;
  if (writing_ && now - write_started_ > cfg.write_timeout) {
    hub_.observer.on_error("write_timeout");
    abort();
    return;
  }
  if (state_ == state::closing) {
    if (now - close_started_ > cfg.write_timeout) abort();
    return;
  }
  if (who_.expires_at && std::chrono::system_clock::now() >= *who_.expires_at) {
    hub_.observer.on_error("token_expired");
    close(close_policy, "token expired");
    return;
  }
  if (now - last_activity_ > cfg.pong_timeout) {
    hub_.observer.on_error("pong_timeout");
    abort();
    return;
  }
  if (!ping_in_flight_ && now - last_activity_ >= cfg.ping_interval &&
      now - last_ping_ >= cfg.ping_interval) {
    ping_in_flight_ = true;
    last_ping_ = now;
    ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) {
      self->ping_in_flight_ = false;
    });
  }
}

template <class Stream>
void websocket_session<Stream>::leave_all_rooms() {
  for (const std::string& room : rooms_) {
    shard_.rooms().remove(room, this);
    hub_.directory.leave(room, shard_.index());
    hub_.observer.on_unsubscribed();
  }
  shard_.count_subscriptions(-static_cast<std::int64_t>(rooms_.size()));
  rooms_.clear();
}

template <class Stream>
void websocket_session<Stream>::abort() {
  beast::error_code ignored;
  socket_of(beast::get_lowest_layer(ws_)).close(ignored);
}

template <class Stream>
void websocket_session<Stream>::end() {
  if (state_ == state::closed || state_ == state::handshake) return;
  state_ = state::closed;
  queue_.clear();
  leave_all_rooms();
  shard_.remove(*this);
  hub_.connections.fetch_sub(1, std::memory_order_relaxed);
  hub_.observer.on_connection_closed();
  // Cancels a write still in flight so the session is freed.
  abort();
}

template class websocket_session<beast::tcp_stream>;
template class websocket_session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace wsedge::edge
