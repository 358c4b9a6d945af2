// wsedge-bench: load scenarios against any server speaking PROTOCOL.md, and run comparison.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_split.h>
#include <absl/synchronization/mutex.h>

#include <iostream>
#include <optional>
#include <thread>

#include "bench/event_watchers.hpp"
#include "bench/grpc_publisher.hpp"
#include "bench/load_clients.hpp"
#include "bench/metrics_scrape.hpp"
#include "bench/pacing.hpp"
#include "bench/proc_stats.hpp"
#include "bench/report.hpp"
#include "bench/soak.hpp"
#include "bench/write_floor.hpp"
#include "tools/cli/usage.hpp"

ABSL_FLAG(std::string, scenario, "fanout",
          "fanout | idle | connect | grpc | churn (members leave and rejoin rooms: membership "
          "cost against room size) | events (clients send, --watchers backends watch) | "
          "write_floor (no server: the kernel's price of one write per delivery) | soak (every "
          "kind of churn for --duration_s; fails on RSS or descriptor growth after warm-up) | "
          "compare");
ABSL_FLAG(int, watchers, 0,
          "fanout, events: WatchEvents streams open during the run (events: at least 1 is "
          "useful, else every send is refused with no_receiver)");
ABSL_FLAG(int, churners, 100, "churn: connections that leave and rejoin their room");
ABSL_FLAG(std::string, ws_host, "127.0.0.1", "WebSocket host");
ABSL_FLAG(int, ws_port, 8080, "WebSocket port");
ABSL_FLAG(std::string, grpc, "127.0.0.1:9090", "control-plane address");
ABSL_FLAG(int, server_pid, 0, "server process to sample CPU and RSS from (0 = none)");
ABSL_FLAG(std::string, server_pids, "",
          "more server processes (comma list), summed with server_pid: a cluster's nodes");
ABSL_FLAG(
    int, broker_pid, 0,
    "the broker's process (redis-server) to sample CPU from, reported per publish (0 = none)");
ABSL_FLAG(std::string, ws_ports, "",
          "several WebSocket ports (comma list): connection i goes to port i % N (a cluster's "
          "nodes); overrides ws_port");
ABSL_FLAG(int, connections, 2000, "WebSocket connections");
ABSL_FLAG(int, rooms, 20, "rooms (connection i joins bench-<i % rooms>)");
ABSL_FLAG(std::string, rate, "1000", "fanout: comma-separated publish rates per second");
ABSL_FLAG(int, duration_s, 10, "seconds per run");
ABSL_FLAG(int, payload, 100, "fanout: payload bytes");
ABSL_FLAG(std::string, payload_kind, "filler",
          "what fills a payload: filler ('x' repeated) or json (records that compress like real "
          "messages)");
ABSL_FLAG(bool, idle_publish, false,
          "idle: connection k < rooms publishes one --payload message into its room before the "
          "measure (with --deflate it sends it compressed: the server's inflater is then in use)");
ABSL_FLAG(bool, deflate, false,
          "clients offer permessage-deflate (start the server with --permessage_deflate=true)");
ABSL_FLAG(std::string, publisher, "grpc",
          "fanout: grpc (Publish calls) | ws (client publish frames, one publisher member per "
          "room; mind the server's message_rate per connection)");
ABSL_FLAG(int, grpc_batch, 1,
          "fanout with --publisher=grpc: publishes per call (above 1: PublishBatch calls)");
ABSL_FLAG(int, client_threads, 1, "client event-loop threads");
ABSL_FLAG(int, source_addresses, 1, "spread client sockets over 127.0.0.1 … 127.0.0.N");
ABSL_FLAG(int, concurrency, 16, "grpc: calls in flight");
ABSL_FLAG(std::string, token, "", "connect: a JWT to connect with");
ABSL_FLAG(std::string, floor_reader, "spin",
          "write_floor: spin (the reader never sleeps, so no write pays for waking it) | sleep");
ABSL_FLAG(std::string, label, "", "free text stored with the result (e.g. the variant)");
ABSL_FLAG(std::string, out, "", "append each result as a JSON line to this file");
ABSL_FLAG(
    int, metrics_port, 0,
    "the server's /metrics port (soak: required; fanout: adds the bytes it wrote per delivery)");
ABSL_FLAG(int, warmup_s, 0,
          "soak: growth is measured from this many seconds in (0 = a third of duration_s)");
ABSL_FLAG(int, sample_s, 5, "soak: seconds between samples");
ABSL_FLAG(double, max_rss_growth_mb, 8, "soak: most server RSS growth after warm-up (MiB)");
ABSL_FLAG(int, max_fd_growth, 16, "soak: most growth of the server's open descriptors");
ABSL_FLAG(std::string, secret, "",
          "soak: the server's jwt_secret: every connection gets an HS256 token, and --expiring "
          "ones get tokens that expire (empty: no tokens, no expiries)");
ABSL_FLAG(double, publish_rate, 50, "soak: gRPC publishes per second into the members' rooms");
ABSL_FLAG(double, connect_rate, 20,
          "soak: connections per second that join two rooms and close (every other one abruptly)");
ABSL_FLAG(double, kick_rate, 2, "soak: connections per second that join and are kicked");
ABSL_FLAG(double, rejoin_rate, 20, "soak: leaves and rejoins per second by the members");
ABSL_FLAG(int, slow_readers, 2,
          "soak: readers held at this count that stop reading until evicted (close 4001)");
ABSL_FLAG(int, slow_payload, 65536, "soak: bytes of each publish into the slow readers' room");
ABSL_FLAG(double, slow_rate, 40, "soak: publishes per second into the slow readers' room");
ABSL_FLAG(int, slow_pause_ms, 5000,
          "soak: how long a slow reader reads nothing (its queue must overflow by then, and the "
          "server's write_timeout must not have dropped it yet)");
ABSL_FLAG(int, expiring, 4, "soak: connections held at this count whose tokens expire (1008)");
ABSL_FLAG(int, token_lifetime_s, 3, "soak: seconds from connect to an expiring token's close");
ABSL_FLAG(std::string, baseline, "", "compare: baseline results file");
ABSL_FLAG(std::string, candidate, "", "compare: candidate results file");

namespace bench = wsedge::bench;
namespace json = boost::json;
using namespace std::chrono;

namespace {

bench::load_options load_flags() {
  bench::load_options o;
  o.host = absl::GetFlag(FLAGS_ws_host);
  o.ports = {static_cast<std::uint16_t>(absl::GetFlag(FLAGS_ws_port))};
  if (const std::string ports = absl::GetFlag(FLAGS_ws_ports); !ports.empty()) {
    o.ports.clear();
    for (absl::string_view port : absl::StrSplit(ports, ',', absl::SkipWhitespace()))
      o.ports.push_back(static_cast<std::uint16_t>(std::stoi(std::string(port))));
  }
  o.connections = absl::GetFlag(FLAGS_connections);
  o.rooms = absl::GetFlag(FLAGS_rooms);
  o.threads = absl::GetFlag(FLAGS_client_threads);
  o.source_addresses = absl::GetFlag(FLAGS_source_addresses);
  o.token = absl::GetFlag(FLAGS_token);
  o.deflate = absl::GetFlag(FLAGS_deflate);
  return o;
}

json::object base_result(const std::string& scenario) {
  return {{"scenario", scenario},
          {"label", absl::GetFlag(FLAGS_label)},
          {"connections", absl::GetFlag(FLAGS_connections)},
          {"rooms", absl::GetFlag(FLAGS_rooms)}};
}

// The server's CPU and RSS: summed over every node given (server_pid and server_pids).
bench::proc_sample sample_servers() {
  std::vector<pid_t> pids;
  if (absl::GetFlag(FLAGS_server_pid) != 0) pids.push_back(absl::GetFlag(FLAGS_server_pid));
  for (absl::string_view pid :
       absl::StrSplit(absl::GetFlag(FLAGS_server_pids), ',', absl::SkipWhitespace()))
    pids.push_back(static_cast<pid_t>(std::stoi(std::string(pid))));
  bench::proc_sample total;
  if (pids.empty()) return total;  // no server named: zeros
  for (pid_t pid : pids) {
    auto one = bench::sample_process(pid);
    total.cpu_seconds += one.cpu_seconds;
    total.rss_bytes += one.rss_bytes;
  }
  return total;
}

// Bytes the server has written to its clients (wsedge_bytes_sent_total; 0 without metrics_port).
double server_bytes_sent() {
  const int port = absl::GetFlag(FLAGS_metrics_port);
  if (port == 0) return 0;
  auto values = bench::scrape_metrics(absl::GetFlag(FLAGS_ws_host),
                                      static_cast<std::uint16_t>(port), seconds(5));
  return values ? bench::metric(*values, "wsedge_bytes_sent_total") : 0;
}

double broker_cpu_seconds() {
  const int pid = absl::GetFlag(FLAGS_broker_pid);
  return pid == 0 ? 0 : bench::sample_process(static_cast<pid_t>(pid)).cpu_seconds;
}

// Connects every connection of the load, or says how many made it.
bool connect_every(bench::load_clients& clients, const bench::load_options& options) {
  const int ready = clients.connect_all(seconds(120));
  if (ready == options.connections) return true;
  std::cerr << "wsedge-bench: only " << ready << " of " << options.connections
            << " connections subscribed\n";
  return false;
}

// Membership cost: `churners` members leave and rejoin rooms of connections/rooms members each;
// the server's CPU per leave+join shows whether it grows with the room.
int churn() {
  auto options = load_flags();
  bench::load_clients clients(options);
  if (!connect_every(clients, options)) return 1;
  const int churners = std::min(absl::GetFlag(FLAGS_churners), options.connections);
  auto server0 = sample_servers();
  auto start = steady_clock::now();
  const std::uint64_t rejoins = clients.churn(churners, seconds(absl::GetFlag(FLAGS_duration_s)));
  double seconds_run = duration_cast<duration<double>>(steady_clock::now() - start).count();
  auto server1 = sample_servers();
  double server_cpu = server1.cpu_seconds - server0.cpu_seconds;
  json::object r = base_result("churn");
  r["members_per_room"] = options.connections / options.rooms;
  r["churners"] = churners;
  r["rejoins"] = rejoins;
  r["rejoins_per_s"] = static_cast<double>(rejoins) / seconds_run;
  r["server_cpu_s"] = server_cpu;
  r["server_us_per_rejoin"] = rejoins > 0 ? server_cpu * 1e6 / static_cast<double>(rejoins) : 0.0;
  bench::emit(r, absl::GetFlag(FLAGS_out));
  return 0;
}

int fanout() {
  auto options = load_flags();
  bench::load_clients clients(options);
  if (!connect_every(clients, options)) return 1;
  // Members per room, to know how many deliveries each publish should make.
  std::vector<std::uint64_t> members(static_cast<std::size_t>(options.rooms), 0);
  for (int i = 0; i < options.connections; ++i)
    ++members[static_cast<std::size_t>(i % options.rooms)];
  const std::string publisher_kind = absl::GetFlag(FLAGS_publisher);
  if (publisher_kind != "grpc" && publisher_kind != "ws") {
    std::cerr << "wsedge-bench: --publisher must be grpc or ws\n";
    return 2;
  }
  std::optional<bench::grpc_publisher> publisher;
  if (publisher_kind == "grpc") publisher.emplace(absl::GetFlag(FLAGS_grpc));
  // Watchers see no event from a publish: what they could cost the publish path is measured.
  bench::event_watchers watchers(absl::GetFlag(FLAGS_grpc), absl::GetFlag(FLAGS_watchers));
  const auto payload = static_cast<std::size_t>(absl::GetFlag(FLAGS_payload));
  const milliseconds run_length = seconds(absl::GetFlag(FLAGS_duration_s));
  for (absl::string_view rate_text : absl::StrSplit(absl::GetFlag(FLAGS_rate), ',')) {
    double rate = std::stod(std::string(rate_text));
    clients.reset();
    auto server0 = sample_servers();
    auto client0 = bench::sample_process(0);
    const double broker0 = broker_cpu_seconds();
    const double bytes0 = server_bytes_sent();
    auto start = steady_clock::now();
    bench::publish_totals totals;
    if (publisher) {
      totals = publisher->paced(rate, run_length, options.rooms, payload,
                                absl::GetFlag(FLAGS_grpc_batch));
    } else {
      totals.sent = totals.ok = clients.publish_paced(rate, run_length, payload);
    }
    auto published = steady_clock::now();
    std::uint64_t expected = 0;
    for (std::uint64_t i = 0; i < totals.ok; ++i) expected += members[i % members.size()];
    // Drain: what has not arrived 5 s after the last publish is lost.
    while (clients.received() < expected && steady_clock::now() < published + seconds(5))
      std::this_thread::sleep_for(milliseconds(10));
    auto server1 = sample_servers();
    auto client1 = bench::sample_process(0);
    const double broker_cpu = broker_cpu_seconds() - broker0;
    std::uint64_t received = clients.received();
    // A refused client publish comes back as an error frame (the server's count is not known).
    if (!publisher) totals.failed = clients.errors();
    double seconds_run = duration_cast<duration<double>>(published - start).count();
    double server_cpu = server1.cpu_seconds - server0.cpu_seconds;
    auto latency = bench::summarize(clients.take_latencies());
    json::object r = base_result("fanout");
    r["publisher"] = publisher_kind;
    r["grpc_batch"] = absl::GetFlag(FLAGS_grpc_batch);
    r["watchers"] = absl::GetFlag(FLAGS_watchers);
    r["rate"] = rate;
    r["payload"] = absl::GetFlag(FLAGS_payload);
    r["publishes"] = totals.ok;
    r["publish_errors"] = totals.failed;
    r["publishes_per_s"] = static_cast<double>(totals.ok) / seconds_run;
    r["expected"] = expected;
    r["server_recipients"] = totals.recipients;
    r["received"] = received;
    r["lost"] = expected > received ? expected - received : 0;
    r["deliveries_per_s"] = static_cast<double>(received) / seconds_run;
    r["p50_ms"] = latency.p50_ms;
    r["p90_ms"] = latency.p90_ms;
    r["p99_ms"] = latency.p99_ms;
    r["p999_ms"] = latency.p999_ms;
    r["max_ms"] = latency.max_ms;
    r["server_cpu_s"] = server_cpu;
    r["deliveries_per_server_cpu_s"] =
        server_cpu > 0 ? static_cast<double>(received) / server_cpu : 0;
    r["server_rss_mb"] = static_cast<double>(server1.rss_bytes) / (1 << 20);
    r["client_cpu_s"] = client1.cpu_seconds - client0.cpu_seconds;
    r["deflate"] = options.deflate;
    r["payload_kind"] = absl::GetFlag(FLAGS_payload_kind);
    if (absl::GetFlag(FLAGS_metrics_port) != 0 && received > 0)
      r["server_bytes_per_delivery"] =
          (server_bytes_sent() - bytes0) / static_cast<double>(received);
    if (absl::GetFlag(FLAGS_broker_pid) != 0) {
      r["broker_cpu_s"] = broker_cpu;
      r["broker_cpu_us_per_publish"] =
          totals.ok > 0 ? broker_cpu * 1e6 / static_cast<double>(totals.ok) : 0;
    }
    bench::emit(r, absl::GetFlag(FLAGS_out));
  }
  return 0;
}

// Client-to-backend messages: clients send at each rate, every watcher should get each one.
int events() {
  auto options = load_flags();
  bench::load_clients clients(options);
  if (!connect_every(clients, options)) return 1;
  const int watcher_count = absl::GetFlag(FLAGS_watchers);
  bench::event_watchers watchers(absl::GetFlag(FLAGS_grpc), watcher_count);
  const auto payload = static_cast<std::size_t>(absl::GetFlag(FLAGS_payload));
  const milliseconds run_length = seconds(absl::GetFlag(FLAGS_duration_s));
  bool complete = true;
  for (absl::string_view rate_text : absl::StrSplit(absl::GetFlag(FLAGS_rate), ',')) {
    const double rate = std::stod(std::string(rate_text));
    clients.reset();
    watchers.reset();
    auto server0 = sample_servers();
    const double broker0 = broker_cpu_seconds();
    auto start = steady_clock::now();
    const std::uint64_t sent = clients.send_paced(rate, run_length, payload);
    auto done = steady_clock::now();
    const std::uint64_t expected = sent * static_cast<std::uint64_t>(watcher_count);
    while (watchers.received() < expected && steady_clock::now() < done + seconds(5))
      std::this_thread::sleep_for(milliseconds(10));
    auto server1 = sample_servers();
    const double seconds_run = duration_cast<duration<double>>(done - start).count();
    const double server_cpu = server1.cpu_seconds - server0.cpu_seconds;
    const std::uint64_t received = watchers.received();
    auto latency = bench::summarize(watchers.take_latencies());
    json::object r = base_result("events");
    r["rate"] = rate;
    r["payload"] = absl::GetFlag(FLAGS_payload);
    r["watchers"] = watcher_count;
    r["sends"] = sent;
    r["refused"] = clients.errors();  // no_receiver, rate_limited: see the server's metrics
    r["events_received"] = received;
    r["events_per_s_per_watcher"] = static_cast<double>(watchers.fewest_received()) / seconds_run;
    r["lost"] = expected > received ? expected - received : 0;
    r["watchers_ended"] = watchers.ended();
    r["p50_ms"] = latency.p50_ms;
    r["p99_ms"] = latency.p99_ms;
    r["max_ms"] = latency.max_ms;
    r["server_cpu_s"] = server_cpu;
    r["server_us_per_send"] = sent > 0 ? server_cpu * 1e6 / static_cast<double>(sent) : 0.0;
    r["server_rss_mb"] = static_cast<double>(server1.rss_bytes) / (1 << 20);
    if (absl::GetFlag(FLAGS_broker_pid) != 0) {
      const double broker_cpu = broker_cpu_seconds() - broker0;
      r["broker_cpu_s"] = broker_cpu;
      r["broker_us_per_send"] = sent > 0 ? broker_cpu * 1e6 / static_cast<double>(sent) : 0.0;
    }
    bench::emit(r, absl::GetFlag(FLAGS_out));
    complete = complete && received >= expected;
  }
  return complete ? 0 : 1;
}

int idle() {
  auto before = sample_servers();
  auto options = load_flags();
  bench::load_clients clients(options);
  int ready = clients.connect_all(seconds(300));
  std::uint64_t published = 0;
  if (absl::GetFlag(FLAGS_idle_publish)) {
    published = clients.publish_paced(options.rooms, seconds(1),
                                      static_cast<std::size_t>(absl::GetFlag(FLAGS_payload)));
  }
  std::this_thread::sleep_for(seconds(2));  // let the server settle its allocations
  auto after = sample_servers();
  json::object r = base_result("idle");
  r["subscribed"] = ready;
  r["deflate"] = options.deflate;
  r["published"] = published;
  r["received"] = clients.received();
  r["server_rss_before_mb"] = static_cast<double>(before.rss_bytes) / (1 << 20);
  r["server_rss_after_mb"] = static_cast<double>(after.rss_bytes) / (1 << 20);
  r["server_rss_per_connection_kb"] =
      ready > 0 ? static_cast<double>(after.rss_bytes - before.rss_bytes) / 1024.0 / ready : 0;
  bench::emit(r, absl::GetFlag(FLAGS_out));
  return ready == options.connections ? 0 : 1;
}

int connect() {
  auto options = load_flags();
  bench::load_clients clients(options);
  auto server0 = sample_servers();
  auto start = steady_clock::now();
  int ready = clients.connect_all(seconds(300));
  double took = duration_cast<duration<double>>(steady_clock::now() - start).count();
  auto server1 = sample_servers();
  json::object r = base_result("connect");
  r["with_token"] = !options.token.empty();
  r["subscribed"] = ready;
  r["seconds"] = took;
  r["connects_per_s"] = ready / took;
  r["server_cpu_s"] = server1.cpu_seconds - server0.cpu_seconds;
  bench::emit(r, absl::GetFlag(FLAGS_out));
  return ready == options.connections ? 0 : 1;
}

int grpc_rate() {
  bench::grpc_publisher publisher(absl::GetFlag(FLAGS_grpc));
  auto server0 = sample_servers();
  auto client0 = bench::sample_process(0);
  auto totals =
      publisher.flood(absl::GetFlag(FLAGS_concurrency), seconds(absl::GetFlag(FLAGS_duration_s)));
  auto server1 = sample_servers();
  auto client1 = bench::sample_process(0);
  double server_cpu = server1.cpu_seconds - server0.cpu_seconds;
  json::object r = base_result("grpc");
  r["concurrency"] = absl::GetFlag(FLAGS_concurrency);
  r["calls"] = totals.ok;
  r["errors"] = totals.failed;
  r["calls_per_s"] = static_cast<double>(totals.ok) / absl::GetFlag(FLAGS_duration_s);
  r["server_cpu_s"] = server_cpu;
  r["calls_per_server_cpu_s"] = server_cpu > 0 ? static_cast<double>(totals.ok) / server_cpu : 0;
  r["client_cpu_s"] = client1.cpu_seconds - client0.cpu_seconds;
  bench::emit(r, absl::GetFlag(FLAGS_out));
  return totals.failed == 0 ? 0 : 1;
}

int write_floor() {
  bench::write_floor_options options;
  options.connections = absl::GetFlag(FLAGS_connections);
  options.rooms = absl::GetFlag(FLAGS_rooms);
  options.duration = seconds(absl::GetFlag(FLAGS_duration_s));
  options.payload = static_cast<std::size_t>(absl::GetFlag(FLAGS_payload));
  const std::string reader = absl::GetFlag(FLAGS_floor_reader);
  if (reader != "spin" && reader != "sleep") {
    std::cerr << "wsedge-bench: --floor_reader must be spin or sleep\n";
    return 2;
  }
  options.spinning_reader = reader == "spin";
  bool all_read = true;
  for (absl::string_view rate_text : absl::StrSplit(absl::GetFlag(FLAGS_rate), ',')) {
    options.rate = std::stod(std::string(rate_text));
    bench::write_floor_result floor;
    try {
      floor = bench::run_write_floor(options);
    } catch (const std::exception& e) {
      std::cerr << "wsedge-bench: " << e.what() << "\n";
      return 2;
    }
    json::object r = base_result("write_floor");
    r["rate"] = options.rate;
    r["payload"] = absl::GetFlag(FLAGS_payload);
    r["reader"] = reader;
    r["writes"] = floor.writes;
    r["writes_per_s"] = static_cast<double>(floor.writes) / floor.seconds;
    r["lost_bytes"] = floor.bytes_written - std::min(floor.bytes_written, floor.bytes_read);
    r["sender_cpu_s"] = floor.sender_cpu_s;
    r["writes_per_sender_cpu_s"] =
        floor.sender_cpu_s > 0 ? static_cast<double>(floor.writes) / floor.sender_cpu_s : 0;
    r["sender_us_per_write"] =
        floor.writes > 0 ? 1e6 * floor.sender_cpu_s / static_cast<double>(floor.writes) : 0;
    r["reader_cpu_s"] = floor.reader_cpu_s;
    bench::emit(r, absl::GetFlag(FLAGS_out));
    all_read = all_read && floor.bytes_read == floor.bytes_written;
  }
  return all_read ? 0 : 1;
}

int soak() {
  bench::soak_options o;
  o.members = load_flags();
  o.actions.host = o.members.host;
  o.actions.port = o.members.ports.front();
  o.actions.grpc = absl::GetFlag(FLAGS_grpc);
  o.actions.rooms = o.members.rooms;
  o.actions.connect_rate = absl::GetFlag(FLAGS_connect_rate);
  o.actions.kick_rate = absl::GetFlag(FLAGS_kick_rate);
  o.actions.rejoin_rate = absl::GetFlag(FLAGS_rejoin_rate);
  o.actions.slow_readers = absl::GetFlag(FLAGS_slow_readers);
  o.actions.slow_rate = absl::GetFlag(FLAGS_slow_rate);
  o.actions.slow_payload = static_cast<std::size_t>(absl::GetFlag(FLAGS_slow_payload));
  o.actions.slow_pause = milliseconds(absl::GetFlag(FLAGS_slow_pause_ms));
  o.actions.expiring = absl::GetFlag(FLAGS_expiring);
  o.actions.secret = absl::GetFlag(FLAGS_secret);
  o.actions.token_lifetime = seconds(absl::GetFlag(FLAGS_token_lifetime_s));
  o.publish_rate = absl::GetFlag(FLAGS_publish_rate);
  o.payload = static_cast<std::size_t>(absl::GetFlag(FLAGS_payload));
  o.metrics_port = static_cast<std::uint16_t>(absl::GetFlag(FLAGS_metrics_port));
  o.server_pid = static_cast<pid_t>(absl::GetFlag(FLAGS_server_pid));
  o.duration = seconds(absl::GetFlag(FLAGS_duration_s));
  const int warmup = absl::GetFlag(FLAGS_warmup_s);
  o.warmup = warmup > 0 ? seconds(warmup) : o.duration / 3;
  o.sample_every = seconds(absl::GetFlag(FLAGS_sample_s));
  o.max_rss_growth_mb = absl::GetFlag(FLAGS_max_rss_growth_mb);
  o.max_fd_growth = absl::GetFlag(FLAGS_max_fd_growth);
  o.label = absl::GetFlag(FLAGS_label);
  o.out = absl::GetFlag(FLAGS_out);
  return bench::run_soak(std::move(o));
}

constexpr char usage[] =
    "wsedge-bench: load scenarios against a wsedge (or any server speaking docs/protocol.md), and\n"
    "their comparison; docs/benchmarks.md has the commands and the figures.\n"
    "\n"
    "usage:\n"
    "  wsedge-bench --scenario=fanout|idle|connect|grpc|churn [--server_pid=PID] …\n"
    "  wsedge-bench --scenario=fanout --deflate --payload_kind=json --metrics_port=M …\n"
    "  wsedge-bench --scenario=events --watchers=1 --rate=R [--server_pid=PID] …\n"
    "  wsedge-bench --scenario=write_floor [--connections=N --rooms=K --rate=R]\n"
    "  wsedge-bench --scenario=soak --server_pid=PID --metrics_port=M [--secret=S] …\n"
    "  wsedge-bench --scenario=compare --baseline=a.jsonl --candidate=b.jsonl";

}  // namespace

int main(int argc, char** argv) {
  if (wsedge::cli::help_requested(argc, argv)) {
    std::cout << wsedge::cli::help_text(usage, "bench/");
    return 0;
  }
  absl::SetProgramUsageMessage(usage);
  absl::ParseCommandLine(argc, argv);
  // As in wsedge's main: Debian's Abseil checks lock order on every gRPC mutex unless told not to.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const std::string kind = absl::GetFlag(FLAGS_payload_kind);
  if (kind != "filler" && kind != "json") {
    std::cerr << "wsedge-bench: --payload_kind must be filler or json\n";
    return 2;
  }
  if (kind == "json") bench::stamped_payload_kind = bench::payload_kind::json;
  const std::string scenario = absl::GetFlag(FLAGS_scenario);
  if (scenario == "fanout") return fanout();
  if (scenario == "idle") return idle();
  if (scenario == "connect") return connect();
  if (scenario == "grpc") return grpc_rate();
  if (scenario == "churn") return churn();
  if (scenario == "events") return events();
  if (scenario == "write_floor") return write_floor();
  if (scenario == "soak") return soak();
  if (scenario == "compare")
    return bench::compare(absl::GetFlag(FLAGS_baseline), absl::GetFlag(FLAGS_candidate)) > 0 ? 0
                                                                                             : 1;
  std::cerr << "wsedge-bench: unknown scenario " << scenario << "\n";
  return 2;
}
