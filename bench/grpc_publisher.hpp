// Publishes over gRPC: paced at a rate into rooms (fanout), or as fast as a concurrency allows.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace wsedge::bench {

struct publish_totals {
  std::uint64_t sent = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t recipients = 0;  // sum of PublishResponse.recipients
};

class grpc_publisher {
 public:
  explicit grpc_publisher(const std::string& address);
  ~grpc_publisher();

  // `rate` publishes per second for `duration`, round-robin over rooms bench-0 … bench-(rooms-1);
  // each carries {"t":<send time ns>,"p":"…"} padded to `payload_bytes`. Waits for the replies.
  // `batch` > 1: PublishBatch calls of that many publishes each, at rate / batch calls per second.
  publish_totals paced(double rate, std::chrono::milliseconds duration, int rooms,
                       std::size_t payload_bytes, int batch = 1);
  // Unpaced Publish calls to an empty room, `concurrency` in flight on one channel.
  publish_totals flood(int concurrency, std::chrono::milliseconds duration);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wsedge::bench
