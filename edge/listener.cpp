// Listener: one acceptor; each accepted socket is created on the next shard's io_context.
#include "edge/listener.hpp"

#include "edge/node_context.hpp"
#include "edge/shard.hpp"
#include "edge/start_connection.hpp"

namespace wsedge::edge {

namespace {
// After a failed accept (e.g. out of file descriptors), wait this long rather than spin.
constexpr std::chrono::milliseconds accept_retry_delay{50};
}  // namespace

listener::listener(node_context& node, net::io_context& context)
    : node_(node), context_(context), acceptor_(context), retry_timer_(context) {}

beast::error_code listener::open(const tcp::endpoint& endpoint, std::string& what) {
  beast::error_code ec;
  what = "open";
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  what = "set reuse_address";
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return ec;
  what = "bind";
  acceptor_.bind(endpoint, ec);
  if (ec) return ec;
  what = "listen";
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void listener::run() {
  net::dispatch(acceptor_.get_executor(),
                beast::bind_front_handler(&listener::do_accept, shared_from_this()));
}

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void listener::do_accept() {
  if (!acceptor_.is_open()) return;
  accepting_into_ = &node_.shard_at(next_shard_++ % node_.shard_count());
  acceptor_.async_accept(accepting_into_->context(),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    node_.observer().on_connection_rejected("accept_error");
    retry_timer_.expires_after(accept_retry_delay);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  // The slot is taken here, before any byte is read: every connection counts against
  // max_connections, an upgrade or not.
  start_connection(node_, *accepting_into_, std::move(socket), node_.take_connection_slot());
  do_accept();
}

}  // namespace wsedge::edge
