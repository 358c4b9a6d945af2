// Loopback TCP pairs, a paced sender writing one frame per member per publish, and a reader
// thread draining them: see write_floor.hpp.
#include "bench/write_floor.hpp"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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

// Owns the epoll descriptor.
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

// Sockets from asio (blocking, used for their descriptors only): no event loop runs here.
using tcp = boost::asio::ip::tcp;

struct socket_pairs {
  boost::asio::io_context context;   // owns nothing the benchmark runs; the sockets need one
  std::vector<tcp::socket> senders;  // the accepted ends, as a server holds them
  std::vector<tcp::socket> readers;  // the connecting ends, as clients hold them
};

// Throws boost::system::system_error when a socket cannot be set up.
void connect_pairs(socket_pairs& pairs, int count) {
  tcp::acceptor listener(pairs.context, {boost::asio::ip::address_v4::loopback(), 0});
  listener.listen(4096);
  for (int i = 0; i < count; ++i) {
    tcp::socket reader(pairs.context);
    reader.connect(listener.local_endpoint());  // completes into the backlog
    tcp::socket sender = listener.accept();
    sender.set_option(tcp::no_delay(true));
    pairs.senders.push_back(std::move(sender));
    pairs.readers.push_back(std::move(reader));
  }
}

// Drains every reader until told to stop; returns its own CPU seconds.
double drain(std::vector<tcp::socket>& readers, bool spin, std::atomic<std::uint64_t>& bytes_read,
             const std::atomic<bool>& stop) {
  fd_guard poller(::epoll_create1(0));
  if (poller.get() < 0) fail("epoll_create1");
  for (tcp::socket& reader : readers) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = reader.native_handle();
    if (::epoll_ctl(poller.get(), EPOLL_CTL_ADD, event.data.fd, &event) != 0) fail("epoll_ctl");
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
  socket_pairs pairs;
  connect_pairs(pairs, options.connections);
  std::vector<std::vector<int>> members(static_cast<std::size_t>(options.rooms));
  for (std::size_t i = 0; i < pairs.senders.size(); ++i)
    members[i % members.size()].push_back(pairs.senders[i].native_handle());
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
