// Soak actions: Beast client connections on one event loop, paced by Asio timers; Kick and the
// slow room's publishes are callback-API gRPC calls that finish on gRPC's threads.
#include "bench/soak_actions.hpp"

#include <grpcpp/grpcpp.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <jwt/jwt.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/load_clients.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace v1 = wsedge::v1;
using tcp = net::ip::tcp;
using namespace std::chrono;

namespace {

// wsedge accepts a token until exp plus this leeway (auth/jwt_verifier.hpp) and closes the
// connection then: a token meant to end `lifetime` from now carries exp = now + lifetime - 30 s.
constexpr seconds server_exp_leeway{30};
// Churned connections in flight beyond this are skipped, so that a slow server does not make
// the client pile them up.
constexpr int max_churn_in_flight = 64;
// gRPC calls in flight beyond this skip a slow room publish (a Kick is never skipped).
constexpr int max_calls_in_flight = 16;
// Every call ends by then, so stop() knows how long to wait for the last ones.
constexpr seconds call_deadline{5};
// How long a slow reader, reading again, waits for the close it should find.
constexpr milliseconds slow_drain{3000};
// The longest a connection may take to join (every kind) or to be closed by a Kick or after
// its own close (churned and kicked ones); past it the connection counts as unexpected.
constexpr seconds short_life{10};
// Churned connections join soak-churn-<n % 16> by URL: a bounded set, since a room's state
// outlives its last member by history_ttl.
constexpr std::uint64_t churn_rooms = 16;
constexpr char slow_room[] = "soak-slow";

enum class kind { churn, kicked, slow, expiring };

const char* kind_name(kind k) {
  switch (k) {
    case kind::churn:
      return "churned";
    case kind::kicked:
      return "kicked";
    case kind::slow:
      return "slow reader";
    case kind::expiring:
      return "expiring";
  }
  return "?";
}

class connection;

// A timer calling `each` at a fixed rate (absolute schedule).
struct pacer {
  pacer(net::io_context& context, double rate, std::function<void()> each)
      : timer(context),
        period(duration_cast<nanoseconds>(duration<double>(1.0 / rate))),
        next(steady_clock::now()),
        each(std::move(each)) {}
  net::steady_timer timer;
  nanoseconds period;
  steady_clock::time_point next;
  std::function<void()> each;
};

}  // namespace

std::string mint_token(const std::string& secret, const std::string& sub,
                       system_clock::time_point expires) {
  jwt::jwt_object token{jwt::params::algorithm("HS256"), jwt::params::secret(secret)};
  token.add_claim("sub", sub);
  token.add_claim("exp", expires);
  return token.signature();
}

struct soak_actions::impl {
  explicit impl(soak_actions_options o) : options(std::move(o)) {
    expiring_on = !options.secret.empty() && options.expiring > 0;
    expiry_status = expiring_on ? "on"
                    : options.secret.empty()
                        ? "skipped: no --secret (the server's jwt_secret) given"
                        : "skipped: --expiring=0";
  }

  // Any thread.
  template <class Fn>
  void count(Fn fn) {
    std::lock_guard lock(mutex);
    fn(tally);
  }
  void unexpected(std::string what) {
    count([&](soak_tally& t) {
      ++t.unexpected;
      t.last_unexpected = std::move(what);
    });
  }
  // A unary call on gRPC's callback API: issue(context, request, response, on_done) starts it,
  // done(status, response) runs on a gRPC thread when it ends; stop() waits for it.
  template <class Response, class Request, class Issue, class Done>
  void call(Request request, Issue issue, Done done) {
    struct pending {
      grpc::ClientContext context;
      Request request;
      Response response;
    };
    auto* p = new pending;
    p->context.set_deadline(system_clock::now() + call_deadline);
    p->request = std::move(request);
    {
      std::lock_guard lock(mutex);
      ++calls_in_flight;
    }
    issue(&p->context, &p->request, &p->response, [this, p, done](grpc::Status status) {
      std::unique_ptr<pending> owned(p);
      done(status, p->response);
      std::lock_guard lock(mutex);
      --calls_in_flight;
      calls_done.notify_all();
    });
  }

  // Event-loop thread from here on.
  void start();
  void open(kind k);
  void ended(std::uint64_t serial, kind k, bool failed);
  void kick(const std::string& client_id);
  void publish_slow();
  void every(double rate, std::function<void()> each);
  void tick(pacer& p);
  // The expiring connections stop, for `why` (the run's output says it).
  void stop_expiring(std::string why) {
    expiring_on = false;
    std::lock_guard lock(mutex);
    expiry_status = std::move(why);
  }

  const soak_actions_options options;
  net::io_context context{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  std::thread thread;
  std::unique_ptr<v1::EdgeControl::Stub> stub;
  const std::string slow_data =
      "\"" + std::string(options.slow_payload > 2 ? options.slow_payload - 2 : 1, 's') + "\"";

  mutable std::mutex mutex;
  std::condition_variable calls_done;
  soak_tally tally;
  int calls_in_flight = 0;
  std::string expiry_status;
  std::atomic<int> live_count{0};

  // Event-loop thread only.
  bool stopping = false;
  bool expiring_on = false;
  std::uint64_t next_serial = 0;
  int churn_in_flight = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<connection>> live;
  std::vector<std::unique_ptr<pacer>> pacers;
};

namespace {

// One short-lived connection: connect, join, do what its kind does, and say how it ended.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(soak_actions::impl& owner, kind k, std::uint64_t serial)
      : owner_(owner), kind_(k), serial_(serial), ws_(owner.context), timer_(owner.context) {}

  void start() {
    const auto& o = owner_.options;
    std::string room;
    std::string token = o.token;
    switch (kind_) {
      case kind::churn:
        room = "soak-churn-" + std::to_string(serial_ % churn_rooms);
        break;
      case kind::slow:
        room = slow_room;
        break;
      case kind::kicked:
        room = bench_room(serial_, o.rooms);
        break;
      case kind::expiring:
        room = bench_room(serial_, o.rooms);
        token = mint_token(o.secret, "soak-expiring",
                           system_clock::now() + o.token_lifetime - server_exp_leeway);
        break;
    }
    target_ = "/ws/rooms/" + room + (token.empty() ? "" : "?token=" + token);
    arm(short_life, [this] { give_up("did not join within 10 s"); });
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(net::ip::make_address(o.host), o.port),
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->finish(ec);
          self->ws_.async_handshake(
              self->response_, self->owner_.options.host, self->target_,
              [self](beast::error_code ec) { ec ? self->finish(ec) : self->read(); });
        });
  }

  // Drops the socket now: the end of an abrupt churn, of a slow reader that found no close, or
  // of the run.
  void drop() {
    closed_by_us_ = true;
    beast::get_lowest_layer(ws_).close();
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish(ec);
      self->on_message();
      if (!self->paused_) self->read();
    });
  }

  void on_message() {
    const std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (text.starts_with(R"({"type":"connected")")) on_connected(text);
    if (text.starts_with(R"({"type":"subscribed")")) on_subscribed();
    buffer_.consume(buffer_.size());
  }

  void on_connected(std::string_view text) {
    json::error_code ec;
    const json::value hello = json::parse(text, ec);
    if (ec || !hello.is_object()) return;
    if (const auto* id = hello.as_object().if_contains("client_id"); id && id->is_string())
      client_id_ = id->as_string();
    const auto* user = hello.as_object().if_contains("user_id");
    // A server without a JWT key ignores tokens: this one would never expire.
    if (kind_ == kind::expiring && user && user->is_string() && user->as_string().empty()) {
      owner_.stop_expiring("skipped: the server ignores tokens (it has no jwt secret)");
      ignored_ = true;
      drop();
    }
  }

  void on_subscribed() {
    if (++subscribed_ > 1 && kind_ != kind::churn) return;
    const auto& o = owner_.options;
    switch (kind_) {
      case kind::churn:
        // Joined by URL, then by request; then leave every room by closing.
        if (subscribed_ == 1)
          return write(R"({"type":"subscribe","room":")" + bench_room(serial_, o.rooms) + "\"}");
        close_after_write_ = true;
        if (!writing_) close();
        return;
      case kind::kicked:
        arm(short_life, [this] { give_up("not closed within 10 s of its Kick"); });
        return owner_.kick(client_id_);
      case kind::slow:
        // Read nothing for a while: the queue overflows and the server closes with 4001.
        paused_ = true;
        return arm(o.slow_pause, [this] {
          paused_ = false;
          read();
          arm(slow_drain, [this] { drop(); });
        });
      case kind::expiring:
        return arm(o.token_lifetime + short_life, [this] { give_up("token did not expire"); });
    }
  }

  void write(std::string frame) {
    frame_ = std::move(frame);
    writing_ = true;
    ws_.async_write(net::buffer(frame_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (!ec && self->close_after_write_) self->close();
                    });
  }

  // A churned connection ends: every other one with the close handshake, the rest abruptly.
  void close() {
    arm(short_life, [this] { give_up("close did not complete within 10 s"); });
    if (serial_ % 2 == 1) return drop();
    closed_by_us_ = true;
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) {});
  }

  void give_up(const char* why) {
    owner_.unexpected(std::string(kind_name(kind_)) + ": " + why);
    timed_out_ = true;
    drop();
  }

  // Runs `then` after `after` unless re-armed or the connection ends first.
  template <class Then>
  void arm(std::chrono::milliseconds after, Then then) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this(), then](beast::error_code ec) {
      if (!ec && !self->finished_) then();
    });
  }

  void finish(beast::error_code ec) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    const bool joined = subscribed_ > 0;
    if (!owner_.stopping && !timed_out_ && !ignored_) classify(ec, joined);
    owner_.ended(serial_, kind_, !joined);
  }

  void classify(beast::error_code ec, bool joined) {
    const int code = ec == websocket::error::closed ? ws_.reason().code : 1006;
    const std::string ending = std::string(kind_name(kind_)) + ": close " + std::to_string(code) +
                               " " + std::string(ws_.reason().reason.c_str()) + " (" +
                               ec.message() + ")";
    if (!joined) {
      // Refused at the upgrade: the HTTP status says why (401 for a token).
      const bool refused = ec == websocket::error::upgrade_declined;
      if (refused && kind_ == kind::expiring && response_.result_int() == 401)
        owner_.stop_expiring(
            "stopped: the server refused the minted token (HTTP 401: another jwt secret?)");
      owner_.count([&](soak_tally& t) {
        ++t.connect_failures;
        t.last_unexpected =
            std::string(kind_name(kind_)) + ": failed before joining: " +
            (refused ? "HTTP " + std::to_string(response_.result_int()) : ec.message());
      });
      return;
    }
    const bool expected = (kind_ == kind::churn && closed_by_us_) ||
                          (kind_ == kind::kicked && code == 4000) ||
                          (kind_ == kind::slow && (code == 4001 || closed_by_us_)) ||
                          (kind_ == kind::expiring && code == 1008);
    if (!expected) return owner_.unexpected(ending);
    owner_.count([&](soak_tally& t) {
      switch (kind_) {
        case kind::churn:
          ++t.connects;
          return;
        case kind::kicked:
          ++t.kicked_closes;
          return;
        case kind::slow:
          ++(code == 4001 ? t.evictions : t.slow_not_evicted);
          return;
        case kind::expiring:
          ++t.expiries;
          return;
      }
    });
  }

  soak_actions::impl& owner_;
  const kind kind_;
  const std::uint64_t serial_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type response_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::string target_;
  std::string client_id_;
  std::string frame_;
  int subscribed_ = 0;
  bool paused_ = false;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool closed_by_us_ = false;
  bool timed_out_ = false;
  bool ignored_ = false;
  bool finished_ = false;
};

}  // namespace

void soak_actions::impl::start() {
  every(options.connect_rate, [this] {
    if (churn_in_flight >= max_churn_in_flight)
      return count([](soak_tally& t) { ++t.connects_skipped; });
    ++churn_in_flight;
    open(kind::churn);
  });
  every(options.kick_rate, [this] { open(kind::kicked); });
  std::uint64_t next_rejoin = 0;
  if (options.rejoin)
    every(options.rejoin_rate, [this, next_rejoin]() mutable {
      options.rejoin(next_rejoin++);
      count([](soak_tally& t) { ++t.rejoins_asked; });
    });
  if (options.slow_readers > 0) every(options.slow_rate, [this] { publish_slow(); });
  for (int i = 0; i < options.slow_readers; ++i) open(kind::slow);
  for (int i = 0; expiring_on && i < options.expiring; ++i) open(kind::expiring);
}

void soak_actions::impl::open(kind k) {
  const std::uint64_t serial = next_serial++;
  auto c = std::make_shared<connection>(*this, k, serial);
  live.emplace(serial, c);
  live_count.store(static_cast<int>(live.size()));
  c->start();
}

void soak_actions::impl::ended(std::uint64_t serial, kind k, bool failed) {
  live.erase(serial);
  live_count.store(static_cast<int>(live.size()));
  if (k == kind::churn) --churn_in_flight;
  const bool replace = k == kind::slow || (k == kind::expiring && expiring_on);
  if (stopping || !replace) return;
  // Held kinds are replaced; after a failure not at once, or a dead server makes a busy loop.
  auto later = std::make_shared<net::steady_timer>(context, milliseconds(failed ? 500 : 0));
  later->async_wait([this, later, k](beast::error_code ec) {
    if (!ec && !stopping && (k == kind::slow || expiring_on)) open(k);
  });
}

void soak_actions::impl::kick(const std::string& client_id) {
  v1::KickRequest request;
  request.set_client_id(client_id);
  request.set_reason("soak");
  call<v1::KickResponse>(
      std::move(request),
      [this](auto&&... args) { stub->async()->Kick(std::forward<decltype(args)>(args)...); },
      [this](const grpc::Status& status, const v1::KickResponse& response) {
        count([&](soak_tally& t) {
          ++(status.ok() && response.kicked() == 1 ? t.kicks : t.control_errors);
        });
      });
}

void soak_actions::impl::publish_slow() {
  {
    std::lock_guard lock(mutex);
    if (calls_in_flight >= max_calls_in_flight) return;
  }
  v1::PublishRequest request;
  request.mutable_target()->set_room(slow_room);
  request.set_data(slow_data);
  call<v1::PublishResponse>(
      std::move(request),
      [this](auto&&... args) { stub->async()->Publish(std::forward<decltype(args)>(args)...); },
      [this](const grpc::Status& status, const v1::PublishResponse&) {
        count([&](soak_tally& t) { ++(status.ok() ? t.slow_publishes : t.control_errors); });
      });
}

void soak_actions::impl::every(double rate, std::function<void()> each) {
  if (rate <= 0) return;
  pacers.push_back(std::make_unique<pacer>(context, rate, std::move(each)));
  tick(*pacers.back());
}

void soak_actions::impl::tick(pacer& p) {
  p.timer.expires_at(p.next);
  p.timer.async_wait([this, &p](beast::error_code ec) {
    if (ec || stopping) return;
    p.each();
    p.next += p.period;
    // Far behind (a stalled client): carry on from now rather than catch up in a burst.
    if (steady_clock::now() - p.next > seconds(1)) p.next = steady_clock::now();
    tick(p);
  });
}

soak_actions::soak_actions(soak_actions_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {
  impl_->stub = v1::EdgeControl::NewStub(
      grpc::CreateChannel(impl_->options.grpc, grpc::InsecureChannelCredentials()));
  impl_->guard.emplace(impl_->context.get_executor());
  net::post(impl_->context, [i = impl_.get()] { i->start(); });
  impl_->thread = std::thread([i = impl_.get()] { i->context.run(); });
}

soak_actions::~soak_actions() {
  stop();
}

soak_tally soak_actions::tally() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->tally;
}

std::string soak_actions::expiry_status() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->expiry_status;
}

void soak_actions::stop() {
  if (!impl_->thread.joinable()) return;
  impl* i = impl_.get();
  net::post(i->context, [i] {
    i->stopping = true;
    for (auto& p : i->pacers) p->timer.cancel();
    for (auto& [serial, c] : i->live) c->drop();
  });
  // Dropped connections end on the event loop, calls on gRPC's threads: wait for both.
  const auto deadline = steady_clock::now() + seconds(10);
  while (i->live_count.load() > 0 && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  {
    std::unique_lock lock(i->mutex);
    i->calls_done.wait_until(lock, deadline, [i] { return i->calls_in_flight == 0; });
  }
  i->guard.reset();
  i->context.stop();
  i->thread.join();
  i->live.clear();
}

}  // namespace wsedge::bench
