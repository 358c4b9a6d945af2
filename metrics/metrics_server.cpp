// prometheus-cpp's Exposer (civetweb) bound to metrics_port.
#include "metrics/metrics_server.hpp"

#include <absl/strings/str_cat.h>
#include <prometheus/exposer.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <exception>
#include <thread>

#include "edge/reachable_address.hpp"
#include "metrics/edge_collector.hpp"

namespace wsedge::metrics {

metrics_server::metrics_server() = default;
metrics_server::~metrics_server() {
  if (!exposer_) return;
  // civetweb stops only when its listener thread wakes, which it does on a connection or at the
  // end of a one-second poll: knock on the port until the stop returns, so a shutdown does not
  // wait out the poll.
  std::atomic<bool> stopped = false;
  std::thread knocker([this, &stopped] {
    namespace net = boost::asio;
    net::io_context io;
    boost::system::error_code ec;
    const auto address = net::ip::make_address(edge::reachable_address(bind_address_), ec);
    if (ec) return;
    while (!stopped.load()) {
      net::ip::tcp::socket knock(io);
      knock.connect({address, port_}, ec);
      knock.close(ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped = true;
  knocker.join();
}

absl::Status metrics_server::start(const std::string& bind_address, std::uint16_t port,
                                   const edge::hub& hub) {
  std::string address = absl::StrCat(bind_address, ":", port);
  bind_address_ = bind_address;
  try {
    // civetweb throws when it cannot listen; that is a start-up failure, reported as a value.
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics_port: cannot listen on ", address, ": ", e.what()));
  }
  auto collector = std::make_shared<edge_collector>(hub);
  exposer_->RegisterCollectable(collector, "/metrics");
  collector_ = std::move(collector);
  auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? port : static_cast<std::uint16_t>(ports.front());
  return absl::OkStatus();
}

}  // namespace wsedge::metrics
