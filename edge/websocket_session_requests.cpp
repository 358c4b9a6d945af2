// WebSocket session: what the client protocol handler asks of its connection (the
// protocol_sink side): replies, joins and leaves through the shard, publishes, and client
// messages for the backends' event stream (and their answers). Instantiated for plain TCP and for
// TLS at the end.
#include "edge/node_context.hpp"
#include "edge/session_events.hpp"
#include "edge/shard.hpp"
#include "edge/websocket_session.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::edge {

template <class Stream>
void websocket_session<Stream>::reply(std::string text) {
  enqueue(own_frame(frame_message(text)));
}

template <class Stream>
void websocket_session<Stream>::join(const std::string& room, bool count_only,
                                     const stream_position* since, bool join_leave) {
  home_.join_room(*this, room, count_only, since, join_leave);
}

template <class Stream>
void websocket_session<Stream>::send_frames(
    const std::vector<std::shared_ptr<const std::string>>& frames) {
  for (const auto& frame : frames) {
    frame_ref deflated = deflated_copy(*frame);
    if (!enqueue(deflated ? std::move(deflated) : frame_ref::shared(frame))) return;
  }
}

template <class Stream>
void websocket_session<Stream>::presence(const std::string& room) {
  home_.presence_for(*this, room);
}

template <class Stream>
void websocket_session<Stream>::attach(const std::string& room, local_rooms::slot& membership) {
  home_.attach(room, *this, membership);
}

template <class Stream>
void websocket_session<Stream>::leave(const std::string& room, local_rooms::slot& membership) {
  home_.leave_room(room, *this, membership);
}

template <class Stream>
void websocket_session<Stream>::publish(const std::string& room, std::string data, bool answer) {
  node().observer().on_published(publish_source::client);
  home_.publish_from_client(room, std::move(data), *this, answer);
}

template <class Stream>
void websocket_session<Stream>::send_event(std::string room, std::string data, std::string id) {
  if (!node().events().clustered()) {
    // Answered at once, on this thread: the handler replies before the next request is read.
    return record_client_message(node().events(), *this, std::move(room), std::move(data),
                                 [this, &id](bool taken, const std::string& error) {
                                   protocol_.on_send_answer(id, taken, error);
                                 });
  }
  // Answered on the engine's thread once the cluster numbered it: back to this shard, to this
  // session if it is still there.
  record_client_message(
      node().events(), *this, std::move(room), std::move(data),
      [&shard = home_, serial = serial(), id = std::move(id)](bool taken, std::string error) {
        shard.post_to_session(serial, [id, taken, error = std::move(error)](session& s) {
          s.on_send_answer(id, taken, error);
        });
      });
}

template <class Stream>
void websocket_session<Stream>::on_send_answer(const std::string& id, bool taken,
                                               std::string_view error) {
  protocol_.on_send_answer(id, taken, error);
  resume_reading();
}

template <class Stream>
void websocket_session<Stream>::count_error(std::string_view kind) {
  node().observer().on_error(kind);
}

template void websocket_session<beast::tcp_stream>::reply(std::string);
template void websocket_session<beast::tcp_stream>::join(const std::string&, bool,
                                                         const stream_position*, bool);
template void websocket_session<beast::tcp_stream>::send_frames(
    const std::vector<std::shared_ptr<const std::string>>&);
template void websocket_session<beast::tcp_stream>::presence(const std::string&);
template void websocket_session<beast::tcp_stream>::attach(const std::string&, local_rooms::slot&);
template void websocket_session<beast::tcp_stream>::leave(const std::string&, local_rooms::slot&);
template void websocket_session<beast::tcp_stream>::publish(const std::string&, std::string, bool);
template void websocket_session<beast::tcp_stream>::send_event(std::string, std::string,
                                                               std::string);
template void websocket_session<beast::tcp_stream>::count_error(std::string_view);
template void websocket_session<beast::tcp_stream>::on_send_answer(const std::string&, bool,
                                                                   std::string_view);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::reply(std::string);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::join(const std::string&,
                                                                            bool,
                                                                            const stream_position*,
                                                                            bool);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::send_frames(
    const std::vector<std::shared_ptr<const std::string>>&);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::presence(const std::string&);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::attach(const std::string&,
                                                                              local_rooms::slot&);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::leave(const std::string&,
                                                                             local_rooms::slot&);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::publish(const std::string&,
                                                                               std::string, bool);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::send_event(std::string,
                                                                                  std::string,
                                                                                  std::string);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::count_error(
    std::string_view);
template void websocket_session<beast::ssl_stream<beast::tcp_stream>>::on_send_answer(
    const std::string&, bool, std::string_view);

}  // namespace wsedge::edge
