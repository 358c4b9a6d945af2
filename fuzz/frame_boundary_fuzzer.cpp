// Fuzzes the client byte stream readers: frame_boundary, fed the stream in chunks never longer
// than it allows, must stop exactly where an independent reading of RFC 6455 §5.2 says frames
// end; the keep-alive frame parser and its size probe must agree at every offset; and server
// framing must round-trip.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "edge/frame_boundary.hpp"
#include "edge/ws_frame.hpp"
#include "fuzz/fuzz_check.hpp"

namespace edge = wsedge::edge;

namespace {

struct frame_ends {
  std::set<std::uint64_t> ends;      // offsets where a frame (header + payload) ends
  std::set<std::uint64_t> unmasked;  // starts of unmasked frames (their first read may overrun)
};

// The reference: header length from the second byte, payload length from the extended bytes.
frame_ends reference_frames(std::span<const std::uint8_t> stream) {
  frame_ends out;
  std::uint64_t at = 0;
  while (at + 2 <= stream.size()) {
    const std::uint8_t length7 = stream[at + 1] & 0x7F;
    const bool masked = (stream[at + 1] & 0x80) != 0;
    const std::uint64_t extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    const std::uint64_t header = 2 + extended + (masked ? 4 : 0);
    if (!masked) out.unmasked.insert(at);
    if (at + 2 + extended > stream.size()) break;
    std::uint64_t payload = length7;
    if (extended != 0) {
      payload = 0;
      for (std::uint64_t i = 0; i < extended; ++i) payload = (payload << 8) | stream[at + 2 + i];
    }
    if (payload > stream.size()) break;  // ends beyond anything this input can reach
    at += header + payload;
    out.ends.insert(at);
  }
  return out;
}

void check_keepalive(std::span<const std::uint8_t> bytes) {
  const auto frame = edge::parse_keepalive_frame(bytes);
  const std::size_t size = edge::keepalive_frame_size(bytes);
  if (frame) {
    FUZZ_CHECK(frame->size == size && size <= bytes.size());
    FUZZ_CHECK(frame->payload.size() <= 125 && frame->size == 6 + frame->payload.size());
  } else {
    FUZZ_CHECK(size == 0 || size > bytes.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider provider(data, size);
  // Chunk sizes come from the end of the input, the stream from the front.
  const std::uint32_t chunk_seed = provider.ConsumeIntegral<std::uint32_t>();
  const std::vector<std::uint8_t> stream = provider.ConsumeRemainingBytes<std::uint8_t>();
  const frame_ends reference = reference_frames(stream);

  edge::frame_boundary boundary;
  std::uint64_t at = 0;
  std::uint64_t frame_start = 0;  // of the frame being read
  std::uint32_t rng = chunk_seed;
  // An unmasked client frame is a protocol error that closes the connection, so where reads of
  // one stop does not matter: the checks end there.
  while (at < stream.size() && !reference.unmasked.contains(frame_start)) {
    const std::size_t readable = boundary.readable();
    FUZZ_CHECK(readable > 0);
    // Never past the end of the frame being read.
    const auto next_end = reference.ends.upper_bound(at);
    if (next_end != reference.ends.end()) FUZZ_CHECK(at + readable <= *next_end);
    rng = rng * 1664525u + 1013904223u;
    const std::size_t want = 1 + (rng >> 8) % readable;
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(want, stream.size() - at));
    boundary.consumed(stream.data() + at, take);
    at += take;
    // Between frames exactly where the reference says a frame ends.
    FUZZ_CHECK(boundary.at_frame_start() == reference.ends.contains(at));
    if (reference.ends.contains(at)) frame_start = at;
  }

  for (std::size_t offset = 0; offset < stream.size() && offset < 64; ++offset)
    check_keepalive(std::span(stream).subspan(offset));

  const std::string payload(stream.begin(), stream.end());
  FUZZ_CHECK(edge::frame_payload(edge::frame_message(payload, payload.size() % 2 == 0)) == payload);
  if (payload.size() <= 125) FUZZ_CHECK(edge::frame_payload(edge::frame_pong(payload)) == payload);
  return 0;
}
