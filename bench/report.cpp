// Report formatting and comparison.
#include "bench/report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace wsedge::bench {

namespace json = boost::json;

latency_summary summarize(std::vector<std::uint64_t> latencies_ns) {
  latency_summary s;
  if (latencies_ns.empty()) return s;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto at = [&](double q) {
    auto index = static_cast<std::size_t>(q * static_cast<double>(latencies_ns.size() - 1));
    return static_cast<double>(latencies_ns[index]) / 1e6;
  };
  s.p50_ms = at(0.50);
  s.p90_ms = at(0.90);
  s.p99_ms = at(0.99);
  s.p999_ms = at(0.999);
  s.max_ms = static_cast<double>(latencies_ns.back()) / 1e6;
  return s;
}

void emit_line(const json::object& result, const std::string& out_file) {
  std::string line = json::serialize(result);
  std::cout << line << std::endl;
  if (!out_file.empty()) std::ofstream(out_file, std::ios::app) << line << "\n";
}

void emit(const json::object& result, const std::string& out_file) {
  emit_line(result, out_file);
  for (const auto& [key, value] : result) {
    std::string text = value.is_string() ? std::string(value.as_string()) : json::serialize(value);
    std::fprintf(stderr, "  %-34s %s\n", std::string(key).c_str(), text.c_str());
  }
  std::fprintf(stderr, "\n");
}

namespace {

std::vector<json::object> read_runs(const std::string& file) {
  std::vector<json::object> runs;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    json::error_code ec;
    auto v = json::parse(line, ec);
    if (!ec && v.is_object()) runs.push_back(v.as_object());
  }
  return runs;
}

std::string key_of(const json::object& run) {
  auto field = [&](const char* k) {
    return run.contains(k) ? json::serialize(run.at(k)) : std::string("-");
  };
  return field("scenario") + " connections=" + field("connections") + " rate=" + field("rate");
}

double number(const json::value& v) {
  return v.is_double() ? v.as_double() : v.to_number<double>();
}

}  // namespace

int compare(const std::string& baseline_file, const std::string& candidate_file) {
  // Several runs of the same configuration are reduced to their median per field.
  auto medians = [](const std::vector<json::object>& runs) {
    std::map<std::string, std::map<std::string, std::vector<double>>> by_key;
    for (const auto& run : runs)
      for (const auto& [field, value] : run)
        if (value.is_number()) by_key[key_of(run)][std::string(field)].push_back(number(value));
    std::map<std::string, std::map<std::string, double>> out;
    for (auto& [key, fields] : by_key)
      for (auto& [field, values] : fields) {
        std::sort(values.begin(), values.end());
        out[key][field] = values[values.size() / 2];
      }
    return out;
  };
  auto base = medians(read_runs(baseline_file));
  auto cand = medians(read_runs(candidate_file));
  int matched = 0;
  for (const auto& [key, fields] : cand) {
    auto it = base.find(key);
    if (it == base.end()) continue;
    ++matched;
    std::printf("%s\n", key.c_str());
    for (const auto& [field, value] : fields) {
      auto b = it->second.find(field);
      if (b == it->second.end() || b->second == 0) continue;
      std::printf("  %-34s %14.3f -> %14.3f  x%.3f\n", field.c_str(), b->second, value,
                  value / b->second);
    }
  }
  if (matched == 0) std::printf("no runs with the same scenario, connections and rate\n");
  return matched;
}

}  // namespace wsedge::bench
