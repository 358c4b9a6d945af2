// hiredis' asynchronous API behind a small C++ interface: connect, reconnect, command.
#include "engine/redis/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include "engine/redis/asio_events.hpp"

namespace wsedge::engine::redis {

namespace {

// What a command's privdata points at: its handler, until hiredis calls back (with a reply, or
// with none when the connection is gone).
struct pending_command {
  redis_connection::reply_handler done;
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
  backoff_ = options_.reconnect_min;
  up_ = true;
  if (options_.on_state) options_.on_state(true);
}

void redis_connection::on_disconnected() {
  // hiredis frees the context after this callback (its pending commands got no reply).
  context_ = nullptr;
  const bool was_up = up_;
  up_ = false;
  if (was_up && options_.on_state) options_.on_state(false);
  schedule_reconnect();
}

void redis_connection::command(const std::vector<std::string>& args, reply_handler done) {
  if (!up_ || context_ == nullptr) return done(nullptr, "unavailable");
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
  if (reply != nullptr) return pending->done(static_cast<const redisReply*>(reply), {});
  // No reply: the connection went away (or stop() freed it) with this command in flight.
  pending->done(nullptr, context->data == nullptr ? "stopped" : "connection lost");
}

}  // namespace wsedge::engine::redis
