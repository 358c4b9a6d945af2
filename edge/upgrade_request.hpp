// What a WebSocket upgrade request asks for, read from its headers and query string: the token,
// the rooms to join and where to recover from. Pure functions over a parsed request, so they
// are fuzzed and tested without a socket (http_session calls them).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/url_view.hpp>
#include <cstddef>
#include <string>

#include "edge/client_protocol.hpp"

namespace wsedge::edge {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

struct bearer {
  std::string token;
  std::string subprotocol;  // the offered "bearer.<token>" to select, when it came that way
};

// A token from ?token=, `Authorization: Bearer`, or the subprotocol `bearer.<token>`.
bearer find_bearer(const upgrade_request& request, const boost::urls::url_view& url);

// RFC 6455 §4.2.1: exactly one Sec-WebSocket-Key, the base64 of 16 bytes. Beast takes the first
// of several and any value of up to 24 characters.
bool websocket_key_valid(const upgrade_request& request);

enum class connect_query_error { none, invalid_room, too_many_rooms, bad_since };

// Adds the rooms of ?rooms=a,b to `initial.rooms` (each once), checks every name and that there
// are at most `max_rooms`, and reads ?since=N&epoch=E (the first room recovers from there).
connect_query_error read_connect_query(const boost::urls::url_view& url, std::size_t max_rooms,
                                       connect_rooms& initial);

}  // namespace wsedge::edge
