// One WebSocket connection over a plain or TLS stream: reads client requests, answers them,
// and writes its outbound queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edge/net.hpp"
#include "edge/outbound_queue.hpp"
#include "edge/protocol.hpp"
#include "edge/serialized_stream.hpp"
#include "edge/session.hpp"
#include "edge/token_bucket.hpp"
#include "edge/token_verifier.hpp"

namespace wsedge::edge {

class shard;
struct hub_state;

enum class session_mode : std::uint8_t { client_protocol, echo };

// What carries a session's frames once the handshake's HTTP is done. A plain connection drops
// beast::tcp_stream's timers (the shard's tick times sessions) and keeps the bare socket: one
// allocation and ~0.5 KB less per connection. TLS keeps its stream as it is.
template <class Stream>
struct session_transport {
  using type = Stream;
  static constexpr bool plain = false;
  static type adopt(Stream&& stream, net::io_context&) { return std::move(stream); }
};
template <>
struct session_transport<beast::tcp_stream> {
  // Bound to the shard's io_context type rather than any_io_executor: every pending operation
  // keeps executor work guards, 8 bytes each instead of ~48.
  using type = net::basic_stream_socket<tcp, net::io_context::executor_type>;
  // Writes go straight to the socket when it has room, and an idle connection waits for the
  // socket to become readable with no WebSocket read (nor read buffer) pending.
  static constexpr bool plain = true;
  static type adopt(beast::tcp_stream&& stream, net::io_context& context) {
    tcp::socket socket = stream.release_socket();
    beast::error_code ec;
    const auto local = socket.local_endpoint(ec);
    type adopted(context);
    // On failure the adopted socket stays closed and the handshake fails like any other.
    if (!ec) {
      auto native = socket.release(ec);
      if (!ec) adopted.assign(local.protocol(), native, ec);
    }
    return adopted;
  }
};

// Stream: beast::tcp_stream or beast::ssl_stream<beast::tcp_stream> (explicitly instantiated),
// as the HTTP session hands it over.
template <class Stream>
class websocket_session final : public session,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(hub_state& hub, shard& home, Stream&& stream, identity who, session_mode m);

  // Completes the WebSocket handshake for `request` (selecting `subprotocol` when not empty),
  // then joins `initial_rooms`.
  void run(http::request<http::string_body> request, std::vector<std::string> initial_rooms,
           std::string subprotocol);

  bool send(const std::shared_ptr<const std::string>& framed) override;
  void flush() override;
  void close(std::uint16_t code, std::string_view reason) override;
  void on_tick(clock::time_point now) override;
  bool is_open() const override { return state_ == state::open; }
  std::shared_ptr<session> shared() override { return this->shared_from_this(); }

 private:
  enum class state : std::uint8_t { handshake, open, closing, closed };

  void on_accept(std::vector<std::string> initial_rooms, beast::error_code ec);
  void await_message();
  void on_readable(beast::error_code ec);
  bool answer_keepalives();
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void handle_text(std::string_view text);
  void handle_request(const client_request& request);
  void subscribe(const std::string& room, std::string_view id);
  void unsubscribe(const std::string& room, std::string_view id);
  void publish(const client_request& request);
  void reply_error(error_code code, std::string_view message, std::string_view id);
  void reply(std::string text);
  bool enqueue(outbound_frame frame);
  void do_write();
  bool write_now();
  void consume_written(std::size_t bytes);
  void count_sent(std::size_t frames, std::size_t bytes);
  void start_async_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void fail_write(beast::error_code ec);
  void leave_all_rooms();
  void abort();
  void end();
  bool is_member(std::string_view room) const;

  hub_state& hub_;
  shard& shard_;
  using transport = session_transport<Stream>;
  websocket::stream<serialized_stream<typename transport::type, transport::plain>> ws_;
  beast::flat_buffer read_buffer_;
  outbound_queue queue_;
  // The batch being written: its frames (kept alive) and the gather list pointing into them.
  // Only while an asynchronous write is in flight (the socket was full, or Beast was writing).
  struct write_batch {
    std::vector<std::shared_ptr<const std::string>> frames;
    std::vector<net::const_buffer> buffers;
  };
  std::unique_ptr<write_batch> batch_;
  // Bytes of the front frame already written by a short direct write (its rest goes next).
  std::size_t front_written_ = 0;
  std::vector<std::string> rooms_;
  token_bucket bucket_;
  // Small members together: no padding between them (memory per connection).
  std::uint32_t limited_streak_ = 0;
  session_mode mode_;
  state state_ = state::handshake;
  bool writing_ = false;
  bool ping_in_flight_ = false;
  bool overflowed_ = false;
  bool write_deferred_ = false;
  clock::time_point last_activity_;
  clock::time_point last_ping_;
  clock::time_point write_started_;
  clock::time_point close_started_;
};

}  // namespace wsedge::edge
