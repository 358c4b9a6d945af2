// CPU time and resident memory of a process, read from /proc (the server's, or our own).
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace wsedge::bench {

struct proc_sample {
  double cpu_seconds = 0;  // user + system
  std::uint64_t rss_bytes = 0;
};

// pid 0 = this process. Zeros when the process cannot be read.
proc_sample sample_process(pid_t pid);

}  // namespace wsedge::bench
