// hiredis' asynchronous API behind a small C++ interface: connect, reconnect, command.
#include "engine/redis/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>

#include "engine/redis/asio_events.hpp"

namespace wsedge::engine::redis {

namespace {

// What a command's privdata points at: its handler, until hiredis calls back (with a reply, or
// with none when the connection is gone).
struct pending_command {
  redis_connection::reply_handler done;
  std::chrono::steady_clock::time_point sent = std::chrono::steady_clock::now();
};

redis_connection* owner_of(const redisAsyncContext* context) {
  return static_cast<redis_connection*>(context->data);
}

}  // namespace

std::shared_ptr<redis_connection> redis_connection::create(boost::asio::io_context& io,
                                                           options opts) {
  return std::shared_ptr<redis_connection>(new redis_connection(io, std::move(opts)));
}

redis_connection::redis_connection(boost::asio::io_context& io, options opts)
    : io_(io), options_(std::move(opts)), retry_timer_(io), backoff_(options_.reconnect_min) {}

redis_connection::~redis_connection() {
  stop();
}

void redis_connection::start() {
  stopped_ = false;
  connect();
}

void redis_connection::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  if (context_ != nullptr) {
    redisAsyncContext* context = context_;
    context_ = nullptr;
    // Frees the context at once: pending callbacks get no reply ("stopped"), then cleanup.
    context->data = nullptr;
    redisAsyncFree(context);
  }
  if (up_) {
    up_ = false;
    if (options_.on_state) options_.on_state(false);
  }
}

void redis_connection::connect() {
  if (stopped_ || context_ != nullptr) return;
  redisAsyncContext* context = redisAsyncConnect(options_.host.c_str(), options_.port);
  if (context == nullptr) return schedule_reconnect();
  if (context->err != 0 || !attach(context, io_)) {
    redisAsyncFree(context);
    return schedule_reconnect();
  }
  // TCP keep-alive: a Redis gone without a word (a partition, a vanished pod) is noticed.
  redisEnableKeepAlive(&context->c);
  context->data = this;
  redisAsyncSetConnectCallback(context, &redis_connection::on_connect_status);
  redisAsyncSetDisconnectCallback(context, &redis_connection::on_disconnect_status);
  context_ = context;
}

void redis_connection::schedule_reconnect() {
  if (stopped_) return;
  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  retry_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->connect();
  });
}

void redis_connection::on_connect_status(const redisAsyncContext* context, int status) {
  if (redis_connection* self = owner_of(context)) self->on_connected(status == REDIS_OK);
}

void redis_connection::on_disconnect_status(const redisAsyncContext* context, int) {
  if (redis_connection* self = owner_of(context)) self->on_disconnected();
}

void redis_connection::on_connected(bool ok) {
  if (!ok) {
    // hiredis frees a context whose connection failed, right after this callback.
    context_ = nullptr;
    return schedule_reconnect();
  }
  connected_at_ = std::chrono::steady_clock::now();
  if (connected_before_) reconnects_.fetch_add(1, std::memory_order_relaxed);
  connected_before_ = true;
  send_setup();
  up_ = true;
  if (options_.on_state) options_.on_state(true);
}

void redis_connection::on_disconnected() {
  // hiredis frees the context after this callback (its pending commands got no reply).
  context_ = nullptr;
  // Only a connection that lasted starts the backoff over: one that Redis drops at once (a
  // wrong password, a full server) is retried ever more slowly.
  if (std::chrono::steady_clock::now() - connected_at_ >= std::chrono::seconds(5))
    backoff_ = options_.reconnect_min;
  const bool was_up = up_;
  up_ = false;
  if (was_up && options_.on_state) options_.on_state(false);
  schedule_reconnect();
}

void redis_connection::send_setup() {
  // Pipelined ahead of every other command of this connection; a refusal is logged (the
  // commands after it fail with Redis' own error, NOAUTH).
  auto report = [](const char* what) {
    return [what](const redisReply* r, std::string_view error) {
      if (error.empty() && r != nullptr && r->type != REDIS_REPLY_ERROR) return;
      std::fprintf(stderr, "wsedge: redis %s failed: %s\n", what,
                   r != nullptr ? std::string(r->str, r->len).c_str() : std::string(error).c_str());
    };
  };
  const bool was_up = up_;
  up_ = true;  // command() sends only while up
  if (!options_.password.empty()) command({"AUTH", options_.password}, report("AUTH"));
  if (options_.db != 0) command({"SELECT", std::to_string(options_.db)}, report("SELECT"));
  up_ = was_up;
}

redis_connection::counts redis_connection::counted() const {
  return {commands_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed),
          reconnects_.load(std::memory_order_relaxed), answered_.load(std::memory_order_relaxed),
          static_cast<double>(answered_nanos_.load(std::memory_order_relaxed)) / 1e9};
}

void redis_connection::count_reply(bool failed, std::chrono::steady_clock::time_point sent) {
  if (failed) errors_.fetch_add(1, std::memory_order_relaxed);
  if (failed && sent == std::chrono::steady_clock::time_point{}) return;
  const auto took =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - sent);
  answered_.fetch_add(1, std::memory_order_relaxed);
  answered_nanos_.fetch_add(static_cast<std::uint64_t>(took.count()), std::memory_order_relaxed);
}

bool redis_connection::subscribe_command(const std::vector<std::string>& args,
                                         push_handler* on_push) {
  if (!up_ || context_ == nullptr) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  commands_.fetch_add(1, std::memory_order_relaxed);
  return redisAsyncCommandArgv(context_, &redis_connection::on_push, on_push,
                               static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) == REDIS_OK;
}

void redis_connection::on_push(redisAsyncContext*, void* reply, void* privdata) {
  // No reply: the connection is going away (hiredis calls every channel's callback then).
  if (reply == nullptr || privdata == nullptr) return;
  (*static_cast<push_handler*>(privdata))(static_cast<const redisReply*>(reply));
}

void redis_connection::command(const std::vector<std::string>& args, reply_handler done) {
  if (!up_ || context_ == nullptr) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return done(nullptr, "unavailable");
  }
  commands_.fetch_add(1, std::memory_order_relaxed);
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* pending = new pending_command{std::move(done)};
  if (redisAsyncCommandArgv(context_, &redis_connection::on_reply, pending,
                            static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    std::unique_ptr<pending_command> failed(pending);
    failed->done(nullptr, "unavailable");
  }
}

void redis_connection::on_reply(redisAsyncContext* context, void* reply, void* privdata) {
  std::unique_ptr<pending_command> pending(static_cast<pending_command*>(privdata));
  redis_connection* self = owner_of(context);
  if (reply != nullptr) {
    const auto* r = static_cast<const redisReply*>(reply);
    if (self != nullptr) self->count_reply(r->type == REDIS_REPLY_ERROR, pending->sent);
    return pending->done(r, {});
  }
  // No reply: the connection went away (or stop() freed it) with this command in flight.
  if (self != nullptr) self->count_reply(true, {});
  pending->done(nullptr, self == nullptr ? "stopped" : "connection lost");
}

}  // namespace wsedge::engine::redis
