// Starting the real wsedge binary in a test: its command line on loopback with free ports, and
// the ports read back from its start-up line.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace wsedge::testing {

struct listener_ports {
  int ws = 0, grpc = 0, metrics = 0;
};

// The ports of "wsedge listening: ws=<address>:<port> grpc=<address>:<port> metrics=…" (nullopt
// when the child printed no such line within 20 s).
inline std::optional<listener_ports> read_startup_line(child_process& child) {
  auto line = child.read_line(std::chrono::seconds(20));
  if (!line) return std::nullopt;
  auto port_after = [&](const std::string& key) {
    auto at = line->find(" " + key + "=");
    if (at == std::string::npos) at = line->find(key + "=");
    if (at == std::string::npos) return 0;
    auto end = line->find(' ', at + 1);
    auto colon = line->rfind(':', end);
    return std::atoi(line->substr(colon + 1, end - colon - 1).c_str());
  };
  listener_ports p{port_after("ws"), port_after("grpc"), port_after("metrics")};
  if (p.ws == 0 || p.grpc == 0 || p.metrics == 0) return std::nullopt;
  return p;
}

// The wsedge command line on loopback with free ports, plus `extra` settings.
inline std::vector<std::string> wsedge_argv(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{WSEDGE_BINARY, "--bind_address=127.0.0.1", "--ws_port=0",
                                "--grpc_port=0", "--metrics_port=0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace wsedge::testing
