// Reading an upgrade request's token, rooms and recovery position (Beast headers, Boost.URL).
#include "edge/upgrade_request.hpp"

#include <absl/strings/escaping.h>

#include <algorithm>
#include <charconv>

#include "edge/room_name.hpp"

namespace wsedge::edge {

namespace http = boost::beast::http;

bearer find_bearer(const upgrade_request& request, const boost::urls::url_view& url) {
  if (auto param = url.params().find("token"); param != url.params().end())
    return {std::string((*param).value), {}};
  std::string_view authorization = request[http::field::authorization];
  if (authorization.starts_with("Bearer ")) return {std::string(authorization.substr(7)), {}};
  std::string_view offered = request[http::field::sec_websocket_protocol];
  while (!offered.empty()) {
    std::size_t comma = std::min(offered.find(','), offered.size());
    std::string_view item = offered.substr(0, comma);
    offered.remove_prefix(std::min(comma + 1, offered.size()));
    while (item.starts_with(' ')) item.remove_prefix(1);
    while (item.ends_with(' ')) item.remove_suffix(1);
    if (item.starts_with("bearer.")) return {std::string(item.substr(7)), std::string(item)};
  }
  return {};
}

bool websocket_key_valid(const upgrade_request& request) {
  if (request.count(http::field::sec_websocket_key) != 1) return false;
  const auto encoded = request[http::field::sec_websocket_key];
  std::string key;
  return absl::Base64Unescape(absl::string_view(encoded.data(), encoded.size()), &key) &&
         key.size() == 16;
}

connect_query_error read_connect_query(const boost::urls::url_view& url, std::size_t max_rooms,
                                       connect_rooms& initial) {
  std::vector<std::string>& rooms = initial.rooms;
  if (auto param = url.params().find("rooms"); param != url.params().end()) {
    const std::string decoded = (*param).value;  // the params view yields temporaries
    std::string_view list = decoded;
    while (!list.empty()) {
      std::size_t comma = std::min(list.find(','), list.size());
      std::string_view room = list.substr(0, comma);
      list.remove_prefix(std::min(comma + 1, list.size()));
      if (!room.empty() && std::find(rooms.begin(), rooms.end(), room) == rooms.end())
        rooms.emplace_back(room);
    }
  }
  if (!std::all_of(rooms.begin(), rooms.end(), is_valid_room_name))
    return connect_query_error::invalid_room;
  if (rooms.size() > max_rooms) return connect_query_error::too_many_rooms;
  if (auto param = url.params().find("since"); param != url.params().end()) {
    auto epoch = url.params().find("epoch");
    const std::string seq_text = (*param).value;
    std::uint64_t seq = 0;
    auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
    if (rooms.empty() || epoch == url.params().end() || ec != std::errc{} ||
        end != seq_text.data() + seq_text.size() || seq_text.empty())
      return connect_query_error::bad_since;
    initial.since = stream_position{seq, std::string((*epoch).value)};
  }
  return connect_query_error::none;
}

}  // namespace wsedge::edge
