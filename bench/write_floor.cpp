// Loopback TCP pairs, a paced sender writing one frame per member per publish, and a reader
// thread draining them: see write_floor.hpp.
#include "bench/write_floor.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "bench/pacing.hpp"
#include "edge/ws_frame.hpp"

namespace wsedge::bench {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Owns a file descriptor.
class fd_guard {
 public:
  explicit fd_guard(int fd = -1) : fd_(fd) {}
  fd_guard(fd_guard&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  fd_guard& operator=(fd_guard&&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

double thread_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct socket_pairs {
  std::vector<fd_guard> senders;  // the accepted ends, as a server holds them
  std::vector<fd_guard> readers;  // the connecting ends, as clients hold them
};

socket_pairs connect_pairs(int count) {
  fd_guard listener(::socket(AF_INET, SOCK_STREAM, 0));
  if (listener.get() < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) fail("bind");
  if (::listen(listener.get(), 4096) != 0) fail("listen");
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    fail("getsockname");
  socket_pairs pairs;
  for (int i = 0; i < count; ++i) {
    fd_guard reader(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    if (reader.get() < 0) fail("socket");
    if (::connect(reader.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS)
      fail("connect");
    fd_guard sender(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK));
    if (sender.get() < 0) fail("accept");
    int on = 1;
    ::setsockopt(sender.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    pairs.senders.push_back(std::move(sender));
    pairs.readers.push_back(std::move(reader));
  }
  return pairs;
}

// Drains every reader until told to stop; returns its own CPU seconds.
double drain(const std::vector<fd_guard>& readers, bool spin,
             std::atomic<std::uint64_t>& bytes_read, const std::atomic<bool>& stop) {
  fd_guard poller(::epoll_create1(0));
  if (poller.get() < 0) fail("epoll_create1");
  for (const fd_guard& reader : readers) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = reader.get();
    if (::epoll_ctl(poller.get(), EPOLL_CTL_ADD, reader.get(), &event) != 0) fail("epoll_ctl");
  }
  const double cpu0 = thread_cpu_seconds();
  std::array<epoll_event, 256> events;
  std::array<char, 64 * 1024> buffer;
  while (!stop.load(std::memory_order_relaxed)) {
    const int ready = ::epoll_wait(poller.get(), events.data(), events.size(), spin ? 0 : 50);
    for (int i = 0; i < ready; ++i) {
      const ssize_t got = ::recv(events[static_cast<std::size_t>(i)].data.fd, buffer.data(),
                                 buffer.size(), MSG_DONTWAIT);
      if (got > 0) bytes_read.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
    }
  }
  return thread_cpu_seconds() - cpu0;
}

}  // namespace

write_floor_result run_write_floor(const write_floor_options& options) {
  if (options.connections < 1 || options.rooms < 1 || options.rooms > options.connections)
    throw std::invalid_argument("write_floor: need 1 <= rooms <= connections");
  socket_pairs pairs = connect_pairs(options.connections);
  std::vector<std::vector<int>> members(static_cast<std::size_t>(options.rooms));
  for (std::size_t i = 0; i < pairs.senders.size(); ++i)
    members[i % members.size()].push_back(pairs.senders[i].get());
  // An unmasked server-to-client text frame, as wsedge sends them.
  const std::string frame = edge::frame_message(std::string(options.payload, 'x'));

  std::atomic<std::uint64_t> bytes_read{0};
  std::atomic<bool> stop{false};
  double reader_cpu = 0;
  std::thread reader(
      [&] { reader_cpu = drain(pairs.readers, options.spinning_reader, bytes_read, stop); });

  write_floor_result result;
  const auto start = std::chrono::steady_clock::now();
  const double cpu0 = thread_cpu_seconds();
  run_paced(options.rate, options.duration, [&](std::uint64_t i) {
    iovec piece{const_cast<char*>(frame.data()), frame.size()};
    msghdr message{};
    message.msg_iov = &piece;
    message.msg_iovlen = 1;
    for (int fd : members[i % members.size()]) {
      // As wsedge writes a delivery when the socket has room: one sendmsg per message.
      const ssize_t sent = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent > 0) {
        ++result.writes;
        result.bytes_written += static_cast<std::uint64_t>(sent);
      }
    }
  });
  result.sender_cpu_s = thread_cpu_seconds() - cpu0;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Everything written is read within a few seconds unless the reader is stuck.
  const auto drained_by = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (bytes_read.load() < result.bytes_written && std::chrono::steady_clock::now() < drained_by)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  reader.join();
  result.bytes_read = bytes_read.load();
  result.reader_cpu_s = reader_cpu;
  return result;
}

}  // namespace wsedge::bench
