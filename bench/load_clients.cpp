// Load clients: Beast WebSocket connections spread over worker threads, each reading forever.
#include "bench/load_clients.hpp"

#include <netinet/in.h>
#include <time.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "bench/pacing.hpp"

namespace wsedge::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

namespace {

// Linux's IP_BIND_ADDRESS_NO_PORT: bind the source address now, pick the port at connect time,
// so many source addresses each get the whole ephemeral port range.
constexpr int ip_bind_address_no_port = 24;
// Handshakes in flight per worker: more would overflow the server's listen backlog.
constexpr int max_pending_connects = 128;

class connection;

struct worker {
  net::io_context context{1};
  std::thread thread;
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> errors{0};  // {"type":"error"} replies, e.g. rate_limited publishes
  std::atomic<int> ready{0};
  // Churn: leave-and-rejoin round trips completed, and whether to start another.
  std::atomic<std::uint64_t> churned{0};
  std::atomic<bool> churning{false};
  std::mutex latencies_mutex;
  std::vector<std::uint64_t> latencies;
  // This worker's connections by index; touched only on the worker's thread.
  std::unordered_map<int, std::shared_ptr<connection>> connections;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(worker& w, const load_options& options, int index)
      : worker_(w), options_(options), index_(index), ws_(w.context) {}

  void start(std::function<void()> on_ready) {
    on_ready_ = std::move(on_ready);
    worker_.connections[index_] = shared_from_this();
    if (options_.deflate) {
      websocket::permessage_deflate offer;
      offer.client_enable = true;
      ws_.set_option(offer);
    }
    auto& socket = beast::get_lowest_layer(ws_).socket();
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    if (options_.source_addresses > 1) {
      int one = 1;
      setsockopt(socket.native_handle(), IPPROTO_IP, ip_bind_address_no_port, &one, sizeof one);
      auto source = net::ip::make_address_v4("127.0.0.1").to_uint() +
                    static_cast<unsigned>(index_ % options_.source_addresses);
      socket.bind(tcp::endpoint(net::ip::address_v4(source), 0), ec);
    }
    const auto& ports = options_.ports;
    tcp::endpoint server(net::ip::make_address(options_.host),
                         ports[static_cast<std::size_t>(index_) % ports.size()]);
    beast::get_lowest_layer(ws_).async_connect(
        server, [self = shared_from_this()](beast::error_code e) { self->on_connect(e); });
  }

  // Leaves and rejoins its room, again and again while the worker is churning (worker thread).
  void churn() {
    const std::string room = bench_room(static_cast<std::uint64_t>(index_), options_.rooms);
    send(R"({"type":"unsubscribe","room":")" + room + R"("})");
    send(R"({"type":"subscribe","room":")" + room + R"("})");
  }

  // Queues a text frame for this connection (on the worker's thread); one write at a time.
  void send(std::string frame) {
    outbox_.push_back(std::move(frame));
    if (outbox_.size() == 1) write_front();
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return done_connecting();
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    std::string target =
        "/ws/rooms/" + bench_room(static_cast<std::uint64_t>(index_), options_.rooms);
    if (!options_.token.empty()) target += "?token=" + options_.token;
    ws_.async_handshake(options_.host, target, [self = shared_from_this()](beast::error_code e) {
      if (e) return self->done_connecting();
      self->read();
    });
  }

  void write_front() {
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->outbox_.clear();  // the rest show up as lost
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) self->write_front();
                    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->done_connecting();
      self->on_message();
      self->read();
    });
  }

  void on_message() {
    std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    // The second message is the "subscribed" acknowledgement: from here on we count.
    if (++messages_ == 2) {
      worker_.ready.fetch_add(1, std::memory_order_relaxed);
      done_connecting();
    }
    if (text.starts_with(R"({"type":"error")")) worker_.errors.fetch_add(1);
    // A rejoin answered: one churn round trip done; start the next while churning.
    if (messages_ > 2 && text.starts_with(R"({"type":"subscribed")")) {
      worker_.churned.fetch_add(1, std::memory_order_relaxed);
      if (worker_.churning.load(std::memory_order_relaxed)) churn();
    }
    if (auto at = text.find("\"t\":"); at != std::string_view::npos) {
      std::uint64_t sent = std::strtoull(text.data() + at + 4, nullptr, 10);
      std::uint64_t now = now_ns();
      worker_.received.fetch_add(1, std::memory_order_relaxed);
      std::lock_guard lock(worker_.latencies_mutex);
      worker_.latencies.push_back(now > sent ? now - sent : 0);
    }
    buffer_.consume(buffer_.size());
  }

  void done_connecting() {
    if (on_ready_) std::exchange(on_ready_, nullptr)();
  }

  worker& worker_;
  const load_options& options_;
  int index_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::uint64_t messages_ = 0;
  std::function<void()> on_ready_;
  std::deque<std::string> outbox_;
};

// Opens one worker's share of the connections, keeping a bounded number in flight.
struct connect_driver : std::enable_shared_from_this<connect_driver> {
  connect_driver(worker& w, const load_options& o, int first, int step)
      : target(w), options(o), next(first), stride(step) {}

  void launch() {
    int index = next.fetch_add(stride);
    if (index >= options.connections) return;
    std::make_shared<connection>(target, options, index)->start([self = shared_from_this()] {
      self->finished.fetch_add(1);
      self->launch();
    });
  }

  worker& target;
  const load_options& options;
  std::atomic<int> next;
  int stride;
  std::atomic<int> finished{0};
};

}  // namespace

struct load_clients::impl {
  load_options options;
  std::vector<std::unique_ptr<worker>> workers;
  std::vector<std::optional<net::executor_work_guard<net::io_context::executor_type>>> guards;

  // Runs fn(connection) on the thread of connection `index`'s worker, if it is connected.
  template <class Fn>
  void with_connection(int index, Fn fn) {
    worker& w = *workers[static_cast<std::size_t>(index) % workers.size()];
    net::post(w.context, [&w, index, fn = std::move(fn)]() mutable {
      if (auto it = w.connections.find(index); it != w.connections.end()) fn(*it->second);
    });
  }
};

load_clients::load_clients(load_options options) : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    auto w = std::make_unique<worker>();
    impl_->guards.emplace_back(w->context.get_executor());
    w->thread = std::thread([ctx = &w->context] { ctx->run(); });
    impl_->workers.push_back(std::move(w));
  }
}

load_clients::~load_clients() {
  stop();
}

std::uint64_t load_clients::churn(int churners, std::chrono::milliseconds duration) {
  for (auto& w : impl_->workers) {
    w->churned = 0;
    w->churning = true;
  }
  for (auto& w : impl_->workers) {
    net::post(w->context, [w = w.get(), churners] {
      for (auto& [index, c] : w->connections)
        if (index < churners) c->churn();
    });
  }
  std::this_thread::sleep_for(duration);
  for (auto& w : impl_->workers) w->churning = false;
  return rejoined();
}

void load_clients::rejoin(int index) {
  impl_->with_connection(index, [](connection& c) { c.churn(); });
}

std::uint64_t load_clients::rejoined() const {
  std::uint64_t total = 0;
  for (auto& w : impl_->workers) total += w->churned.load();
  return total;
}

int load_clients::connect_all(std::chrono::seconds timeout) {
  const int workers = static_cast<int>(impl_->workers.size());
  std::vector<std::shared_ptr<connect_driver>> drivers;
  for (int w = 0; w < workers; ++w) {
    auto driver = std::make_shared<connect_driver>(*impl_->workers[static_cast<std::size_t>(w)],
                                                   impl_->options, w, workers);
    net::post(driver->target.context, [driver] {
      for (int i = 0; i < max_pending_connects; ++i) driver->launch();
    });
    drivers.push_back(std::move(driver));
  }
  auto finished = [&] {
    int n = 0;
    for (auto& d : drivers) n += d->finished.load();
    return n;
  };
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (finished() < impl_->options.connections && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int ready = 0;
  for (auto& w : impl_->workers) ready += w->ready.load();
  return ready;
}

std::uint64_t load_clients::received() const {
  std::uint64_t total = 0;
  for (auto& w : impl_->workers) total += w->received.load(std::memory_order_relaxed);
  return total;
}

std::uint64_t load_clients::errors() const {
  std::uint64_t total = 0;
  for (auto& w : impl_->workers) total += w->errors.load(std::memory_order_relaxed);
  return total;
}

std::uint64_t load_clients::publish_paced(double rate, std::chrono::milliseconds duration,
                                          std::size_t payload_bytes) {
  const int rooms = impl_->options.rooms;
  return run_paced(rate, duration, [&](std::uint64_t i) {
    // Connection k (k < rooms) is the member of bench-k that publishes into it.
    const int k = static_cast<int>(i % static_cast<std::uint64_t>(rooms));
    std::string frame = R"({"type":"publish","room":")" + bench_room(i, rooms) + R"(","data":)" +
                        stamped_payload(payload_bytes) + "}";
    impl_->with_connection(
        k, [frame = std::move(frame)](connection& c) mutable { c.send(std::move(frame)); });
  });
}

std::uint64_t load_clients::send_paced(double rate, std::chrono::milliseconds duration,
                                       std::size_t payload_bytes) {
  const auto connections = static_cast<std::uint64_t>(impl_->options.connections);
  return run_paced(rate, duration, [&](std::uint64_t i) {
    const int k = static_cast<int>(i % connections);
    std::string frame = R"({"type":"send","data":)" + stamped_payload(payload_bytes) + "}";
    impl_->with_connection(
        k, [frame = std::move(frame)](connection& c) mutable { c.send(std::move(frame)); });
  });
}

std::vector<std::uint64_t> load_clients::take_latencies() {
  std::vector<std::uint64_t> all;
  for (auto& w : impl_->workers) {
    std::lock_guard lock(w->latencies_mutex);
    all.insert(all.end(), w->latencies.begin(), w->latencies.end());
    w->latencies.clear();
  }
  return all;
}

void load_clients::reset() {
  take_latencies();
  for (auto& w : impl_->workers) {
    w->received.store(0);
    w->errors.store(0);
  }
}

void load_clients::stop() {
  for (auto& g : impl_->guards) g.reset();
  for (auto& w : impl_->workers) {
    w->context.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace wsedge::bench
