// The soak run: start the load, sample the server every few seconds, compare the end with the
// end of warm-up, then check the server went back to the steady members once the churn stopped.
#include "bench/soak.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <iostream>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/grpc_publisher.hpp"
#include "bench/metrics_scrape.hpp"
#include "bench/proc_stats.hpp"
#include "bench/report.hpp"

namespace wsedge::bench {

namespace json = boost::json;
using namespace std::chrono;

namespace {

// The server's state over time: what it holds and its queue depths (messages waiting for
// their connections' sockets; the shards' mailboxes are summed as "mailbox_tasks").
constexpr const char* gauges[][2] = {{"connections", "wsedge_connections"},
                                     {"rooms", "wsedge_rooms"},
                                     {"subscriptions", "wsedge_subscriptions"},
                                     {"history_bytes", "wsedge_history_bytes"},
                                     {"queued_messages", "wsedge_outbound_queued_messages"},
                                     {"queued_bytes", "wsedge_outbound_queued_bytes"}};
constexpr std::string_view mailbox_series = "wsedge_shard_mailbox_tasks{";
constexpr const char* counters[][2] = {
    {"connections_opened", "wsedge_connections_opened_total"},
    {"kicks", "wsedge_kicks_total"},
    {"slow_consumer_disconnects", "wsedge_slow_consumer_disconnects_total"},
    {"token_expired", "wsedge_errors_total{kind=\"token_expired\"}"}};
// Growth compares the lowest of this many samples at each end: a sample also counts whatever
// short-lived connections are open at that instant, a leak raises the lowest as well.
constexpr std::size_t samples_per_level = 3;
// After the churn stops, the server has this long to be back to the steady members.
constexpr seconds settle_time{15};
constexpr milliseconds scrape_timeout{3000};

struct sample {
  double t_s = 0;
  bool alive = true;
  double rss_mb = 0;
  int fds = 0;
  std::optional<metric_values> metrics;
};

struct level {
  double rss_mb = 0;
  int fds = 0;
};

// The lowest RSS and descriptor count among the samples_per_level samples ending at `last`,
// leaving out sample 0 (taken as the load starts) unless it is the only one.
level lowest_at(const std::vector<sample>& samples, std::size_t last) {
  level low{samples[last].rss_mb, samples[last].fds};
  for (std::size_t i = last + 1 - std::min(last, samples_per_level); i < last; ++i) {
    low.rss_mb = std::min(low.rss_mb, samples[i].rss_mb);
    low.fds = std::min(low.fds, samples[i].fds);
  }
  return low;
}

double mb(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

// A metric as JSON: an integer when it is one (every gauge and counter read here), so that the
// lines read 206 rather than 2.06E2.
json::value number(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return static_cast<std::int64_t>(value);
  return value;
}

}  // namespace

int run_soak(soak_options o) {
  if (o.server_pid == 0 || o.metrics_port == 0) {
    std::cerr << "wsedge-bench: soak needs --server_pid and --metrics_port\n";
    return 2;
  }
  if (o.warmup >= o.duration || o.sample_every.count() <= 0) {
    std::cerr << "wsedge-bench: soak needs 0 < warmup_s < duration_s and sample_s > 0\n";
    return 2;
  }
  const std::string& host = o.members.host;
  const auto first = scrape_metrics(host, o.metrics_port, scrape_timeout);
  if (!first) {
    std::cerr << "wsedge-bench: no /metrics on " << host << ":" << o.metrics_port << "\n";
    return 2;
  }
  // With the server's secret every connection carries a token (auth_required servers too).
  if (!o.actions.secret.empty())
    o.members.token = o.actions.token =
        mint_token(o.actions.secret, "soak", system_clock::now() + o.duration + hours(1));
  load_clients members(o.members);
  const int steady = members.connect_all(seconds(60));
  if (steady < o.members.connections) {
    std::cerr << "wsedge-bench: only " << steady << " of " << o.members.connections
              << " members subscribed\n";
    return 2;
  }
  o.actions.rejoin = [&members, steady](std::uint64_t i) {
    members.rejoin(static_cast<int>(i % static_cast<std::uint64_t>(steady)));
  };
  grpc_publisher publisher(o.actions.grpc);
  publish_totals published;
  std::thread publishing([&] {
    if (o.publish_rate > 0)
      published = publisher.paced(o.publish_rate, o.duration, o.members.rooms, o.payload);
  });
  soak_actions actions(o.actions);

  // Samples at 0, sample_s, 2 sample_s, … and at the end, while the load runs.
  const auto start = steady_clock::now();
  std::vector<sample> samples;
  std::size_t warmup_end = 0;  // the last sample within warm-up
  for (seconds at{0};; at = std::min(at + o.sample_every, o.duration)) {
    std::this_thread::sleep_until(start + at);
    sample s;
    s.t_s = duration<double>(steady_clock::now() - start).count();
    s.alive = process_alive(o.server_pid);
    s.rss_mb = mb(sample_process(o.server_pid).rss_bytes);
    s.fds = count_open_fds(o.server_pid);
    s.metrics = scrape_metrics(host, o.metrics_port, scrape_timeout);
    const soak_tally t = actions.tally();
    const latency_summary latency = summarize(members.take_latencies());
    json::object line{{"scenario", "soak"},
                      {"label", o.label},
                      {"sample", samples.size()},
                      {"t_s", s.t_s},
                      {"phase", at <= o.warmup ? "warmup" : "measure"},
                      {"server_alive", s.alive},
                      {"server_rss_mb", s.rss_mb},
                      {"server_fds", s.fds},
                      {"server_cpu_s", sample_process(o.server_pid).cpu_seconds}};
    if (s.metrics) {
      for (const auto& [key, series] : gauges) line[key] = number(metric(*s.metrics, series));
      double mailbox = 0;
      for (const auto& [series, value] : *s.metrics)
        if (series.starts_with(mailbox_series)) mailbox += value;
      line["mailbox_tasks"] = number(mailbox);
      for (const auto& [key, series] : counters) line[key] = number(metric(*s.metrics, series));
    } else {
      line["metrics"] = "no answer";
    }
    line["connects"] = t.connects;
    line["kicked"] = t.kicked_closes;
    line["evicted"] = t.evictions;
    line["expired"] = t.expiries;
    line["rejoins"] = members.rejoined();
    line["deliveries"] = members.received();
    line["delivery_p99_ms"] = latency.p99_ms;
    line["unexpected"] = t.unexpected;
    emit_line(line, o.out);
    if (at <= o.warmup) warmup_end = samples.size();
    samples.push_back(std::move(s));
    if (!samples.back().alive || at == o.duration) break;
  }

  actions.stop();
  publishing.join();
  const bool alive = samples.back().alive && process_alive(o.server_pid);
  // Once the churn has stopped, the server holds the steady members again, and nothing else.
  std::optional<metric_values> after;
  const auto settle_deadline = steady_clock::now() + settle_time;
  while (alive && steady_clock::now() < settle_deadline) {
    after = scrape_metrics(host, o.metrics_port, scrape_timeout);
    if (after && metric(*after, "wsedge_connections") == steady &&
        metric(*after, "wsedge_outbound_queued_messages") == 0)
      break;
    std::this_thread::sleep_for(milliseconds(200));
  }

  const soak_tally t = actions.tally();
  const bool measured = samples.size() > warmup_end + 1;
  const level at_warmup = lowest_at(samples, warmup_end);
  const level at_end = lowest_at(samples, samples.size() - 1);
  const double rss_growth = at_end.rss_mb - at_warmup.rss_mb;
  const int fd_growth = at_end.fds - at_warmup.fds;
  json::array failures;
  if (!alive) failures.push_back(json::string("the server died"));
  if (!measured) failures.push_back(json::string("no sample after warm-up"));
  if (measured && rss_growth > o.max_rss_growth_mb)
    failures.push_back(json::string("RSS grew past max_rss_growth_mb after warm-up"));
  if (measured && fd_growth > o.max_fd_growth)
    failures.push_back(json::string("descriptors grew past max_fd_growth after warm-up"));
  const double connections_after = after ? metric(*after, "wsedge_connections") : -1;
  if (alive && connections_after != steady)
    failures.push_back(json::string("connections did not return to the steady members"));
  // Every queued message was written or dropped with its connection: a gauge left above 0
  // would be a leak in the accounting, or a queue that never drains.
  const double queued_after = after ? metric(*after, "wsedge_outbound_queued_messages") : -1;
  if (alive && queued_after != 0)
    failures.push_back(json::string("outbound queues did not drain once the churn stopped"));

  json::object r{{"scenario", "soak"},
                 {"label", o.label},
                 {"summary", true},
                 {"result", failures.empty() ? "pass" : "fail"},
                 {"failures", failures},
                 {"duration_s", o.duration.count()},
                 {"warmup_s", o.warmup.count()},
                 {"sample_s", o.sample_every.count()},
                 {"samples", samples.size()},
                 {"connections", o.members.connections},
                 {"rooms", o.members.rooms},
                 {"publish_rate", o.publish_rate},
                 {"connect_rate", o.actions.connect_rate},
                 {"kick_rate", o.actions.kick_rate},
                 {"rejoin_rate", o.actions.rejoin_rate},
                 {"slow_readers", o.actions.slow_readers},
                 {"expiring", o.actions.expiring},
                 {"token_expiry", actions.expiry_status()},
                 {"rss_mb_at_warmup", at_warmup.rss_mb},
                 {"rss_mb_at_end", at_end.rss_mb},
                 {"rss_growth_mb", rss_growth},
                 {"max_rss_growth_mb", o.max_rss_growth_mb},
                 {"fds_at_warmup", at_warmup.fds},
                 {"fds_at_end", at_end.fds},
                 {"fd_growth", fd_growth},
                 {"max_fd_growth", o.max_fd_growth},
                 {"connections_after_stop", number(connections_after)},
                 {"queued_messages_after_stop", number(queued_after)},
                 {"connects", t.connects},
                 {"connect_failures", t.connect_failures},
                 {"connects_skipped", t.connects_skipped},
                 {"kicks", t.kicks},
                 {"kicked_closes", t.kicked_closes},
                 {"evictions", t.evictions},
                 {"slow_not_evicted", t.slow_not_evicted},
                 {"expiries", t.expiries},
                 {"rejoins", members.rejoined()},
                 {"publishes", published.ok},
                 {"publish_errors", published.failed},
                 {"slow_publishes", t.slow_publishes},
                 {"control_errors", t.control_errors},
                 {"deliveries", members.received()},
                 {"unexpected_closes", t.unexpected},
                 {"last_unexpected", t.last_unexpected}};
  // The server's own count of each action over the run (its counters, after minus before).
  if (after)
    for (const auto& [key, series] : counters)
      r[std::string("server_") + key] = number(metric(*after, series) - metric(*first, series));
  emit(r, o.out);
  return failures.empty() ? 0 : 1;
}

}  // namespace wsedge::bench
