// One WebSocket connection over a plain or TLS stream: its read loop, its close lifecycle and
// its keep-alive, wiring the client protocol handler and the connection writer together.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/client_protocol.hpp"
#include "edge/connection_slot.hpp"
#include "edge/connection_writer.hpp"
#include "edge/keepalive_policy.hpp"
#include "edge/net.hpp"
#include "edge/session.hpp"
#include "edge/session_transport.hpp"
#include "edge/shard.hpp"

namespace wsedge::edge {

class node_context;

enum class session_mode : std::uint8_t { client_protocol, echo };

// Stream: beast::tcp_stream or beast::ssl_stream<beast::tcp_stream> (explicitly instantiated),
// as the HTTP session hands it over.
template <class Stream>
class websocket_session final : public session,
                                public protocol_sink,
                                public writer_events,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(shard& home, Stream&& stream, identity who, session_mode mode,
                    connection_slot slot);

  // Completes the WebSocket handshake for `request` (selecting `subprotocol` when not empty),
  // then joins `initial_rooms`. `pipelined`: bytes the client sent behind the request.
  void run(http::request<http::string_body> request, connect_rooms initial_rooms,
           std::string subprotocol, beast::flat_buffer&& pipelined);

  // session
  bool send(const frame_ref& frame, const frame_ref& deflated) override;
  void flush() override;
  void close(std::uint16_t code, std::string_view reason, close_mode mode) override;
  void on_tick(clock::time_point now) override;
  bool is_open() const override { return state_ == state::open; }
  void on_join_answer(const std::string& room, join_answer answer) override;
  void on_publish_answer(const std::string& room, std::uint64_t seq, const std::string& epoch,
                         std::string_view error) override;
  void on_presence_answer(const std::string& room, std::vector<room_member> members,
                          bool truncated) override;
  void on_send_answer(const std::string& id, bool taken, std::string_view error) override;
  std::shared_ptr<session> shared() override { return this->shared_from_this(); }

  // protocol_sink
  const edge_config& config() const override;
  const identity& who() const override { return who_; }
  void reply(std::string text) override;
  void join(const std::string& room, bool count_only, const stream_position* since,
            bool join_leave) override;
  void send_frames(const std::vector<std::shared_ptr<const std::string>>& frames) override;
  void presence(const std::string& room) override;
  void attach(const std::string& room, local_rooms::slot& membership) override;
  void leave(const std::string& room, local_rooms::slot& membership) override;
  void publish(const std::string& room, std::string data, bool answer) override;
  void send_event(std::string room, std::string data, std::string id) override;
  void count_error(std::string_view kind) override;

  // writer_events
  std::shared_ptr<void> keep_alive() override { return this->shared_from_this(); }
  void on_write_failed(beast::error_code ec) override;
  void on_write_done() override;

 private:
  // open → flushing (a close waits for the queue) → closing (Beast's close handshake) → closed.
  enum class state : std::uint8_t { handshake, open, flushing, closing, closed };

  void on_accept(connect_rooms initial_rooms, beast::error_code ec);
  void await_message();
  void on_readable(beast::error_code ec);
  bool answer_keepalives();
  void judge_keepalives();
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void resume_reading();
  bool enqueue(frame_ref frame);
  // `frame` deflated for this connection alone (a reply, an echo, a replayed message) when it
  // takes compressed frames and it is worth it; else empty, and the plain frame is what to send.
  frame_ref deflated_copy(std::string_view frame);
  frame_ref own_frame(std::string frame) {
    if (frame_ref deflated = deflated_copy(frame)) return deflated;
    return frame_ref::owned(std::move(frame));
  }
  void continue_close();
  // The disconnected event: the close code sent or received (1006 when there was none).
  void record_end();
  void fail();
  // Beast failed the stream without a close frame (a compressed message that does not inflate):
  // says why with `code` in one best-effort frame when nothing else is being written.
  void close_after_failed_read(std::uint16_t code);
  void end();

  node_context& node() const { return home_.node(); }
  bool speaks_protocol() const { return mode_ == session_mode::client_protocol; }
  typename connection_writer<Stream>::parts writer_parts() {
    return {ws_, node(), home_.counters(), *this};
  }

  session_ws_stream<Stream> ws_;
  beast::flat_buffer read_buffer_;
  connection_writer<Stream> writer_;
  // Used by client-protocol connections only (not /ws/echo), from the handshake on.
  client_protocol protocol_;
  shard::registration registration_;
  connection_slot slot_;
  keepalive_state keepalive_;
  // Only from close() on (on the heap: most of a connection's life it is not closing).
  struct closing {
    websocket::close_reason why;
    clock::time_point started;
  };
  std::unique_ptr<closing> closing_;
  // The first bytes of a client ping or pong whose rest has not arrived (rarely set).
  std::unique_ptr<std::string> partial_keepalive_;
  std::uint32_t keepalives_to_judge_ = 0;
  session_mode mode_;
  state state_ = state::handshake;
  bool read_in_flight_ = false;
  // Held by its shard while it reads nothing and writes nothing, waiting for a room's owner
  // (which answers by serial, not by reference).
  bool held_ = false;
  bool ping_in_flight_ = false;
  bool overflowed_ = false;
  bool write_deferred_ = false;
  bool end_posted_ = false;
  // permessage-deflate was negotiated with the window wsedge compresses with (15 bits): the
  // shared compressed frames are valid here.
  bool deflate_out_ = false;
};

}  // namespace wsedge::edge
