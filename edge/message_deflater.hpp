// permessage-deflate (RFC 7692) for what the node sends. A message is deflated once, with no
// context carried from one message to the next (the server_no_context_takeover wsedge always
// negotiates), so its compressed frame is the same bytes for every connection that took the
// extension: compression costs CPU per message, never per recipient.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace wsedge::edge {

struct deflate_settings {
  bool enabled = false;         // permessage_deflate
  std::size_t min_bytes = 512;  // compression_min_bytes: smaller messages go as they are
  int level = 6;                // compression_level (zlib's 1 = fastest … 9 = smallest)
};

// What the deflater did, summed for Stats and /metrics.
struct deflate_figures {
  std::uint64_t connections = 0;  // open connections that take compressed frames
  std::uint64_t messages = 0;     // messages deflated
  std::uint64_t bytes_in = 0;     // their payload bytes before …
  std::uint64_t bytes_out = 0;    // … and after deflating
};

// Thread-safe: any shard and any gRPC thread may deflate (each thread keeps its own zlib stream).
class message_deflater {
 public:
  explicit message_deflater(deflate_settings settings) : settings_(settings) {}

  const deflate_settings& settings() const { return settings_; }

  // The compressed frame of `frame` (a complete text or binary frame frame_message built), or
  // null when no open connection takes compressed frames, the payload is under min_bytes, or
  // deflating would not make it smaller: every connection then gets the plain frame.
  std::shared_ptr<const std::string> deflate_shared(std::string_view frame);
  // The same for one connection that took the extension (a reply, an echo): "" when the plain
  // frame is what to send.
  std::string deflate_frame(std::string_view frame);

  // A connection that negotiated the extension opened or ended.
  void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

  deflate_figures figures() const;

 private:
  deflate_settings settings_;
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::uint64_t> messages_{0};
  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
};

// The raw DEFLATE data of `payload` as RFC 7692 §7.2.1 sends it (a sync flush with its final
// 00 00 FF FF removed), with no dictionary from earlier messages; "" when zlib fails (out of
// memory). Exposed for tests and fuzzing.
std::string deflate_payload(std::string_view payload, int level);

}  // namespace wsedge::edge
