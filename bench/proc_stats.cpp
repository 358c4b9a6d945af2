// /proc/PID/stat fields 14 and 15 (utime, stime in clock ticks) and /proc/PID/status VmRSS.
#include "bench/proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace wsedge::bench {

proc_sample sample_process(pid_t pid) {
  const std::string dir = pid == 0 ? "/proc/self" : "/proc/" + std::to_string(pid);
  proc_sample out;
  std::ifstream stat(dir + "/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    out.cpu_seconds =
        static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  std::ifstream status(dir + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) out.rss_bytes = std::stoull(line.substr(6)) * 1024;
  }
  return out;
}

}  // namespace wsedge::bench
