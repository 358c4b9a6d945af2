// Test client implementation: Beast async operations driven by run_one_until with deadlines.
#include "tests/support/ws_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace wsedge::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// Runs `context` until `done` is set or the deadline; on timeout cancels and drains.
template <typename Cancel>
bool run_until(net::io_context& context, const bool& done, std::chrono::milliseconds timeout,
               Cancel cancel) {
  context.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && context.run_one_until(deadline) != 0) {
  }
  if (done) return true;
  cancel();
  context.restart();
  while (!done && context.run_one() != 0) {
  }
  return false;
}

}  // namespace

struct ws_client::impl {
  net::io_context context;
  websocket::stream<beast::tcp_stream> ws{context};
  beast::flat_buffer buffer;
  bool closed = false;

  void cancel() { beast::get_lowest_layer(ws).socket().cancel(); }
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}
ws_client::~ws_client() = default;

bool ws_client::connect(std::uint16_t port, const std::string& target,
                        const std::map<std::string, std::string>& headers) {
  auto& ws = impl_->ws;
  bool done = false;
  beast::error_code result;
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  beast::get_lowest_layer(ws).async_connect(endpoint, [&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  if (!run_until(impl_->context, done, 10s, [&] { impl_->cancel(); }) || result) return false;
  // As browsers do: a message's last segment is not held back waiting for an ACK.
  beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), result);

  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) ++pongs_;
  });
  websocket::response_type response;
  done = false;
  ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                     [&](beast::error_code ec) {
                       result = ec;
                       done = true;
                     });
  bool finished = run_until(impl_->context, done, 10s, [&] { impl_->cancel(); });
  http_status_ = static_cast<int>(response.result_int());
  http_body_ = response.body();
  subprotocol_ = std::string(response[http::field::sec_websocket_protocol]);
  if (!finished || result) {
    impl_->closed = true;
    return false;
  }
  return true;
}

void ws_client::write(const std::string& message, bool binary) {
  auto& ws = impl_->ws;
  ws.binary(binary);
  bool done = false;
  ws.async_write(net::buffer(message), [&](beast::error_code, std::size_t) { done = true; });
  run_until(impl_->context, done, 10s, [&] { impl_->cancel(); });
}

void ws_client::send_raw(const std::string& frames) {
  beast::error_code ec;
  net::write(beast::get_lowest_layer(impl_->ws).socket(), net::buffer(frames), ec);
}

void ws_client::ping(const std::string& payload) {
  bool done = false;
  impl_->ws.async_ping(websocket::ping_data(payload), [&](beast::error_code) { done = true; });
  run_until(impl_->context, done, 10s, [&] { impl_->cancel(); });
}

void ws_client::send(const std::string& text) {
  write(text, false);
}

void ws_client::send_binary(const std::string& bytes) {
  write(bytes, true);
}

void ws_client::send_fragments(int count, std::size_t size) {
  auto& ws = impl_->ws;
  ws.text(true);
  ws.auto_fragment(false);
  const std::string piece(size, 'f');
  for (int i = 0; i < count && !impl_->closed; ++i) {
    bool done = false;
    beast::error_code result;
    ws.async_write_some(false, net::buffer(piece), [&](beast::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    run_until(impl_->context, done, 10s, [&] { impl_->cancel(); });
    if (result) break;
  }
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds timeout) {
  if (impl_->closed) return std::nullopt;
  auto& ws = impl_->ws;
  bool done = false;
  beast::error_code result;
  impl_->buffer.clear();
  ws.async_read(impl_->buffer, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(impl_->context, done, timeout, [&] { impl_->cancel(); })) {
    last_error_ = "timeout";
    return std::nullopt;
  }
  if (result) {
    last_error_ = result.message();
    impl_->closed = true;
    // A received close frame counts even when the TCP teardown after it fails (Beast's server
    // teardown may reset the connection before the client's own teardown finishes).
    if (result == websocket::error::closed || ws.reason().code != 0) {
      close_code_ = ws.reason().code;
      close_reason_ = std::string(ws.reason().reason.c_str());
    }
    return std::nullopt;
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

boost::json::value ws_client::read_json(std::chrono::milliseconds timeout) {
  auto text = read(timeout);
  if (!text) return nullptr;
  boost::json::error_code ec;
  auto value = boost::json::parse(*text, ec);
  return ec ? boost::json::value(nullptr) : value;
}

int ws_client::wait_for_close(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->closed) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms || !read(left)) break;
  }
  return close_code_;
}

std::string ws_client::connect_and_greet(std::uint16_t port, const std::string& target) {
  if (!connect(port, target)) return {};
  auto hello = read_json();
  if (!hello.is_object() || hello.at("type") != "connected") return {};
  return std::string(hello.at("client_id").as_string());
}

std::pair<int, std::string> http_get(std::uint16_t port, const std::string& target,
                                     const std::map<std::string, std::string>& headers) {
  net::io_context context;
  beast::tcp_stream stream(context);
  bool done = false;
  beast::error_code result;
  auto cancel = [&] { stream.socket().cancel(); };
  stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                       [&](beast::error_code ec) {
                         result = ec;
                         done = true;
                       });
  if (!run_until(context, done, 10s, cancel) || result) return {0, {}};
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  done = false;
  http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(context, done, 10s, cancel) || result) return {0, {}};
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  done = false;
  http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(context, done, 10s, cancel) || result) return {0, {}};
  return {static_cast<int>(response.result_int()), response.body()};
}

}  // namespace wsedge::testing
