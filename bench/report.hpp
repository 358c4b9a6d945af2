// Benchmark results: latency percentiles, one JSON line per run, a human table, run comparison.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace wsedge::bench {

struct latency_summary {
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

latency_summary summarize(std::vector<std::uint64_t> latencies_ns);

// Prints the result as one JSON line on stdout (and appends it to `out_file` when set) and as
// an aligned "key value" table on stderr.
void emit(const boost::json::object& result, const std::string& out_file);
// Only the JSON line (stdout, and `out_file` when set): for a series of samples.
void emit_line(const boost::json::object& result, const std::string& out_file);

// Reads two files of JSON lines and prints candidate/baseline ratios of the numeric fields for
// runs with the same scenario, connections and rate. Returns the number of matched runs.
int compare(const std::string& baseline_file, const std::string& candidate_file);

}  // namespace wsedge::bench
