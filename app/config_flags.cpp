// wsedge's settings as Abseil flags, each also read from WSEDGE_<NAME>, validated at start-up.
#include "app/config_flags.hpp"

#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/reflection.h>
#include <absl/flags/usage.h>
#include <absl/flags/usage_config.h>
#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <absl/time/time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "app/argv_check.hpp"
#include "demo_assets.hpp"
#include "edge/room_name.hpp"
#include "engine/redis/redis_url.hpp"

extern char** environ;

ABSL_FLAG(std::string, bind_address, "0.0.0.0", "address all three listeners bind");
ABSL_FLAG(int32_t, ws_port, 8080, "WebSocket edge port (0 = pick a free port and log it)");
ABSL_FLAG(int32_t, grpc_port, 9090, "gRPC control-plane port (0 = pick a free port)");
ABSL_FLAG(std::string, control_bind_address, "",
          "address the gRPC control plane binds; empty = bind_address (e.g. 127.0.0.1 keeps "
          "a control plane without control_token off the network)");
ABSL_FLAG(int32_t, metrics_port, 9100, "Prometheus /metrics port (0 = pick a free port)");
ABSL_FLAG(int32_t, threads, 0, "edge shards (event-loop threads); 0 = one per core");
ABSL_FLAG(absl::Duration, ping_interval, absl::Seconds(30), "ping a connection idle this long");
ABSL_FLAG(absl::Duration, pong_timeout, absl::Seconds(60),
          "close a connection silent (no pong, no frame) this long");
ABSL_FLAG(absl::Duration, write_timeout, absl::Seconds(10),
          "close a connection whose write or close handshake is stuck this long");
ABSL_FLAG(absl::Duration, handshake_timeout, absl::Seconds(10),
          "close a connection not upgraded to WebSocket this long after accept (TLS included; "
          "also the whole life of a plain HTTP keep-alive connection)");
ABSL_FLAG(int64_t, http_keepalive_requests, 100,
          "plain HTTP requests (health, readiness) one connection may make");
ABSL_FLAG(int64_t, max_message_bytes, 65536, "largest inbound message; larger closes with 1009");
ABSL_FLAG(bool, permessage_deflate, false,
          "negotiate RFC 7692 compression with clients that offer it (each message is deflated "
          "once for every compressed member)");
ABSL_FLAG(int64_t, compression_min_bytes, 512,
          "messages smaller than this are sent uncompressed even on compressed connections");
ABSL_FLAG(int, compression_level, 6, "zlib level of permessage-deflate: 1 fastest ... 9 smallest");
ABSL_FLAG(int64_t, max_queue_messages, 1024,
          "outbound messages queued per connection; overflow closes with 4001");
ABSL_FLAG(int64_t, max_queue_bytes, 4194304,
          "outbound bytes queued per connection; overflow closes with 4001");
ABSL_FLAG(absl::Duration, write_delay, absl::ZeroDuration(),
          "coalescing window: deliveries to a connection wait up to this long to share one "
          "write (fewer system calls at high fan-out, this much more latency); 0 = none");
ABSL_FLAG(int64_t, max_connections, 0, "connections per node; 0 = as many as fds allow");
ABSL_FLAG(int64_t, max_room_members, 0, "members per room; 0 = unlimited");
ABSL_FLAG(int64_t, max_subscriptions, 128, "rooms per connection");
ABSL_FLAG(int64_t, history_size, 100,
          "messages kept per room for clients that reconnect with `since` (0 = none; seq and "
          "epoch are still kept); at most max_queue_messages");
ABSL_FLAG(absl::Duration, history_ttl, absl::Minutes(5),
          "how long a room's seq, epoch and history outlive its last message or member");
ABSL_FLAG(int64_t, history_max_bytes, 1048576, "bytes of history kept per room");
ABSL_FLAG(int64_t, history_node_max_bytes, 268435456,
          "bytes of history over all rooms of the node; past it the rooms published longest ago "
          "lose their history first (with a new epoch); 0 = unbounded");
ABSL_FLAG(int64_t, presence_limit, 1000,
          "most members one presence answer lists (then it says truncated)");
ABSL_FLAG(int64_t, events_retention, 10000,
          "events kept for backends that resume WatchEvents with after_id (0 = none)");
ABSL_FLAG(int64_t, events_backlog, 10000,
          "broker=redis: this node's events held while Redis is away before they are lost "
          "(wsedge_events_lost_total)");
ABSL_FLAG(int64_t, events_watcher_buffer, 10000,
          "events one WatchEvents watcher may fall behind before it is cut with "
          "RESOURCE_EXHAUSTED (at least events_retention + 1 is used)");
ABSL_FLAG(bool, client_publish, true, "whether clients may publish into rooms they joined");
ABSL_FLAG(double, message_rate, 100, "per-connection inbound messages per second");
ABSL_FLAG(double, message_burst, 200, "per-connection inbound burst above message_rate");
ABSL_FLAG(absl::Duration, rate_limit_close_after, absl::Seconds(2),
          "a client over message_rate this long without a break is closed with 1008");
ABSL_FLAG(double, connect_rate_per_ip, 0,
          "new connections per second per client IP (HTTP 429 beyond); 0 = no limit");
ABSL_FLAG(double, connect_burst_per_ip, 20, "burst above connect_rate_per_ip");
ABSL_FLAG(std::string, room_rules, "",
          "JSON file: which roles may subscribe/publish per room pattern (see docs)");
ABSL_FLAG(std::string, allowed_origins, "", "comma-separated Origin allowlist; empty = any");
ABSL_FLAG(std::string, control_token, "",
          "when set, gRPC calls need metadata 'authorization: Bearer <token>'");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain file: the edge port also serves wss:// (ws:// keeps working)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key file for tls_cert");
ABSL_FLAG(bool, auth_required, false, "require a valid JWT to connect (else HTTP 401)");
ABSL_FLAG(std::string, jwt_secret, "", "HS256 key for client tokens");
ABSL_FLAG(std::string, jwt_secret_file, "",
          "file holding the HS256 key (trailing newline ignored)");
ABSL_FLAG(std::string, jwt_public_key_file, "",
          "PEM public key for RS256 (RSA key) or ES256 (EC P-256 key) client tokens");
ABSL_FLAG(std::string, jwt_issuer, "", "when set, tokens must carry this iss");
ABSL_FLAG(std::string, jwt_audience, "", "when set, tokens must carry this aud");
ABSL_FLAG(std::string, control_tls_cert, "", "PEM certificate file: the control plane serves TLS");
ABSL_FLAG(std::string, control_tls_key, "", "PEM private key file for control_tls_cert");
ABSL_FLAG(std::string, control_client_ca, "",
          "PEM CA file: control-plane callers must present a certificate it signed (mTLS)");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on SIGTERM: readiness 503, clients closed with 1001, exit within this");
ABSL_FLAG(std::string, broker, "local",
          "local (one node, in process) or redis (nodes sharing one Redis act as one edge)");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379/0",
          "with broker=redis: redis://[:password@]host:port/db");
ABSL_FLAG(std::string, redis_prefix, "wsedge",
          "with broker=redis: prefix of every key and channel (clusters can share one Redis)");
ABSL_FLAG(std::string, node_name, "",
          "this node's name in events, Stats, Presence and the cluster; empty = the host name");
ABSL_FLAG(std::string, redis_ingest, "",
          "with broker=redis: comma list of channel=room; JSON published on the channel goes "
          "into the room");
ABSL_FLAG(bool, echo_endpoint, false, "serve /ws/echo for protocol conformance testing");
ABSL_FLAG(bool, demo_page, false,
          "serve the demo page (the JavaScript client in a page) at /demo on the edge port");

namespace wsedge::app {

namespace {

constexpr absl::string_view env_prefix = "WSEDGE_";

// The usage config below renames this file "wsedge" (Abseil passes either name around).
bool is_our_flag(absl::string_view file) {
  return file == "wsedge" || absl::StrContains(file, "config_flags");
}

// Applies WSEDGE_<NAME> variables before argv is parsed, so a flag given on argv wins.
absl::Status apply_environment() {
  auto flags = absl::GetAllFlags();
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view assignment(*entry);
    if (!absl::StartsWith(assignment, env_prefix)) continue;
    auto eq = assignment.find('=');
    if (eq == absl::string_view::npos) continue;
    std::string variable(assignment.substr(0, eq));
    std::string name = absl::AsciiStrToLower(variable.substr(env_prefix.size()));
    auto it = flags.find(name);
    if (it == flags.end() || !is_our_flag(it->second->Filename()))
      return absl::InvalidArgumentError(
          absl::StrCat(variable, ": unknown setting (see wsedge --help)"));
    std::string error;
    if (!it->second->ParseFrom(assignment.substr(eq + 1), &error))
      return absl::InvalidArgumentError(absl::StrCat(variable, ": ", error));
  }
  return absl::OkStatus();
}

absl::Status check(bool ok, absl::string_view setting, absl::string_view rule) {
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(setting, ": ", rule));
}

std::chrono::milliseconds to_ms(absl::Duration d) {
  return absl::ToChronoMilliseconds(d);
}

absl::StatusOr<std::string> read_file(absl::string_view setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(setting, ": cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The Redis engine's settings with broker=redis, or nullopt with broker=local.
absl::StatusOr<std::optional<engine::redis::redis_engine_options>> redis_settings(
    const edge::edge_config& edge) {
  const std::string broker = absl::GetFlag(FLAGS_broker);
  if (broker == "local") return std::nullopt;
  if (broker != "redis") return absl::InvalidArgumentError("broker: must be local or redis");
  auto address = engine::redis::parse_redis_url(absl::GetFlag(FLAGS_redis_url));
  if (!address.ok()) return address.status();
  engine::redis::redis_engine_options o;
  o.host = address->host;
  o.port = address->port;
  o.password = address->password;
  o.db = address->db;
  o.prefix = absl::GetFlag(FLAGS_redis_prefix);
  if (o.prefix.empty() || absl::StrContains(o.prefix, ' '))
    return absl::InvalidArgumentError("redis_prefix: must be a word without spaces");
  o.node_name = edge.node_name;
  for (absl::string_view pair :
       absl::StrSplit(absl::GetFlag(FLAGS_redis_ingest), ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> mapping =
        absl::StrSplit(absl::StripAsciiWhitespace(pair), absl::MaxSplits('=', 1));
    if (mapping.first.empty() || !edge::is_valid_room_name(mapping.second))
      return absl::InvalidArgumentError(
          absl::StrCat("redis_ingest: \"", pair, "\" is not channel=room (a valid room name)"));
    o.ingest.push_back(std::move(mapping));
  }
  o.history_size = edge.history_size;
  o.history_ttl = std::max<std::chrono::seconds>(
      std::chrono::duration_cast<std::chrono::seconds>(edge.history_ttl), std::chrono::seconds(1));
  o.presence_limit = edge.presence_limit;
  o.events_retention = edge.events_retention;
  o.event_backlog = static_cast<std::size_t>(absl::GetFlag(FLAGS_events_backlog));
  return o;
}

// The JWT settings, or nullopt when no key is configured.
absl::StatusOr<std::optional<auth::jwt_config>> jwt_settings() {
  auth::jwt_config jwt;
  jwt.secret = absl::GetFlag(FLAGS_jwt_secret);
  if (auto path = absl::GetFlag(FLAGS_jwt_secret_file); !path.empty()) {
    if (!jwt.secret.empty())
      return absl::InvalidArgumentError("jwt_secret_file: set jwt_secret or jwt_secret_file");
    auto secret = read_file("jwt_secret_file", path);
    if (!secret.ok()) return secret.status();
    jwt.secret = std::string(absl::StripTrailingAsciiWhitespace(*secret));
  }
  if (auto path = absl::GetFlag(FLAGS_jwt_public_key_file); !path.empty()) {
    auto pem = read_file("jwt_public_key_file", path);
    if (!pem.ok()) return pem.status();
    jwt.public_key_pem = *pem;
  }
  jwt.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  jwt.audience = absl::GetFlag(FLAGS_jwt_audience);
  if (jwt.secret.empty() && jwt.public_key_pem.empty()) {
    if (absl::GetFlag(FLAGS_auth_required))
      return absl::InvalidArgumentError(
          "auth_required: set jwt_secret, jwt_secret_file or jwt_public_key_file");
    return std::optional<auth::jwt_config>();
  }
  if (auto verifier = auth::jwt_verifier::create(jwt); !verifier.ok()) return verifier.status();
  return std::optional<auth::jwt_config>(std::move(jwt));
}

}  // namespace

absl::StatusOr<server_config> load_config(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = is_our_flag;
  usage.contains_helpshort_flags = is_our_flag;
  // Abseil titles the list with the source path of the flags; a user wants the program's name.
  usage.version_string = [] { return std::string("wsedge " WSEDGE_VERSION "\n"); };
  usage.normalize_filename = [](absl::string_view file) {
    return std::string(is_our_flag(file) ? "wsedge" : file);
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "gRPC-controlled WebSocket edge. Every flag is also an environment variable WSEDGE_<NAME>; "
      "the flag wins.");
  if (auto status = apply_environment(); !status.ok()) return status;
  if (auto status = check_argv(argc, argv); !status.ok()) return status;
  absl::ParseCommandLine(argc, argv);

  using absl::GetFlag;
  for (auto [name, port] : {std::pair{"ws_port", GetFlag(FLAGS_ws_port)},
                            std::pair{"grpc_port", GetFlag(FLAGS_grpc_port)},
                            std::pair{"metrics_port", GetFlag(FLAGS_metrics_port)}}) {
    if (auto s = check(port >= 0 && port <= 65535, name, "must be 0-65535"); !s.ok()) return s;
  }
  const auto threads = GetFlag(FLAGS_threads);
  const auto ping = GetFlag(FLAGS_ping_interval), pong = GetFlag(FLAGS_pong_timeout);
  const auto write = GetFlag(FLAGS_write_timeout), drain = GetFlag(FLAGS_drain_timeout);
  const auto write_delay = GetFlag(FLAGS_write_delay);
  const auto handshake = GetFlag(FLAGS_handshake_timeout);
  const auto max_message = GetFlag(FLAGS_max_message_bytes);
  const auto queue_messages = GetFlag(FLAGS_max_queue_messages);
  const auto queue_bytes = GetFlag(FLAGS_max_queue_bytes);
  const auto rate = GetFlag(FLAGS_message_rate), burst = GetFlag(FLAGS_message_burst);
  const auto flood = GetFlag(FLAGS_rate_limit_close_after);
  for (const absl::Status& s : {
           check(threads >= 0 && threads <= 1024, "threads", "must be 0-1024"),
           check(ping > absl::ZeroDuration(), "ping_interval", "must be positive"),
           check(pong > ping, "pong_timeout", "must be longer than ping_interval"),
           check(write > absl::ZeroDuration(), "write_timeout", "must be positive"),
           check(drain > absl::ZeroDuration(), "drain_timeout", "must be positive"),
           check(handshake > absl::ZeroDuration(), "handshake_timeout", "must be positive"),
           check(GetFlag(FLAGS_http_keepalive_requests) >= 1, "http_keepalive_requests",
                 "must be at least 1"),
           check(write_delay >= absl::ZeroDuration() && write_delay <= absl::Seconds(1),
                 "write_delay", "must be 0-1s"),
           check(max_message >= 128, "max_message_bytes", "must be at least 128"),
           check(GetFlag(FLAGS_compression_min_bytes) >= 0, "compression_min_bytes",
                 "must be >= 0"),
           check(GetFlag(FLAGS_compression_level) >= 1 && GetFlag(FLAGS_compression_level) <= 9,
                 "compression_level", "must be 1 to 9"),
           check(queue_messages >= 1, "max_queue_messages", "must be at least 1"),
           check(queue_bytes >= 1024, "max_queue_bytes", "must be at least 1024"),
           check(GetFlag(FLAGS_max_connections) >= 0, "max_connections", "must be >= 0"),
           check(GetFlag(FLAGS_max_room_members) >= 0, "max_room_members", "must be >= 0"),
           check(GetFlag(FLAGS_max_subscriptions) >= 1, "max_subscriptions", "must be >= 1"),
           // A recovering client gets its history all at once, with live messages behind it.
           check(GetFlag(FLAGS_history_size) >= 0 &&
                     GetFlag(FLAGS_history_size) <= queue_messages / 2,
                 "history_size", "must be 0 to half of max_queue_messages"),
           check(GetFlag(FLAGS_history_ttl) >= absl::ZeroDuration(), "history_ttl", "must be >= 0"),
           check(GetFlag(FLAGS_history_max_bytes) >= 1024 &&
                     GetFlag(FLAGS_history_max_bytes) <= queue_bytes / 2,
                 "history_max_bytes", "must be 1024 to half of max_queue_bytes"),
           check(GetFlag(FLAGS_history_node_max_bytes) >= 0, "history_node_max_bytes",
                 "must be >= 0"),
           check(GetFlag(FLAGS_presence_limit) >= 1, "presence_limit", "must be at least 1"),
           check(GetFlag(FLAGS_events_retention) >= 0, "events_retention", "must be >= 0"),
           check(GetFlag(FLAGS_events_backlog) >= 0, "events_backlog", "must be >= 0"),
           check(GetFlag(FLAGS_events_watcher_buffer) >= 1, "events_watcher_buffer",
                 "must be at least 1"),
           check(rate > 0, "message_rate", "must be positive"),
           check(burst >= 1, "message_burst", "must be at least 1"),
           check(flood > absl::ZeroDuration(), "rate_limit_close_after", "must be positive"),
           check(GetFlag(FLAGS_connect_rate_per_ip) >= 0, "connect_rate_per_ip", "must be >= 0"),
           check(GetFlag(FLAGS_connect_burst_per_ip) >= 1, "connect_burst_per_ip",
                 "must be at least 1"),
       }) {
    if (!s.ok()) return s;
  }

  server_config config;
  edge::edge_config& e = config.edge;
  e.bind_address = GetFlag(FLAGS_bind_address);
  e.ws_port = static_cast<std::uint16_t>(GetFlag(FLAGS_ws_port));
  e.threads = static_cast<unsigned>(threads);
  e.ping_interval = to_ms(ping);
  e.pong_timeout = to_ms(pong);
  e.write_timeout = to_ms(write);
  e.write_delay = to_ms(write_delay);
  e.handshake_timeout = to_ms(handshake);
  e.http_keepalive_requests = static_cast<std::size_t>(GetFlag(FLAGS_http_keepalive_requests));
  e.drain_timeout = to_ms(drain);
  e.max_message_bytes = static_cast<std::size_t>(max_message);
  e.permessage_deflate = GetFlag(FLAGS_permessage_deflate);
  e.compression_min_bytes = static_cast<std::size_t>(GetFlag(FLAGS_compression_min_bytes));
  e.compression_level = GetFlag(FLAGS_compression_level);
  e.max_queue_messages = static_cast<std::size_t>(queue_messages);
  e.max_queue_bytes = static_cast<std::size_t>(queue_bytes);
  e.max_connections = static_cast<std::size_t>(GetFlag(FLAGS_max_connections));
  e.max_room_members = static_cast<std::size_t>(GetFlag(FLAGS_max_room_members));
  e.max_subscriptions = static_cast<std::size_t>(GetFlag(FLAGS_max_subscriptions));
  e.history_size = static_cast<std::size_t>(GetFlag(FLAGS_history_size));
  e.history_ttl = to_ms(GetFlag(FLAGS_history_ttl));
  e.history_max_bytes = static_cast<std::size_t>(GetFlag(FLAGS_history_max_bytes));
  e.history_node_max_bytes = static_cast<std::size_t>(GetFlag(FLAGS_history_node_max_bytes));
  e.presence_limit = static_cast<std::size_t>(GetFlag(FLAGS_presence_limit));
  e.events_retention = static_cast<std::size_t>(GetFlag(FLAGS_events_retention));
  e.event_watcher_buffer = static_cast<std::size_t>(GetFlag(FLAGS_events_watcher_buffer));
  e.node_name = GetFlag(FLAGS_node_name);
  if (e.node_name.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) e.node_name = host;
  }
  if (e.node_name.empty()) return absl::InvalidArgumentError("node_name: set it (no host name)");
  e.client_publish = GetFlag(FLAGS_client_publish);
  e.connect_rate_per_ip = GetFlag(FLAGS_connect_rate_per_ip);
  e.connect_burst_per_ip = GetFlag(FLAGS_connect_burst_per_ip);
  if (auto path = GetFlag(FLAGS_room_rules); !path.empty()) {
    auto text = read_file("room_rules", path);
    if (!text.ok()) return text.status();
    auto rules = edge::parse_room_rules(*text);
    if (!rules.ok()) return rules.status();
    e.room_rules = *std::move(rules);
  }
  e.message_rate = rate;
  e.message_burst = burst;
  e.rate_limit_close_after = to_ms(flood);
  for (absl::string_view origin :
       absl::StrSplit(GetFlag(FLAGS_allowed_origins), ',', absl::SkipWhitespace()))
    e.allowed_origins.emplace_back(absl::StripAsciiWhitespace(origin));
  e.echo_endpoint = GetFlag(FLAGS_echo_endpoint);
  e.demo_page = GetFlag(FLAGS_demo_page);
  if (e.demo_page) {
    e.demo_page_html = demo::page_html();
    e.demo_client_js = demo::client_js();
  }
  e.auth_required = GetFlag(FLAGS_auth_required);
  auto jwt = jwt_settings();
  if (!jwt.ok()) return jwt.status();
  config.jwt = *std::move(jwt);
  const auto control_address = GetFlag(FLAGS_control_bind_address);
  config.control.bind_address = control_address.empty() ? e.bind_address : control_address;
  config.control.port = static_cast<std::uint16_t>(GetFlag(FLAGS_grpc_port));
  config.control.control_token = GetFlag(FLAGS_control_token);
  config.metrics_port = static_cast<std::uint16_t>(GetFlag(FLAGS_metrics_port));
  if (GetFlag(FLAGS_tls_cert).empty() != GetFlag(FLAGS_tls_key).empty())
    return absl::InvalidArgumentError("tls_cert: set together with tls_key");
  const auto cert = GetFlag(FLAGS_control_tls_cert), key = GetFlag(FLAGS_control_tls_key);
  const auto client_ca = GetFlag(FLAGS_control_client_ca);
  if (cert.empty() != key.empty())
    return absl::InvalidArgumentError("control_tls_cert: set together with control_tls_key");
  if (!client_ca.empty() && cert.empty())
    return absl::InvalidArgumentError("control_client_ca: needs control_tls_cert and _key");
  for (auto [setting, path, target] :
       {std::tuple{"tls_cert", GetFlag(FLAGS_tls_cert), &config.edge.tls_cert_pem},
        std::tuple{"tls_key", GetFlag(FLAGS_tls_key), &config.edge.tls_key_pem},
        std::tuple{"control_tls_cert", cert, &config.control.tls_cert_pem},
        std::tuple{"control_tls_key", key, &config.control.tls_key_pem},
        std::tuple{"control_client_ca", client_ca, &config.control.client_ca_pem}}) {
    if (path.empty()) continue;
    auto pem = read_file(setting, path);
    if (!pem.ok()) return pem.status();
    *target = *std::move(pem);
  }
  auto redis = redis_settings(config.edge);
  if (!redis.ok()) return redis.status();
  config.redis = *std::move(redis);
  return config;
}

}  // namespace wsedge::app
