// The kernel's price of one write per delivery on this machine, without any server: what a
// fan-out that writes each message to each member separately cannot get below. The sender
// writes one pre-framed WebSocket message per member of a room per "publish", paced like the
// fanout scenario; a reader thread drains every socket. The sender's CPU (its thread's, which
// includes the loopback receive path the kernel runs on the sending thread) is the figure to
// hold a server's deliveries per CPU-second against. How much of it is waking the reader
// depends on the reader (see write_floor_options::spinning_reader).
#pragma once

#include <chrono>
#include <cstdint>

namespace wsedge::bench {

struct write_floor_options {
  int connections = 2000;
  int rooms = 20;
  double rate = 1000;  // publishes per second; each writes to every member of one room
  std::chrono::milliseconds duration{10000};
  std::size_t payload = 100;
  // The reader polls without sleeping, so no write pays for waking it: the floor proper. A
  // sleeping reader (false) makes each write wake it, as an idle client would.
  bool spinning_reader = true;
};

struct write_floor_result {
  std::uint64_t writes = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t bytes_read = 0;
  double seconds = 0;
  double sender_cpu_s = 0;
  double reader_cpu_s = 0;
};

// Throws std::system_error when the sockets cannot be set up.
write_floor_result run_write_floor(const write_floor_options& options);

}  // namespace wsedge::bench
