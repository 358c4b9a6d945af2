// One WebSocket connection: reads client requests, answers them, and writes its outbound queue.
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
#include "edge/token_bucket.hpp"
#include "edge/token_verifier.hpp"

namespace wsedge::edge {

class shard;
struct hub_state;

class session : public std::enable_shared_from_this<session> {
 public:
  using clock = std::chrono::steady_clock;
  enum class mode { client_protocol, echo };

  session(hub_state& hub, shard& home, beast::tcp_stream&& stream, identity who, mode m);

  // Completes the WebSocket handshake for `request` (selecting `subprotocol` when not empty),
  // then joins `initial_rooms`.
  void run(http::request<http::string_body> request, std::vector<std::string> initial_rooms,
           std::string subprotocol);

  // --- Shard thread only. ---
  // Queues a frame; a full queue makes this a slow consumer (closed with 4001 soon after).
  bool send(const std::shared_ptr<const std::string>& payload);
  // Starts writing what is queued (after a deferred batch of deliveries).
  void flush();
  // Starts the close handshake with `code`; the session ends when it completes or times out.
  void close(std::uint16_t code, std::string_view reason);
  // Called by the shard's timer: keep-alive pings and dead-peer detection.
  void on_tick(clock::time_point now);

  const std::string& client_id() const { return client_id_; }
  const identity& who() const { return who_; }
  bool is_open() const { return state_ == state::open; }

 private:
  enum class state { handshake, open, closing, closed };

  void on_accept(std::vector<std::string> initial_rooms, beast::error_code ec);
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
  void on_write(beast::error_code ec, std::size_t bytes);
  void leave_all_rooms();
  void abort();
  void end();
  bool is_member(std::string_view room) const;

  hub_state& hub_;
  shard& shard_;
  websocket::stream<serialized_stream> ws_;
  beast::flat_buffer read_buffer_;
  outbound_queue queue_;
  // The batch being written: its frames (kept alive) and the gather list pointing into them.
  std::vector<std::shared_ptr<const std::string>> in_flight_;
  std::vector<net::const_buffer> write_buffers_;
  identity who_;
  mode mode_;
  std::string client_id_;
  std::vector<std::string> rooms_;
  token_bucket bucket_;
  std::uint64_t limited_streak_ = 0;
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
