// CPU time, resident memory and open descriptors of a process, read from /proc (the server's,
// or our own).
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

// Entries of /proc/PID/fd (pid 0 = this process); -1 when the process cannot be read.
int count_open_fds(pid_t pid);

// False once the process is gone or a zombie (exited, not yet reaped by its parent).
bool process_alive(pid_t pid);

}  // namespace wsedge::bench
