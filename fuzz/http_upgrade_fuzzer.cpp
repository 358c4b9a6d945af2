// Fuzzes the HTTP upgrade request as the edge reads it: Beast's request parser (with the
// edge's header and body limits), the target through Boost.URL, then the token, the
// Sec-WebSocket-Key and the rooms and recovery position of the query string.
#include <algorithm>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/room_name.hpp"
#include "edge/upgrade_request.hpp"
#include "fuzz/fuzz_check.hpp"

namespace edge = wsedge::edge;
namespace http = boost::beast::http;

namespace {

// As edge/http_session.cpp sets them.
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr std::uint64_t max_body_bytes = 4 * 1024;
constexpr std::string_view rooms_prefix = "/ws/rooms/";
constexpr std::size_t max_rooms = 8;

void check_request(const edge::upgrade_request& request) {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return;
  const std::string path = url->path();
  edge::connect_rooms initial;
  if (path.starts_with(rooms_prefix)) initial.rooms.push_back(path.substr(rooms_prefix.size()));

  (void)boost::beast::websocket::is_upgrade(request);
  (void)edge::websocket_key_valid(request);
  const edge::bearer credential = edge::find_bearer(request, *url);
  if (!credential.subprotocol.empty())
    FUZZ_CHECK(credential.subprotocol == "bearer." + credential.token);

  if (edge::read_connect_query(*url, max_rooms, initial) != edge::connect_query_error::none) return;
  // What the session is handed: valid names, each once, within the limit.
  FUZZ_CHECK(initial.rooms.size() <= max_rooms);
  for (std::size_t i = 0; i < initial.rooms.size(); ++i) {
    FUZZ_CHECK(edge::is_valid_room_name(initial.rooms[i]));
    FUZZ_CHECK(std::count(initial.rooms.begin(), initial.rooms.end(), initial.rooms[i]) == 1);
  }
  if (initial.since) FUZZ_CHECK(!initial.rooms.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(max_header_bytes);
  parser.body_limit(max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < size && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    used += n;
    if (ec || n == 0) break;
  }
  // The end of the stream, as a read would report it (Beast's own read never calls put_eof
  // before the first byte: that is end_of_stream).
  if (!ec && !parser.is_done() && used == size && parser.got_some()) parser.put_eof(ec);
  if (!parser.is_done()) return 0;
  check_request(parser.get());
  return 0;
}
