// A Sec-WebSocket-Extensions value read the way Beast reads permessage-deflate offers and
// answers (its pmd_read: the first acceptable offer, parameters as RFC 7692 spells them).
// Included only where negotiation is settled or checked: it pulls in Beast's WebSocket headers.
#pragma once

#include <boost/beast/websocket.hpp>
#include <string_view>

namespace wsedge::edge {

inline boost::beast::websocket::detail::pmd_offer beast_pmd_reading(std::string_view extensions) {
  boost::beast::http::fields fields;
  fields.set(boost::beast::http::field::sec_websocket_extensions, extensions);
  boost::beast::websocket::detail::pmd_offer offer;
  boost::beast::websocket::detail::pmd_read(offer, fields);
  return offer;
}

}  // namespace wsedge::edge
