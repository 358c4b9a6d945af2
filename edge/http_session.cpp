// HTTP side of the edge port: /healthz, /readyz and the checks made before a WebSocket upgrade.
#include "edge/http_session.hpp"

#include <algorithm>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include "edge/node_context.hpp"
#include "edge/shard.hpp"
#include "edge/upgrade_request.hpp"
#include "edge/websocket_session.hpp"

namespace wsedge::edge {

namespace {

// A request head larger than this is not a WebSocket client we want.
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr std::uint64_t max_body_bytes = 4 * 1024;
constexpr std::string_view rooms_prefix = "/ws/rooms/";

bool origin_allowed(const edge_config& cfg, std::string_view origin) {
  if (cfg.allowed_origins.empty()) return true;
  return std::find(cfg.allowed_origins.begin(), cfg.allowed_origins.end(), origin) !=
         cfg.allowed_origins.end();
}

}  // namespace

template <class Stream>
http_session<Stream>::http_session(node_context& node, shard& home, Stream&& stream,
                                   beast::flat_buffer&& buffer, connection_slot slot,
                                   std::chrono::steady_clock::time_point deadline)
    : node_(node),
      shard_(home),
      stream_(std::move(stream)),
      buffer_(std::move(buffer)),
      slot_(std::move(slot)),
      deadline_(deadline) {}

template <class Stream>
void http_session<Stream>::run() {
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session<Stream>::do_read,
                                                                  this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(max_header_bytes);
  parser_->body_limit(max_body_bytes);
  // One deadline for the whole connection: a request trickled byte by byte, or health checks
  // every few seconds on one keep-alive connection, do not push it back.
  beast::get_lowest_layer(stream_).expires_at(deadline_);
  http::async_read(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&http_session<Stream>::on_read, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == net::error::eof) return shutdown();
  if (ec) {
    // An idle keep-alive connection reaching its end is no rejection; a request still
    // unfinished (or none at all) at the deadline is.
    if (ec == beast::error::timeout) {
      if (requests_ == 0 || parser_->got_some())
        node_.observer().on_connection_rejected("handshake_timeout");
    } else if (ec != net::error::operation_aborted && ec != net::error::connection_reset) {
      respond(http::status::bad_request, "malformed HTTP request\n", "bad_request");
    }
    return;
  }
  ++requests_;
  route(parser_->release());
}

template <class Stream>
void http_session<Stream>::route(http::request<http::string_body>&& request) {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return respond(http::status::bad_request, "malformed request target\n", "bad_request");
  std::string path = url->path();
  if (request.method() != http::verb::get)
    return respond(http::status::method_not_allowed, "only GET is served here\n");
  if (path == "/healthz") return respond(http::status::ok, "ok\n");
  if (path == "/readyz") {
    if (node_.draining()) return respond(http::status::service_unavailable, "draining\n");
    return respond(http::status::ok, "ready\n");
  }

  if (node_.config().demo_page) {
    if (path == "/demo" || path == "/demo/")
      return respond(http::status::ok, node_.config().demo_page_html, {},
                     "text/html; charset=utf-8");
    // Browsers run a module script only when it is served as JavaScript.
    if (path == "/demo/wsedge-client.js")
      return respond(http::status::ok, node_.config().demo_client_js, {},
                     "text/javascript; charset=utf-8");
  }

  session_mode mode = session_mode::client_protocol;
  std::vector<std::string> rooms;
  if (path == "/ws/echo" && node_.config().echo_endpoint) {
    mode = session_mode::echo;
  } else if (path.starts_with(rooms_prefix)) {
    rooms.push_back(path.substr(rooms_prefix.size()));
  } else if (path != "/ws") {
    return respond(http::status::not_found, "not found; WebSocket clients connect to /ws\n");
  }

  if (!websocket::is_upgrade(request))
    return respond(http::status::upgrade_required, "this endpoint needs a WebSocket upgrade\n",
                   "not_upgrade");
  if (!websocket_key_valid(request))
    return respond(http::status::bad_request,
                   "Sec-WebSocket-Key must be given once: 16 random bytes in base64\n",
                   "bad_request");
  if (node_.draining())
    return respond(http::status::service_unavailable, "server is draining\n", "draining");
  if (!origin_allowed(node_.config(), request[http::field::origin]))
    return respond(http::status::forbidden, "origin not allowed\n", "origin");
  beast::error_code peer_ec;
  auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(peer_ec);
  if (!peer_ec &&
      !node_.connect_limiter.allow(peer.address().to_string(), std::chrono::steady_clock::now()))
    return respond(http::status::too_many_requests, "too many connections from your address\n",
                   "ip_rate");
  // The slot was taken at accept (concurrent upgrades cannot overshoot the limit).
  if (!slot_.held())
    return respond(http::status::service_unavailable, "server is full\n", "max_connections");

  connect_rooms initial{std::move(rooms), std::nullopt};
  switch (read_connect_query(*url, node_.config().max_subscriptions, initial)) {
    case connect_query_error::none:
      break;
    case connect_query_error::invalid_room:
      return respond(http::status::bad_request,
                     "invalid room name; use 1-128 characters of A-Z a-z 0-9 _ - . : @ /\n",
                     "invalid_room");
    case connect_query_error::too_many_rooms:
      return respond(http::status::bad_request, "too many rooms for one connection\n",
                     "too_many_subscriptions");
    case connect_query_error::bad_since:
      return respond(http::status::bad_request,
                     "since needs a room to join, a seq (an integer >= 0) and an epoch\n",
                     "bad_request");
  }

  bearer credential = find_bearer(request, *url);
  identity who;
  if (!credential.token.empty() && node_.verifier() != nullptr) {
    auto verified = node_.verifier()->verify(credential.token);
    if (!verified.ok())
      return respond(http::status::unauthorized,
                     "invalid token: " + std::string(verified.status().message()) + "\n",
                     "unauthorized");
    who = *std::move(verified);
  } else if (node_.config().auth_required) {
    return respond(http::status::unauthorized,
                   "a token is required: ?token=, Authorization: Bearer, or subprotocol "
                   "bearer.<token>\n",
                   "unauthorized");
  }

  beast::get_lowest_layer(stream_).expires_never();
  // Bytes the client pipelined behind its request are its first frames: the session reads them.
  std::make_shared<websocket_session<Stream>>(shard_, std::move(stream_), std::move(who), mode,
                                              std::move(slot_))
      ->run(std::move(request), std::move(initial), std::move(credential.subprotocol),
            std::move(buffer_));
}

template <class Stream>
void http_session<Stream>::respond(http::status status, std::string_view body,
                                   std::string_view reject_reason, std::string_view content_type) {
  if (!reject_reason.empty()) node_.observer().on_connection_rejected(reject_reason);
  // Keep-alive is for a bounded number of plain requests, and only on a connection that holds a
  // slot: a full node answers its health checks one connection at a time.
  bool keep_alive = reject_reason.empty() && parser_ && parser_->is_done() &&
                    parser_->keep_alive() && slot_.held() &&
                    requests_ < node_.config().http_keepalive_requests;
  response_ = std::make_shared<http::response<http::string_body>>(status, 11);
  response_->set(http::field::server, "wsedge");
  response_->set(http::field::content_type, content_type);
  if (status == http::status::upgrade_required) response_->set(http::field::upgrade, "websocket");
  response_->body() = body;
  response_->keep_alive(keep_alive);
  response_->prepare_payload();
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&http_session<Stream>::on_write,
                                              this->shared_from_this(), keep_alive));
}

template <class Stream>
void http_session<Stream>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return;
  if (keep_alive) return do_read();
  shutdown();
}

template <class Stream>
void http_session<Stream>::shutdown() {
  // Half-close TCP after the answer (a TLS close_notify is not worth a round trip here).
  beast::error_code ec;
  beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
}

template class http_session<beast::tcp_stream>;
template class http_session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace wsedge::edge
