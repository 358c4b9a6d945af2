// What carries a session's frames once the handshake's HTTP is done, for plain TCP and for TLS.
#pragma once

#include <boost/beast/ssl.hpp>

#include "edge/net.hpp"
#include "edge/serialized_stream.hpp"

namespace wsedge::edge {

// A plain connection drops beast::tcp_stream's timers (the shard's tick times sessions) and keeps
// the bare socket: one allocation and ~0.5 KB less per connection. TLS keeps its stream as it is.
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

// The WebSocket stream of a session accepted over `Stream`.
template <class Stream>
using session_ws_stream = websocket::stream<
    serialized_stream<typename session_transport<Stream>::type, session_transport<Stream>::plain>>;

// The TCP socket under any layer of a session's stream.
template <class Socket>
Socket& socket_of(Socket& socket) {
  return socket;
}
inline tcp::socket& socket_of(beast::tcp_stream& stream) {
  return stream.socket();
}

}  // namespace wsedge::edge
