// Binds and releases a listening socket to see whether a port is free.
#include "app/port_check.hpp"

#include <absl/strings/str_cat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace wsedge::app {

absl::Status check_port_free(absl::string_view setting, const std::string& address,
                             std::uint16_t port) {
  if (port == 0) return absl::OkStatus();
  namespace net = boost::asio;
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat(setting, ": '", address, "' is not an IP address"));
  net::io_context io;
  net::ip::tcp::acceptor acceptor(io);
  const net::ip::tcp::endpoint endpoint(ip, port);
  // SO_REUSEADDR as every listener of wsedge sets it: only a live listener makes bind fail.
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(1, ec);
  if (!ec) return absl::OkStatus();
  const std::string where = absl::StrCat(address, ":", port);
  if (ec == net::error::address_in_use)
    return absl::UnavailableError(
        absl::StrCat(setting, ": ", where, " is already in use (is another wsedge running?)"));
  return absl::UnavailableError(
      absl::StrCat(setting, ": cannot listen on ", where, ": ", ec.message()));
}

}  // namespace wsedge::app
