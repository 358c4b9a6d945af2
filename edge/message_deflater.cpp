// zlib's raw deflate, reset for every message: one z_stream per thread, so a message costs no
// allocation of zlib's ~256 KB of state.
#include "edge/message_deflater.hpp"

#include <zlib.h>

#include "edge/ws_frame.hpp"

namespace wsedge::edge {

namespace {

// RFC 7692 §7.2.1: a sync flush ends with an empty stored block, which the sender removes.
constexpr std::string_view sync_flush_tail("\x00\x00\xff\xff", 4);
constexpr int raw_deflate_window_bits = -15;  // negative: raw DEFLATE, no zlib header
constexpr int mem_level = 8;

// zlib failing (out of memory, in practice) is not the sender's problem: the message goes plain.
class thread_deflater {
 public:
  explicit thread_deflater(int level)
      : level_(level),
        ok_(deflateInit2(&zs_, level, Z_DEFLATED, raw_deflate_window_bits, mem_level,
                         Z_DEFAULT_STRATEGY) == Z_OK) {}
  ~thread_deflater() {
    if (ok_) deflateEnd(&zs_);
  }
  thread_deflater(const thread_deflater&) = delete;
  thread_deflater& operator=(const thread_deflater&) = delete;

  int level() const { return level_; }

  // "" when zlib failed.
  std::string deflate(std::string_view payload) {
    if (!ok_ || deflateReset(&zs_) != Z_OK) return {};
    std::string out;
    // deflateBound covers a Z_FINISH; a sync flush adds at most a few bytes more.
    out.resize(deflateBound(&zs_, static_cast<uLong>(payload.size())) + 16);
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    zs_.avail_in = static_cast<uInt>(payload.size());
    zs_.next_out = reinterpret_cast<Bytef*>(out.data());
    zs_.avail_out = static_cast<uInt>(out.size());
    const int rc = ::deflate(&zs_, Z_SYNC_FLUSH);
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || zs_.avail_in != 0 || zs_.avail_out == 0) return {};
    out.resize(out.size() - zs_.avail_out);
    if (out.size() >= sync_flush_tail.size() &&
        std::string_view(out).substr(out.size() - sync_flush_tail.size()) == sync_flush_tail)
      out.resize(out.size() - sync_flush_tail.size());
    return out;
  }

 private:
  z_stream zs_{};
  int level_;
  bool ok_;
};

thread_deflater& deflater_for(int level) {
  thread_local std::unique_ptr<thread_deflater> deflater;
  if (!deflater || deflater->level() != level) deflater = std::make_unique<thread_deflater>(level);
  return *deflater;
}

}  // namespace

std::string deflate_payload(std::string_view payload, int level) {
  return deflater_for(level).deflate(payload);
}

std::string message_deflater::deflate_frame(std::string_view frame) {
  if (!settings_.enabled || frame.empty()) return {};
  const std::string_view payload = frame_payload(frame);
  if (payload.size() < settings_.min_bytes) return {};
  std::string deflated = deflate_payload(payload, settings_.level);
  if (deflated.empty() || deflated.size() >= payload.size()) return {};
  messages_.fetch_add(1, std::memory_order_relaxed);
  bytes_in_.fetch_add(payload.size(), std::memory_order_relaxed);
  bytes_out_.fetch_add(deflated.size(), std::memory_order_relaxed);
  const bool binary = (static_cast<unsigned char>(frame[0]) & 0x0F) == 0x2;
  return frame_deflated_message(deflated, binary);
}

std::shared_ptr<const std::string> message_deflater::deflate_shared(std::string_view frame) {
  if (connections_.load(std::memory_order_relaxed) <= 0) return nullptr;
  std::string compressed = deflate_frame(frame);
  if (compressed.empty()) return nullptr;
  return std::make_shared<const std::string>(std::move(compressed));
}

deflate_figures message_deflater::figures() const {
  const auto open = connections_.load(std::memory_order_relaxed);
  return {open > 0 ? static_cast<std::uint64_t>(open) : 0,
          messages_.load(std::memory_order_relaxed), bytes_in_.load(std::memory_order_relaxed),
          bytes_out_.load(std::memory_order_relaxed)};
}

}  // namespace wsedge::edge
