// One HTTP GET with a deadline (Beast, on a private event loop), then the text format's lines:
// `series value`, comments skipped.
#include "bench/metrics_scrape.hpp"

#include <absl/strings/numbers.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

namespace wsedge::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

metric_values parse_exposition(const std::string& body) {
  metric_values values;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    // Label values may hold spaces: the value starts after the labels' closing brace.
    const auto labels_end = line.find('}');
    const auto space = line.find(' ', labels_end == std::string::npos ? 0 : labels_end);
    if (space == std::string::npos) continue;
    double value = 0;
    const std::string rest = line.substr(space + 1);
    if (absl::SimpleAtod(rest.substr(0, rest.find(' ')), &value))
      values[line.substr(0, space)] = value;
  }
  return values;
}

}  // namespace

std::optional<metric_values> scrape_metrics(const std::string& host, std::uint16_t port,
                                            std::chrono::milliseconds timeout) {
  net::io_context context;
  beast::tcp_stream stream(context);
  http::request<http::empty_body> request{http::verb::get, "/metrics", 11};
  request.set(http::field::host, host);
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  bool answered = false;
  // connect → write → read, all under one deadline (the stream's expiry covers each step).
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(net::ip::make_address(host), port), [&](beast::error_code ec) {
    if (ec) return;
    http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
      if (ec) return;
      http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
        answered = !ec && response.result() == http::status::ok;
      });
    });
  });
  context.run();
  if (!answered) return std::nullopt;
  return parse_exposition(response.body());
}

double metric(const metric_values& values, const std::string& series) {
  const auto it = values.find(series);
  return it == values.end() ? 0 : it->second;
}

}  // namespace wsedge::bench
