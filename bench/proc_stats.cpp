// /proc/PID/stat fields 3 (state), 14 and 15 (utime, stime in clock ticks), /proc/PID/status
// VmRSS and the entries of /proc/PID/fd.
#include "bench/proc_stats.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace wsedge::bench {

namespace {

std::string proc_dir(pid_t pid) {
  return pid == 0 ? "/proc/self" : "/proc/" + std::to_string(pid);
}

}  // namespace

proc_sample sample_process(pid_t pid) {
  const std::string dir = proc_dir(pid);
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

int count_open_fds(pid_t pid) {
  std::error_code ec;
  int count = 0;
  for (std::filesystem::directory_iterator it(proc_dir(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++count;
  return ec ? -1 : count;
}

bool process_alive(pid_t pid) {
  std::ifstream stat(proc_dir(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // The state letter follows the command name's closing parenthesis (the name may hold one).
  const auto name_end = line.rfind(')');
  if (name_end == std::string::npos || name_end + 2 >= line.size()) return false;
  const char state = line[name_end + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace wsedge::bench
