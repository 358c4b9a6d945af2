// gRPC publisher on the callback API: paced calls are issued from one thread, flood calls from
// the completions of earlier ones; all finish on gRPC's threads.
#include "bench/grpc_publisher.hpp"

#include <grpcpp/grpcpp.h>

#include <atomic>
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
  void end(bool ok, std::uint64_t items, std::uint64_t recipients) {
    std::lock_guard lock(mutex);
    --in_flight;
    (ok ? totals.ok : totals.failed) += items;
    totals.recipients += recipients;
    changed.notify_all();
  }

  void issue(std::unique_ptr<call> c) {
    begin(1);
    call* raw = c.release();
    stub->async()->Publish(&raw->context, &raw->request, &raw->response,
                           [this, raw](grpc::Status status) {
                             std::unique_ptr<call> owned(raw);
                             end(status.ok(), 1, status.ok() ? raw->response.recipients() : 0);
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
        item->mutable_target()->set_room("bench-" +
                                         std::to_string(n % static_cast<std::uint64_t>(rooms)));
        item->set_data(data);
      }
      impl_->issue(std::move(c));
    });
    return impl_->finish();
  }
  run_paced(rate, duration, [&](std::uint64_t i) {
    auto c = std::make_unique<impl::call>();
    c->request.mutable_target()->set_room("bench-" +
                                          std::to_string(i % static_cast<std::uint64_t>(rooms)));
    c->request.set_data(stamped_payload(payload_bytes));
    impl_->issue(std::move(c));
  });
  return impl_->finish();
}

publish_totals grpc_publisher::flood(int concurrency, std::chrono::milliseconds duration) {
  // Callback API, no thread per call: each completion issues the next call from gRPC's own
  // thread, so `concurrency` calls stay in flight until the deadline.
  struct looper {
    v1::EdgeControl::Stub* stub;
    std::chrono::steady_clock::time_point end;
    std::atomic<std::uint64_t> ok{0}, failed{0};
    std::mutex mutex;
    std::condition_variable done;
    int running = 0;

    void start(v1::PublishRequest* request) {
      auto c = std::make_unique<impl::call>();
      c->request = *request;
      issue(c.release());
    }
    void issue(impl::call* c) {
      stub->async()->Publish(&c->context, &c->request, &c->response,
                             [this, c](grpc::Status status) { completed(c, status); });
    }
    void completed(impl::call* c, const grpc::Status& status) {
      (status.ok() ? ok : failed).fetch_add(1, std::memory_order_relaxed);
      if (std::chrono::steady_clock::now() < end) {
        // A ClientContext serves one call: the next call gets a fresh one, same request.
        auto* next = new impl::call;
        next->request = std::move(c->request);
        delete c;
        issue(next);
        return;
      }
      delete c;
      std::lock_guard lock(mutex);
      if (--running == 0) done.notify_all();
    }
  };
  looper loop;
  loop.stub = impl_->stub.get();
  loop.end = std::chrono::steady_clock::now() + duration;
  v1::PublishRequest request;
  request.mutable_target()->set_room("bench-empty");
  request.set_data("1");
  loop.running = concurrency;
  for (int i = 0; i < concurrency; ++i) loop.start(&request);
  std::unique_lock lock(loop.mutex);
  loop.done.wait(lock, [&] { return loop.running == 0; });
  publish_totals totals;
  totals.ok = loop.ok.load();
  totals.failed = loop.failed.load();
  totals.sent = totals.ok + totals.failed;
  return totals;
}

}  // namespace wsedge::bench
