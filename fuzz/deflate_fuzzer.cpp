// Fuzzes permessage-deflate on both sides of the edge. An offer (a client's
// Sec-WebSocket-Extensions) negotiated as the edge does it: Beast's answer, then
// settle_deflate_answer; checked against Beast's own reading of offer and answer. And a message
// deflated for the shared compressed frames: it inflates back, from a fresh state, to itself.
#include <zlib.h>

#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edge/deflate_negotiation.hpp"
#include "edge/message_deflater.hpp"
#include "edge/pmd_reading.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace detail = boost::beast::websocket::detail;

void negotiate(std::string_view offered) {
  // Header values cannot hold line breaks or NULs (the HTTP parser refuses them first).
  if (offered.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return;
  const detail::pmd_offer offer = wsedge::edge::beast_pmd_reading(offered);
  websocket::permessage_deflate options;
  options.server_enable = true;
  options.server_no_context_takeover = true;
  websocket::response_type response;
  detail::pmd_offer config;
  detail::pmd_negotiate(response, config, offer, options);
  const std::string negotiated(response[http::field::sec_websocket_extensions]);
  const auto answer = wsedge::edge::settle_deflate_answer(offered, negotiated);
  if (answer.extensions.empty()) {
    FUZZ_CHECK(!answer.shared_frames);
    return;
  }
  FUZZ_CHECK(answer.extensions.starts_with("permessage-deflate"));
  FUZZ_CHECK(answer.extensions.find("server_no_context_takeover") != std::string::npos);
  const detail::pmd_offer answered = wsedge::edge::beast_pmd_reading(answer.extensions);
  FUZZ_CHECK(answered.accept);
  // RFC 7692 §7.1.2.1: never a larger window than the client allows; one named when it named one.
  if (offer.server_max_window_bits > 0) {
    FUZZ_CHECK(answered.server_max_window_bits > 0);
    FUZZ_CHECK(answered.server_max_window_bits <= offer.server_max_window_bits);
  }
  // The shared frames use a 15-bit window.
  if (answer.shared_frames)
    FUZZ_CHECK(answered.server_max_window_bits == 0 || answered.server_max_window_bits == 15);
  else
    FUZZ_CHECK(answered.server_max_window_bits > 0 && answered.server_max_window_bits < 15);
}

std::string inflate_fresh(const std::string& deflated) {
  z_stream zs{};
  FUZZ_CHECK(inflateInit2(&zs, -15) == Z_OK);
  std::string in = deflated + std::string("\x00\x00\xff\xff", 4), out;
  zs.next_in = reinterpret_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  char chunk[4096];
  int rc = Z_OK;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_SYNC_FLUSH);
    FUZZ_CHECK(rc == Z_OK || rc == Z_BUF_ERROR);
    out.append(chunk, sizeof chunk - zs.avail_out);
  } while (zs.avail_in > 0 || zs.avail_out == 0);
  inflateEnd(&zs);
  return out;
}

void deflate_roundtrip(std::string_view payload, int level) {
  const std::string deflated = wsedge::edge::deflate_payload(payload, level);
  FUZZ_CHECK(inflate_fresh(deflated) == payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0)
    negotiate(rest);
  else
    deflate_roundtrip(rest, 1 + data[0] / 2 % 9);
  return 0;
}
