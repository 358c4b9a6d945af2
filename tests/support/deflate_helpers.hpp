// What a permessage-deflate client does with the server's compressed payloads, and messages
// that compress like real ones: shared by the deflate unit and integration tests.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace wsedge::testing {

// RFC 7692 §7.2.2: append 00 00 FF FF and raw-inflate, from a fresh state (no context from an
// earlier message). "" plus a failed expectation when the data is not valid DEFLATE.
inline std::string inflate_fresh(std::string_view deflated) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return {};
  std::string in(deflated), out;
  in.append("\x00\x00\xff\xff", 4);
  zs.next_in = reinterpret_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  char chunk[16384];
  do {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    if (inflate(&zs, Z_SYNC_FLUSH) < 0) break;
    out.append(chunk, sizeof chunk - zs.avail_out);
  } while (zs.avail_in > 0 || zs.avail_out == 0);
  inflateEnd(&zs);
  return out;
}

// A JSON array of `rows` records (ids, names, scores): compressible the way real messages are.
inline std::string json_rows(int rows) {
  std::string s = "[";
  for (int i = 0; i < rows; ++i)
    s += "{\"id\":" + std::to_string(i * 7919 % 100003) + ",\"name\":\"user-" + std::to_string(i) +
         "\",\"score\":" + std::to_string(i * 31 % 977) + "},";
  s.back() = ']';
  return s;
}

}  // namespace wsedge::testing
