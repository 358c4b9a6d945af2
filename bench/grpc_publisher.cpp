// gRPC publisher on the callback API: paced calls are issued from one thread, flood calls from
// the completions of earlier ones; all finish on gRPC's threads.
#include "bench/grpc_publisher.hpp"

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <mutex>

#include "bench/pacing.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::bench {

namespace v1 = wsedge::v1;

namespace {
// Calls in flight beyond this make the pacer wait: the client must not queue without bound.
constexpr std::uint64_t max_in_flight = 4096;
}  // namespace

struct grpc_publisher::impl {
  std::unique_ptr<v1::EdgeControl::Stub> stub;
  std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t in_flight = 0;
  publish_totals totals;

  struct call {
    grpc::ClientContext context;
    v1::PublishRequest request;
    v1::PublishResponse response;
  };
  struct batch_call {
    grpc::ClientContext context;
    v1::PublishBatchRequest request;
    v1::PublishBatchResponse response;
  };

  // Waits for room under max_in_flight, then counts `items` publishes as sent.
  void begin(std::uint64_t items) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return in_flight < max_in_flight; });
    ++in_flight;
    totals.sent += items;
  }
  // Counts a finished call; `replaced`: a new call takes its place in flight (flood).
  void end(bool ok, std::uint64_t items, std::uint64_t recipients, bool replaced = false) {
    std::lock_guard lock(mutex);
    (ok ? totals.ok : totals.failed) += items;
    totals.recipients += recipients;
    if (replaced) {
      totals.sent += items;
      return;
    }
    --in_flight;
    changed.notify_all();
  }

  // flood(): a unary call finishing before this is followed by a fresh one with its request.
  std::chrono::steady_clock::time_point repeat_until{};

  void issue(std::unique_ptr<call> c) {
    begin(1);
    start(c.release());
  }
  void start(call* raw) {
    stub->async()->Publish(
        &raw->context, &raw->request, &raw->response, [this, raw](grpc::Status status) {
          std::unique_ptr<call> owned(raw);
          const bool again = std::chrono::steady_clock::now() < repeat_until;
          end(status.ok(), 1, status.ok() ? raw->response.recipients() : 0, again);
          if (!again) return;
          // A ClientContext serves one call: the next gets a fresh one.
          auto next = std::make_unique<call>();
          next->request = std::move(owned->request);
          start(next.release());
        });
  }

  void issue(std::unique_ptr<batch_call> c) {
    const auto items = static_cast<std::uint64_t>(c->request.publishes_size());
    begin(items);
    batch_call* raw = c.release();
    stub->async()->PublishBatch(&raw->context, &raw->request, &raw->response,
                                [this, raw, items](grpc::Status status) {
                                  std::unique_ptr<batch_call> owned(raw);
                                  std::uint64_t recipients = 0;
                                  for (const auto& r : raw->response.results())
                                    recipients += r.recipients();
                                  end(status.ok(), items, recipients);
                                });
  }

  publish_totals finish() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return in_flight == 0; });
    return std::exchange(totals, {});
  }
};

grpc_publisher::grpc_publisher(const std::string& address) : impl_(std::make_unique<impl>()) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  impl_->stub = v1::EdgeControl::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

grpc_publisher::~grpc_publisher() = default;

publish_totals grpc_publisher::paced(double rate, std::chrono::milliseconds duration, int rooms,
                                     std::size_t payload_bytes, int batch) {
  if (batch > 1) {
    // Publish i*batch + j goes to the same room as it would unbatched.
    run_paced(rate / batch, duration, [&](std::uint64_t i) {
      auto c = std::make_unique<impl::batch_call>();
      const std::string data = stamped_payload(payload_bytes);
      for (int j = 0; j < batch; ++j) {
        auto* item = c->request.add_publishes();
        const std::uint64_t n =
            i * static_cast<std::uint64_t>(batch) + static_cast<std::uint64_t>(j);
        item->mutable_target()->set_room(bench_room(n, rooms));
        item->set_data(data);
      }
      impl_->issue(std::move(c));
    });
    return impl_->finish();
  }
  run_paced(rate, duration, [&](std::uint64_t i) {
    auto c = std::make_unique<impl::call>();
    c->request.mutable_target()->set_room(bench_room(i, rooms));
    c->request.set_data(stamped_payload(payload_bytes));
    impl_->issue(std::move(c));
  });
  return impl_->finish();
}

publish_totals grpc_publisher::flood(int concurrency, std::chrono::milliseconds duration) {
  // No thread per call: each completion issues the next call from gRPC's own thread, so
  // `concurrency` calls stay in flight until the deadline.
  impl_->repeat_until = std::chrono::steady_clock::now() + duration;
  for (int i = 0; i < concurrency; ++i) {
    auto c = std::make_unique<impl::call>();
    c->request.mutable_target()->set_room("bench-empty");
    c->request.set_data("1");
    impl_->issue(std::move(c));
  }
  publish_totals totals = impl_->finish();
  impl_->repeat_until = {};
  return totals;
}

}  // namespace wsedge::bench
