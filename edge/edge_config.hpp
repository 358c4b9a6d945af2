// Every limit and timeout of the WebSocket edge, with its default and why.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/room_rules.hpp"

namespace wsedge::edge {

using duration = std::chrono::milliseconds;

struct edge_config {
  // Address and port of the WebSocket listener (0 = pick a free port).
  std::string bind_address = "0.0.0.0";
  std::uint16_t ws_port = 8080;
  // Shards (io_context threads); 0 = one per core.
  unsigned threads = 0;

  // Keep-alive: ping an idle peer this often, drop it after this much silence.
  duration ping_interval{30'000};
  duration pong_timeout{60'000};
  // A write (or close handshake) stuck longer than this means a dead or stalled peer.
  duration write_timeout{10'000};
  // From accept to a finished upgrade request (TLS handshake included): a connection still
  // without a WebSocket after this is closed, so slow or idle HTTP clients cannot hold sockets.
  // It is also the whole life of a plain HTTP (health, readiness) keep-alive connection.
  duration handshake_timeout{10'000};
  // Plain HTTP requests one connection may make; the last answer says `Connection: close`.
  std::size_t http_keepalive_requests = 100;

  // Largest inbound message; larger is closed with 1009 so one client cannot exhaust memory.
  std::size_t max_message_bytes = 65'536;
  // Outbound bound per connection: a reader this far behind is a slow consumer (close 4001),
  // so it never holds memory or time that other clients need.
  std::size_t max_queue_messages = 1'024;
  std::size_t max_queue_bytes = 4 * 1024 * 1024;
  // Coalescing window for deliveries: 0 writes each batch of deliveries as soon as it is queued;
  // above 0 a connection's deliveries wait up to this long so several leave in one write (fewer
  // system calls per message at high fan-out, at the price of this much added latency).
  duration write_delay{0};

  // permessage-deflate (RFC 7692) with clients that offer it, always with
  // server_no_context_takeover: a message is deflated once for every compressed member. Messages
  // under compression_min_bytes go uncompressed (deflating them saves little and costs CPU);
  // compression_level is zlib's (1 fastest … 9 smallest). Inbound compressed messages are
  // limited by their inflated size (max_message_bytes, close 1009 as soon as it is passed).
  bool permessage_deflate = false;
  std::size_t compression_min_bytes = 512;
  int compression_level = 6;

  // 0 = limited only by the process's file descriptors.
  std::size_t max_connections = 0;
  // 0 = unlimited members per room.
  std::size_t max_room_members = 0;

  // History: messages kept per room for clients that reconnect with `since` (0 = none; seq and
  // epoch are still kept), bounded per room in bytes too, and over the whole node (past it the
  // rooms published longest ago lose their history first, with a new epoch).
  std::size_t history_size = 100;
  std::size_t history_max_bytes = 1 << 20;
  std::size_t history_node_max_bytes = std::size_t{256} << 20;
  // How long a room's seq, epoch and history outlive its last message or member.
  duration history_ttl{5 * 60'000};
  // Most members one presence answer lists (then it says truncated).
  std::size_t presence_limit = 1'000;
  // Rooms one connection may join.
  std::size_t max_subscriptions = 128;
  // Whether clients may publish into rooms they joined.
  bool client_publish = true;
  // Which roles may subscribe / publish per room pattern (first match decides; none = open).
  std::vector<room_rule> room_rules;
  // Per-connection inbound token bucket (messages per second, burst size).
  double message_rate = 100;
  double message_burst = 200;
  // A client over message_rate this long without a break is closed with 1008: a flood, not a
  // burst. Its error replies are themselves limited to one a second meanwhile.
  duration rate_limit_close_after{2'000};
  // New connections per second per client IP (HTTP 429 beyond); 0 = no limit. Off by default
  // because behind a proxy every client shares the proxy's address.
  double connect_rate_per_ip = 0;
  double connect_burst_per_ip = 20;
  // Origin allowlist; empty = any origin.
  std::vector<std::string> allowed_origins;

  // PEM certificate chain and private key: when set, the edge port also serves wss:// (TLS is
  // told apart from plain HTTP by the first bytes, so ws:// keeps working on the same port).
  std::string tls_cert_pem;
  std::string tls_key_pem;

  // Refuse connections without a valid token (HTTP 401 before the upgrade).
  bool auth_required = false;

  // The backends' event stream: the last events kept for watchers that resume with after_id
  // (0 = none kept: watchers get only what happens while they watch), and how far one watcher
  // may fall behind before it is cut (at least events_retention + 1).
  std::size_t events_retention = 10'000;
  std::size_t event_watcher_buffer = 10'000;
  // This node's name in events (and, in cluster mode, among the nodes).
  std::string node_name = "wsedge";

  // On drain, clients get 1001 and the process exits within this.
  duration drain_timeout{10'000};
  // Serve /ws/echo (RFC 6455 conformance testing only).
  bool echo_endpoint = false;
  // Serve the demo page at /demo and its client bundle at /demo/wsedge-client.js (the app
  // provides both; they must outlive the edge).
  bool demo_page = false;
  std::string_view demo_page_html;
  std::string_view demo_client_js;
};

}  // namespace wsedge::edge
