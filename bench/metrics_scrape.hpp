// Reads a server's Prometheus /metrics page: its gauges and counters, by series.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace wsedge::bench {

// Each series as the page prints it (`wsedge_connections`, `wsedge_errors_total{kind="read"}`)
// with its value.
using metric_values = std::map<std::string, double>;

// GET http://host:port/metrics; nullopt unless it answers 200 within `timeout`.
std::optional<metric_values> scrape_metrics(const std::string& host, std::uint16_t port,
                                            std::chrono::milliseconds timeout);

// The value of `series`, 0 when the page does not have it.
double metric(const metric_values& values, const std::string& series);

}  // namespace wsedge::bench
