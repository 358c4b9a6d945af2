// gRPC publisher on the callback API: calls are issued from one thread, finished on gRPC's.
#include "bench/grpc_publisher.hpp"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "bench/load_clients.hpp"
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

  void issue(std::unique_ptr<call> c) {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return in_flight < max_in_flight; });
      ++in_flight;
      ++totals.sent;
    }
    call* raw = c.release();
    stub->async()->Publish(&raw->context, &raw->request, &raw->response,
                           [this, raw](grpc::Status status) {
                             std::unique_ptr<call> owned(raw);
                             std::lock_guard lock(mutex);
                             --in_flight;
                             if (status.ok()) {
                               ++totals.ok;
                               totals.recipients += owned->response.recipients();
                             } else {
                               ++totals.failed;
                             }
                             changed.notify_all();
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
                                     std::size_t payload_bytes) {
  const auto start = std::chrono::steady_clock::now();
  const auto count =
      static_cast<std::uint64_t>(rate * static_cast<double>(duration.count()) / 1000.0);
  const std::string padding(payload_bytes > 40 ? payload_bytes - 40 : 1, 'x');
  for (std::uint64_t i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                              1e9 * static_cast<double>(i) / rate)));
    auto c = std::make_unique<impl::call>();
    c->request.mutable_target()->set_room("bench-" +
                                          std::to_string(i % static_cast<std::uint64_t>(rooms)));
    c->request.set_data("{\"t\":" + std::to_string(now_ns()) + ",\"p\":\"" + padding + "\"}");
    impl_->issue(std::move(c));
  }
  return impl_->finish();
}

publish_totals grpc_publisher::flood(int concurrency, std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  std::vector<std::thread> threads;
  // Each thread keeps its share of the calls in flight by issuing synchronously in a loop.
  std::mutex totals_mutex;
  publish_totals totals;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      publish_totals mine;
      v1::PublishRequest request;
      request.mutable_target()->set_room("bench-empty");
      request.set_data("1");
      while (std::chrono::steady_clock::now() < end) {
        grpc::ClientContext context;
        v1::PublishResponse response;
        ++mine.sent;
        if (impl_->stub->Publish(&context, request, &response).ok())
          ++mine.ok;
        else
          ++mine.failed;
      }
      std::lock_guard lock(totals_mutex);
      totals.sent += mine.sent;
      totals.ok += mine.ok;
      totals.failed += mine.failed;
    });
  }
  for (auto& t : threads) t.join();
  return totals;
}

}  // namespace wsedge::bench
