// Runs a program as a child process for end-to-end tests: read its stdout lines, signal it,
// and wait for its exit, each with a deadline (poll on a pipe and on a pidfd, never sleep).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace wsedge::testing {

class child_process {
 public:
  explicit child_process(const std::vector<std::string>& argv);
  ~child_process();  // kills the child if it is still running

  bool started() const { return pid_ > 0; }
  // The next line of stdout (without '\n'), or nullopt at EOF or the deadline.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void signal(int signal_number);
  // The exit status once the child exits (or -1 if it was killed by a signal), nullopt at
  // the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  int pid_fd_ = -1;
  bool reaped_ = false;
  std::string pending_;
};

}  // namespace wsedge::testing
