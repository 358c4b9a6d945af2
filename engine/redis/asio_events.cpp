// The hooks hiredis calls (add/del read and write, cleanup) mapped onto Asio waits.
#include "engine/redis/asio_events.hpp"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

namespace wsedge::engine::redis {

namespace {

namespace net = boost::asio;

// Lives while hiredis holds the context or a wait is pending: pending handlers keep their own
// reference, and hiredis' cleanup drops the one the hooks use.
struct events : std::enable_shared_from_this<events> {
  events(redisAsyncContext* c, net::io_context& io, int fd) : context(c), socket(io, fd) {}

  void arm(bool read) {
    bool& armed = read ? read_armed : write_armed;
    if (armed || !(read ? reading : writing) || context == nullptr) return;
    armed = true;
    socket.async_wait(
        read ? net::posix::stream_descriptor::wait_read : net::posix::stream_descriptor::wait_write,
        [self = shared_from_this(), read](boost::system::error_code ec) {
          (read ? self->read_armed : self->write_armed) = false;
          if (ec || self->context == nullptr || !(read ? self->reading : self->writing)) return;
          // May free the context (then cleanup has cleared `context`).
          if (read)
            redisAsyncHandleRead(self->context);
          else
            redisAsyncHandleWrite(self->context);
          self->arm(read);
        });
  }

  static events& of(void* privdata) { return *static_cast<events*>(privdata); }
  static void add_read(void* p) {
    of(p).reading = true;
    of(p).arm(true);
  }
  static void del_read(void* p) { of(p).reading = false; }
  static void add_write(void* p) {
    of(p).writing = true;
    of(p).arm(false);
  }
  static void del_write(void* p) { of(p).writing = false; }
  static void cleanup(void* p) {
    events& self = of(p);
    self.context = nullptr;
    self.reading = self.writing = false;
    boost::system::error_code ignored;
    self.socket.cancel(ignored);
    // hiredis closes the socket itself.
    self.socket.release();
    self.hold.reset();  // pending handlers still hold their own references
  }

  redisAsyncContext* context;
  net::posix::stream_descriptor socket;
  bool reading = false, writing = false;
  bool read_armed = false, write_armed = false;
  std::shared_ptr<events> hold;  // the hooks' reference, dropped by cleanup
};

}  // namespace

bool attach(redisAsyncContext* context, boost::asio::io_context& io) {
  if (context->ev.data != nullptr || context->c.fd < 0) return false;
  auto e = std::make_shared<events>(context, io, context->c.fd);
  e->hold = e;
  context->ev.data = e.get();
  context->ev.addRead = &events::add_read;
  context->ev.delRead = &events::del_read;
  context->ev.addWrite = &events::add_write;
  context->ev.delWrite = &events::del_write;
  context->ev.cleanup = &events::cleanup;
  return true;
}

}  // namespace wsedge::engine::redis
